"""Faults, each against the real API server: one line on stderr, the right exit code.

Where the real server cannot fail on demand, a real fault-injecting proxy stands between
the client and it: Toxiproxy for TCP (slowness), mitmproxy for HTTP (429, 410, 5xx).
"""

from __future__ import annotations

import base64
import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.certs import self_signed
from tests.clusters.faultproxy import FaultProxy
from tests.clusters.httpfaults import HttpFaultProxy
from tests.clusters.local import LocalCluster, build_binaries
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

COMMANDS = ["tree", "check"]


def one_line_error(result: subprocess.CompletedProcess[str], code: int, *parts: str) -> str:
    """Assert the run failed with ``code`` and one stderr line holding ``parts``; return it."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for part in parts:
        assert part in lines[0]
    return lines[0]


def edited_kubeconfig(
    cluster: TestCluster,
    into: Path,
    *,
    cluster_fields: dict[str, Any] | None = None,
    user: dict[str, Any] | None = None,
) -> Path:
    """Write a copy of the admin kubeconfig with its cluster fields or its user replaced."""
    doc = yaml.safe_load(cluster.kubeconfig.read_text())
    if cluster_fields is not None:
        entry = doc["clusters"][0]["cluster"]
        server = entry["server"]
        doc["clusters"][0]["cluster"] = {"server": server, **cluster_fields}
    if user is not None:
        doc["users"][0]["user"] = user
    into.write_text(yaml.safe_dump(doc))
    return into


def self_signed_ca() -> bytes:
    """Return a PEM certificate of a CA that signed nothing the cluster uses."""
    return self_signed("not-the-cluster-ca", ca=True)[1]


@pytest.mark.parametrize("command", COMMANDS)
def test_tls_with_the_wrong_ca_is_exit_3_naming_the_ca(
    cluster: TestCluster, tmp_path: Path, command: str
) -> None:
    ca = base64.b64encode(self_signed_ca()).decode()
    kubeconfig = edited_kubeconfig(
        cluster, tmp_path / "config", cluster_fields={"certificate-authority-data": ca}
    )
    result = run(command, "--request-timeout", "10s", kubeconfig=kubeconfig)
    one_line_error(result, 3, "TLS handshake with", "check the certificate-authority of context")


@pytest.mark.parametrize("command", COMMANDS)
def test_bad_token_is_exit_3_saying_log_in_again(
    cluster: TestCluster, tmp_path: Path, command: str
) -> None:
    kubeconfig = edited_kubeconfig(cluster, tmp_path / "config", user={"token": "not-a-token"})
    result = run(command, kubeconfig=kubeconfig)
    one_line_error(result, 3, "rejected the credentials", "(401 Unauthorized)", "log in again")


@pytest.mark.parametrize("command", COMMANDS)
def test_failing_exec_credential_plugin_is_exit_3_with_its_message(
    cluster: TestCluster, tmp_path: Path, command: str
) -> None:
    plugin = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "command": "sh",
        "args": ["-c", "echo 'session expired: run corp-login' >&2; exit 1"],
        "interactiveMode": "Never",
    }
    kubeconfig = edited_kubeconfig(cluster, tmp_path / "config", user={"exec": plugin})
    result = run(command, kubeconfig=kubeconfig)
    one_line_error(result, 3, "credential plugin", "session expired: run corp-login")


@pytest.mark.parametrize("command", COMMANDS)
def test_malformed_kubeconfig_is_exit_2(cluster: TestCluster, tmp_path: Path, command: str) -> None:
    bad = tmp_path / "config"
    bad.write_text(cluster.kubeconfig.read_text().replace("clusters:", "clusters: [", 1))
    one_line_error(
        run(command, kubeconfig=bad), 2, "cannot read kubeconfig", "not valid YAML at line"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_context_is_exit_2(cluster: TestCluster, command: str) -> None:
    result = run(command, "--context", "nope", kubeconfig=cluster.kubeconfig)
    one_line_error(result, 2, "context 'nope' not found")


@pytest.mark.parametrize("command", COMMANDS)
def test_server_down_is_exit_3(
    cluster: TestCluster, fault_proxy: FaultProxy, tmp_path: Path, command: str
) -> None:
    kubeconfig = fault_proxy.kubeconfig_through(cluster.kubeconfig, tmp_path / "proxied")
    fault_proxy.stop()
    one_line_error(run(command, kubeconfig=kubeconfig), 3, "is the cluster running?")


def test_server_slower_than_request_timeout_is_exit_3(
    cluster: TestCluster, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    kubeconfig = fault_proxy.kubeconfig_through(cluster.kubeconfig, tmp_path / "proxied")
    fault_proxy.add_toxic("latency", latency=4000)  # slow, not dead: answers after 4 s
    result = run("check", "--request-timeout", "1s", kubeconfig=kubeconfig)
    one_line_error(result, 3, "did not answer within 1s", "raise --request-timeout")


def through(proxy: HttpFaultProxy, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(*args, kubeconfig=proxy.kubeconfig(tmp_path / "via-mitmproxy.yaml"))


def requests_to(proxy: HttpFaultProxy, path: str) -> list[dict[str, Any]]:
    return [r for r in proxy.requests() if r["path"] == path]


def node_names(cluster: TestCluster) -> list[str]:
    return sorted(cluster.kubectl("get", "nodes", "-o", "name").split())


def listed_pods(cluster: TestCluster) -> set[tuple[str, str]]:
    """Return every pod kubectl lists, as (namespace, name)."""
    items = json.loads(cluster.kubectl("get", "pods", "-A", "-o", "json"))["items"]
    return {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in items}


def shown_pods(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """Return every pod a tree's JSON document shows, as (namespace, name), repeats kept."""
    pods = [p for n in doc["nodes"] for p in n["pods"]] + doc["unscheduled"]
    return [(p["namespace"], p["name"]) for p in pods]


