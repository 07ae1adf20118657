"""`kube-inspect tree` against a real API server, checked against kubectl's own answers."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.clusters.faultproxy import FaultProxy
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster, holds_within

pytestmark = pytest.mark.integration


def kubectl_json(cluster: TestCluster, *args: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(cluster.kubectl("get", *args, "-o", "json"))["items"]
    return items


def tree_json(cluster: TestCluster, *args: str) -> dict[str, Any]:
    result = run("tree", "-o", "json", *args, kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    cluster_doc: dict[str, Any] = json.loads(result.stdout)["cluster"]
    return cluster_doc


def placements(cluster_doc: dict[str, Any]) -> list[tuple[str | None, str, str, tuple[str, ...]]]:
    """Return (node, namespace, pod, container names) for every pod of a tree document."""
    found = []
    groups = [(n["name"], n["pods"]) for n in cluster_doc["nodes"]]
    groups.append((None, cluster_doc["unscheduled"]))
    for node, pods in groups:
        for pod in pods:
            names = tuple(c["name"] for c in pod["containers"])
            found.append((node, pod["namespace"], pod["name"], names))
    return sorted(found, key=str)


def expected_placements(
    pods: list[dict[str, Any]],
) -> list[tuple[str | None, str, str, tuple[str, ...]]]:
    """Return the same tuples as the API server's pods say they should be."""
    found = []
    for pod in pods:
        spec = pod["spec"]
        names = tuple(
            c["name"]
            for key in ("initContainers", "containers", "ephemeralContainers")
            for c in spec.get(key, [])
        )
        found.append(
            (spec.get("nodeName"), pod["metadata"]["namespace"], pod["metadata"]["name"], names)
        )
    return sorted(found, key=str)


def test_every_pod_appears_once_under_its_node_with_every_container(cluster: TestCluster) -> None:
    doc = tree_json(cluster)
    assert placements(doc) == expected_placements(kubectl_json(cluster, "pods", "-A"))


def test_counts_equal_the_api_servers(cluster: TestCluster) -> None:
    doc = tree_json(cluster)
    nodes = kubectl_json(cluster, "nodes")
    pods = kubectl_json(cluster, "pods", "-A")
    containers = sum(
        len(p["spec"].get(k, [])) for p in pods for k in ("initContainers", "containers")
    )
    assert (doc["node_count"], doc["pod_count"], doc["container_count"]) == (
        len(nodes),
        len(pods),
        containers,
    )
    assert sorted(n["name"] for n in doc["nodes"]) == sorted(n["metadata"]["name"] for n in nodes)
    version = json.loads(cluster.kubectl("version", "-o", "json"))["serverVersion"]["gitVersion"]
    assert doc["version"] == version


def test_node_state_matches_the_node_objects(cluster: TestCluster) -> None:
    doc = tree_json(cluster)
    for node in kubectl_json(cluster, "nodes"):
        shown = next(n for n in doc["nodes"] if n["name"] == node["metadata"]["name"])
        ready = next(c["status"] for c in node["status"]["conditions"] if c["type"] == "Ready")
        assert shown["ready"] == (ready == "True")
        assert shown["unschedulable"] == node["spec"].get("unschedulable", False)
        assert shown["kubelet_version"] == node["status"]["nodeInfo"]["kubeletVersion"]


def test_container_states_match_the_pod_statuses(cluster: TestCluster) -> None:
    # a real kubelet moves the crasher on between two reads: compare until they agree
    def check() -> None:
        doc = tree_json(cluster)
        shown = {
            (p["namespace"], p["name"], c["name"]): c
            for group in [*(n["pods"] for n in doc["nodes"]), doc["unscheduled"]]
            for p in group
            for c in p["containers"]
        }
        states_seen = set()
        for pod in kubectl_json(cluster, "pods", "-A"):
            meta, status = pod["metadata"], pod.get("status", {})
            for cs in status.get("containerStatuses", []) + status.get("initContainerStatuses", []):
                container = shown[(meta["namespace"], meta["name"], cs["name"])]
                (state_name,) = cs["state"].keys()
                assert container["state"] == state_name
                assert container["ready"] == cs["ready"]
                # restarts only grow, and the tree was read first
                assert container["restarts"] <= cs["restartCount"]
                if state_name == "waiting":
                    assert container["reason"] == cs["state"]["waiting"].get("reason")
                states_seen.add(container["reason"] or state_name)
        # the sample cluster exists to show these
        assert {"running", "CrashLoopBackOff", "Completed", "OOMKilled"} <= states_seen

    holds_within(check)


def test_tree_text_names_every_pod_and_marks_init_containers(cluster: TestCluster) -> None:
    result = run("tree", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    for pod in kubectl_json(cluster, "pods", "-A"):
        assert f"pod/{pod['metadata']['namespace']}/{pod['metadata']['name']}" in result.stdout
        for init in pod["spec"].get("initContainers", []):
            kind = "sidecar" if init.get("restartPolicy") == "Always" else "init"
            assert f"container/{init['name']} ({kind})" in result.stdout
    assert result.stdout.splitlines()[0].startswith("cluster ")
    ascii_run = run("tree", "--ascii", kubeconfig=cluster.kubeconfig)
    assert ascii_run.stdout.isascii()


def test_namespace_flag_limits_to_one_namespace(cluster: TestCluster) -> None:
    namespace = "shop" if cluster.backend != "existing" else "kube-system"
    doc = tree_json(cluster, "-n", namespace)
    assert placements(doc) == expected_placements(kubectl_json(cluster, "pods", "-n", namespace))
    assert {p[1] for p in placements(doc)} == {namespace}


def test_kubeconfig_and_context_flags_pick_the_cluster(
    cluster: TestCluster, tmp_path: Path
) -> None:
    context = cluster.kubectl("config", "current-context").strip()
    result = run(
        "tree", "--kubeconfig", str(cluster.kubeconfig), "--context", context, "-o", "json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cluster"]["context"] == context


def test_context_that_does_not_exist_is_one_clear_line(cluster: TestCluster) -> None:
    result = run("tree", "--context", "no-such-context", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: context 'no-such-context' not found in ")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_server_that_does_not_answer_fails_within_request_timeout(
    cluster: TestCluster, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    kubeconfig = fault_proxy.kubeconfig_through(cluster.kubeconfig, tmp_path / "proxied")
    through_proxy = run("tree", "-o", "json", kubeconfig=kubeconfig)
    assert through_proxy.returncode == 0, through_proxy.stderr  # the proxy itself is sound
    fault_proxy.add_toxic("timeout", timeout=0)  # from now on the server never answers
    started = time.monotonic()
    result = run("tree", "--request-timeout", "2s", kubeconfig=kubeconfig)
    elapsed = time.monotonic() - started
    assert result.returncode == 3
    assert result.stderr.endswith(
        "did not answer within 2s: is the cluster up? (raise --request-timeout for a slow server)\n"
    )
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert elapsed < 2 + 8  # the timeout, plus interpreter start-up on a loaded machine


def test_server_that_is_not_listening_is_exit_3(
    cluster: TestCluster, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    kubeconfig = fault_proxy.kubeconfig_through(cluster.kubeconfig, tmp_path / "proxied")
    fault_proxy.stop()
    result = run("tree", "--request-timeout", "2s", kubeconfig=kubeconfig)
    assert result.returncode == 3
    assert "is the cluster running?" in result.stderr
    assert len(result.stderr.splitlines()) == 1
