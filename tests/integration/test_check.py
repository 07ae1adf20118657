"""`kube-inspect check` against a real API server, compared with what the server says."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from kube_inspect.interpret.health import CONTAINER_STATES
from tests.clusters.httpfaults import HttpFaultProxy
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster, delete_namespace, holds_within

pytestmark = pytest.mark.integration

STATUS_LISTS = ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")


def failing_per_table(state: dict[str, Any]) -> bool:
    """Return whether the health table calls a containerStatus ``state`` failing."""
    for name in ("waiting", "terminated"):
        if name in state:
            reason = state[name].get("reason") or ("Terminated" if name == "terminated" else "")
            text = CONTAINER_STATES.get(f"{name}/{reason}", CONTAINER_STATES[name])
            return text.verdict == "failing"
    return False


def check_json(cluster: TestCluster, *args: str) -> tuple[int, dict[str, Any]]:
    result = run("check", "-o", "json", *args, kubeconfig=cluster.kubeconfig)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def failing_containers_per_kubectl(cluster: TestCluster) -> set[str]:
    pods = json.loads(cluster.kubectl("get", "pods", "-A", "-o", "json"))["items"]
    found = set()
    for pod in pods:
        statuses = [s for key in STATUS_LISTS for s in pod.get("status", {}).get(key, [])]
        for status in statuses:
            if failing_per_table(status.get("state", {})):
                meta = pod["metadata"]
                found.add(f"container/{meta['namespace']}/{meta['name']}/{status['name']}")
    return found


def test_failing_containers_are_those_the_server_reports(cluster: TestCluster) -> None:
    def agree() -> None:
        code, doc = check_json(cluster, "--rule", "container-state")
        failing = {f["object"] for f in doc["findings"] if not f["passed"]}
        assert failing == failing_containers_per_kubectl(cluster)
        assert code == (1 if failing else 0)
        if cluster.backend != "existing":
            assert "container/batch/crasher/worker" in failing  # the sample's crash loop

    holds_within(agree)


def nodes_and_workloads_per_kubectl(cluster: TestCluster) -> set[str]:
    found = set(cluster.kubectl("get", "nodes", "-o", "name").split())
    for resource in ("deployments", "statefulsets", "daemonsets"):
        items = json.loads(cluster.kubectl("get", resource, "-A", "-o", "json"))["items"]
        found |= {
            f"{resource[:-1]}/{w['metadata']['namespace']}/{w['metadata']['name']}" for w in items
        }
    return found


def test_every_node_and_workload_is_checked(cluster: TestCluster) -> None:
    """Check judges every node and workload kubectl lists before and after it.

    Both: a workload of an earlier test's namespace may still be going away on kind.
    """
    before = nodes_and_workloads_per_kubectl(cluster)
    _, doc = check_json(cluster, "--rule", "node-ready", "--rule", "workload-ready")
    after = nodes_and_workloads_per_kubectl(cluster)
    checked = {f["object"] for f in doc["findings"]}
    assert before & after <= checked <= before | after, (before ^ after, checked)


@pytest.fixture
def namespace(cluster: TestCluster) -> Iterator[str]:
    name = f"check-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", name)
    yield name
    # a real kubelet gives `sleep` its 30 s of grace, which the tests need not wait out
    cluster.kubectl("delete", "pods", "--all", "-n", name, "--grace-period=0", "--force")
    cluster.kubectl("delete", "namespace", name, "--timeout=120s", timeout=150)


NAMESPACED = ("--skip-rule", "node-ready", "--skip-rule", "node-pressure")


def test_wait_returns_0_once_a_fresh_deployment_is_ready(
    cluster: TestCluster, namespace: str
) -> None:
    cluster.kubectl(
        "create",
        "deployment",
        "web",
        "--image=localhost/busybox:1.35",
        "--replicas=3",
        "-n",
        namespace,
        "--",
        "sleep",
        "3600",  # keeps running on a real kubelet too
    )
    result = run(
        "check", "-n", namespace, *NAMESPACED, "--wait", "--timeout", "3m",
        kubeconfig=cluster.kubeconfig,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads(cluster.kubectl("get", "deployment", "web", "-n", namespace, "-o", "json"))
    assert doc["status"]["readyReplicas"] == 3  # the server agrees it is ready now
    assert f"deployment/{namespace}/web" not in result.stdout.split("FAIL")[-1]


UNSCHEDULABLE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: never, namespace: NAMESPACE}
spec:
  replicas: 1
  selector: {matchLabels: {app: never}}
  template:
    metadata: {labels: {app: never}}
    spec:
      nodeSelector: {disktype: nvme-that-no-node-has}
      containers: [{name: app, image: localhost/busybox:1.35, command: [sleep, "3600"]}]
"""