def test_proxy_alone_changes_nothing(
    cluster: TestCluster, http_fault_proxy: HttpFaultProxy, tmp_path: Path
) -> None:
    result = through(http_fault_proxy, tmp_path, "tree", "-o", "json")
    assert result.returncode == 0, result.stderr
    nodes = [f"node/{n['name']}" for n in json.loads(result.stdout)["cluster"]["nodes"]]
    assert nodes == node_names(cluster)


def test_429_with_retry_after_is_retried_then_succeeds(
    cluster: TestCluster, http_fault_proxy: HttpFaultProxy, tmp_path: Path
) -> None:
    http_fault_proxy.set_plan(
        rules=[{"path": "/api/v1/nodes", "status": 429, "times": 2, "retry_after": "1"}]
    )
    result = through(http_fault_proxy, tmp_path, "tree", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    nodes = [f"node/{n['name']}" for n in json.loads(result.stdout)["cluster"]["nodes"]]
    assert nodes == node_names(cluster)
    tries = requests_to(http_fault_proxy, "/api/v1/nodes")
    assert [r["injected"] for r in tries] == [429, 429, None]


def test_429_that_never_ends_is_exit_3_after_bounded_retries(
    http_fault_proxy: HttpFaultProxy, tmp_path: Path
) -> None:
    http_fault_proxy.set_plan(rules=[{"path": "/api/v1/nodes", "status": 429, "retry_after": "1"}])
    result = through(http_fault_proxy, tmp_path, "tree")
    one_line_error(result, 3, "429 Too Many Requests", "after 4 retries: try again later")
    assert len(requests_to(http_fault_proxy, "/api/v1/nodes")) == 1 + 4  # first try + retries


def test_429_asking_for_a_long_wait_is_not_waited_out(
    http_fault_proxy: HttpFaultProxy, tmp_path: Path
) -> None:
    http_fault_proxy.set_plan(
        rules=[{"path": "/api/v1/nodes", "status": 429, "retry_after": "600"}]
    )
    result = through(http_fault_proxy, tmp_path, "tree")
    one_line_error(result, 3, "429 Too Many Requests", "asks to wait 600s", "try again later")
    assert len(requests_to(http_fault_proxy, "/api/v1/nodes")) == 1


def test_5xx_is_retried_then_succeeds(
    cluster: TestCluster, http_fault_proxy: HttpFaultProxy, tmp_path: Path
) -> None:
    http_fault_proxy.set_plan(rules=[{"path": "/api/v1/pods", "status": 503, "times": 2}])
    # kubectl lists before and after: a pod of an earlier test's namespace may still be
    # going away (a real kubelet takes its grace period)
    before = listed_pods(cluster)
    result = through(http_fault_proxy, tmp_path, "tree", "-o", "json")
    after = listed_pods(cluster)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)["cluster"]
    shown = shown_pods(doc)
    assert doc["pod_count"] == len(shown) == len(set(shown))
    assert before & after <= set(shown) <= before | after, (before ^ after, shown)
    assert [r["injected"] for r in requests_to(http_fault_proxy, "/api/v1/pods")] == [
        503,
        503,
        None,
    ]


def test_5xx_that_never_ends_is_exit_3_after_bounded_retries(
    http_fault_proxy: HttpFaultProxy, tmp_path: Path
) -> None:
    http_fault_proxy.set_plan(rules=[{"path": "/api/v1/pods", "status": 500}])
    result = through(http_fault_proxy, tmp_path, "check")
    one_line_error(result, 3, "failed (500", "after 4 retries: check the control plane's health")
    assert len(requests_to(http_fault_proxy, "/api/v1/pods")) == 1 + 4


def test_expired_continue_token_restarts_the_list_once(
    cluster: TestCluster, http_fault_proxy: HttpFaultProxy, tmp_path: Path
) -> None:
    # Pages of 3 from the real server (it hands out real continue tokens); the first
    # continue request is answered 410 Gone, as after an etcd compaction.
    http_fault_proxy.set_plan(
        page_limit=3,
        rules=[{"path": "/api/v1/pods", "status": 410, "times": 1, "only_continue": True,
                "reason": "Expired", "message": "The provided continue parameter is too old"}],
    )  # fmt: skip
    # kubectl lists before and after: a pod of an earlier test's namespace may still be
    # going away (a real kubelet takes its grace period)
    before = listed_pods(cluster)
    result = through(http_fault_proxy, tmp_path, "tree", "-o", "json")
    after = listed_pods(cluster)
    assert result.returncode == 0, result.stderr
    pods = shown_pods(json.loads(result.stdout)["cluster"])
    assert len(pods) == len(set(pods)), pods  # every pod once: the pages before 410 dropped
    assert before & after <= set(pods) <= before | after, (before ^ after, pods)
    starts = [r for r in requests_to(http_fault_proxy, "/api/v1/pods") if not r["continue"]]
    assert len(starts) == 2  # the list started again, once


def test_continue_token_expiring_twice_is_exit_3(
    http_fault_proxy: HttpFaultProxy, tmp_path: Path
) -> None:
    http_fault_proxy.set_plan(
        page_limit=3,
        rules=[{"path": "/api/v1/pods", "status": 410, "only_continue": True}],
    )
    result = through(http_fault_proxy, tmp_path, "tree")
    one_line_error(result, 3, "expired twice while being read in pages (410 Gone)")
    starts = [r for r in requests_to(http_fault_proxy, "/api/v1/pods") if not r["continue"]]
    assert len(starts) == 2


@pytest.fixture(scope="module")
def empty_cluster() -> Iterator[Path]:
    """Yield the kubeconfig of a second, fresh local cluster: no nodes, no pods."""
    local = LocalCluster(f"ki-empty-{uuid.uuid4().hex[:8]}", build_binaries())
    try:
        yield local.start()
    finally:
        survivors = local.stop()
        assert not survivors, f"processes left behind: {survivors}"


@pytest.mark.local_backend
def test_empty_cluster_is_an_empty_tree_and_a_passing_check(empty_cluster: Path) -> None:
    tree = run("tree", "-o", "json", kubeconfig=empty_cluster)
    assert tree.returncode == 0, tree.stderr
    doc = json.loads(tree.stdout)["cluster"]
    assert (doc["node_count"], doc["pod_count"], doc["nodes"], doc["unscheduled"]) == (0, 0, [], [])
    check = run("check", kubeconfig=empty_cluster)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("nothing to check") == 7  # a fresh kwok cluster runs nothing
    assert check.stdout.endswith("all 7 rules passed (0 checks)\n")
    assert check.stderr == ""