def test_wait_gives_up_after_timeout_with_exit_1(
    cluster: TestCluster, namespace: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "never.yaml"
    manifest.write_text(UNSCHEDULABLE.replace("NAMESPACE", namespace))
    cluster.kubectl("apply", "-f", str(manifest))
    result = run(
        "check", "-n", namespace, *NAMESPACED, "--rule", "workload-ready",
        "--wait", "--timeout", "4s", kubeconfig=cluster.kubeconfig,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAIL  workload-ready      deployment/{namespace}/never: 0/1 replicas ready" in (
        result.stdout
    )
    assert f"failing: deployment/{namespace}/never (workload-ready)" in result.stderr


def test_expectations_are_checked_against_the_server(
    cluster: TestCluster, namespace: str, tmp_path: Path
) -> None:
    cluster.kubectl(
        "create",
        "deployment",
        "api",
        "--image=localhost/busybox:1.35",
        "--replicas=1",
        "-n",
        namespace,
        "--",
        "sleep",
        "3600",
    )
    expect = tmp_path / "expect.yaml"
    expect.write_text(f"- kind: Deployment\n  namespace: {namespace}\n  name: api\n  minReady: 5\n")
    result = run(
        "check", "-n", namespace, *NAMESPACED, "--expect", str(expect),
        "--junit", str(tmp_path / "junit.xml"),
        kubeconfig=cluster.kubeconfig,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"FAIL  expect              deployment/{namespace}/api:" in result.stdout
    assert "expected >= 5" in result.stdout
    root = ET.parse(tmp_path / "junit.xml").getroot()
    failed = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert f"deployment/{namespace}/api" in failed


def test_empty_namespace_passes(cluster: TestCluster, namespace: str) -> None:
    result = run("check", "-n", namespace, *NAMESPACED, kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing to check" in result.stdout


def test_wait_watches_instead_of_polling(
    cluster: TestCluster, namespace: str, tmp_path: Path, http_fault_proxy: HttpFaultProxy
) -> None:
    manifest = tmp_path / "never.yaml"
    manifest.write_text(UNSCHEDULABLE.replace("NAMESPACE", namespace))
    cluster.kubectl("apply", "-f", str(manifest))
    result = run(
        "check", "-n", namespace, *NAMESPACED, "--wait", "--timeout", "6s",
        kubeconfig=http_fault_proxy.kubeconfig(tmp_path / "via-mitmproxy.yaml"),
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    pods = [r for r in http_fault_proxy.requests() if r["path"].endswith(f"{namespace}/pods")]
    watches = [r for r in pods if r["watch"]]
    assert watches, "--wait sent no WATCH"
    # Each wait is one WATCH; a polling loop would have read the pods hundreds of times in 6 s.
    assert len(pods) - len(watches) <= 2 * (len(watches) + 1)


def test_wait_of_several_namespaces_watches_each_not_all(
    cluster: TestCluster, namespace: str, tmp_path: Path, http_fault_proxy: HttpFaultProxy
) -> None:
    other = f"{namespace}-b"
    cluster.kubectl("create", "namespace", other)
    try:
        manifest = tmp_path / "never.yaml"
        manifest.write_text(UNSCHEDULABLE.replace("NAMESPACE", other))
        cluster.kubectl("apply", "-f", str(manifest))
        result = run(
            "check", "-n", f"{namespace},{other}", *NAMESPACED, "--wait", "--timeout", "4s",
            kubeconfig=http_fault_proxy.kubeconfig(tmp_path / "via-mitmproxy.yaml"),
        )  # fmt: skip
    finally:
        delete_namespace(cluster, other)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"deployment/{other}/never" in result.stdout
    watched = {r["path"] for r in http_fault_proxy.requests() if r["watch"]}
    # before: one WATCH of every pod of the cluster, woken by any namespace's change
    assert watched == {f"/api/v1/namespaces/{ns}/pods" for ns in (namespace, other)}
