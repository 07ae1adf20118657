"""What `check` judges when pods are picked by node, and what a viewer is told of nodes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster
from tests.integration.restricted_users import issue_user
from tests.integration.test_rbac import wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]


def owners_per_server(cluster: TestCluster, node: str) -> set[str]:
    """Return the workloads owning a pod on ``node``, by the server's ownerReferences."""
    pods = json.loads(
        cluster.kubectl("get", "pods", "-A", f"--field-selector=spec.nodeName={node}", "-o", "json")
    )["items"]
    sets = json.loads(cluster.kubectl("get", "replicasets", "-A", "-o", "json"))["items"]
    up = {
        (r["metadata"]["namespace"], "ReplicaSet", r["metadata"]["name"]): ref
        for r in sets
        for ref in r["metadata"].get("ownerReferences", [])
        if ref.get("controller")
    }
    found = set()
    for pod in pods:
        namespace = pod["metadata"]["namespace"]
        for ref in pod["metadata"].get("ownerReferences", []):
            ref = up.get((namespace, ref["kind"], ref["name"]), ref)
            if ref["kind"] in ("Deployment", "StatefulSet", "DaemonSet"):
                found.add(f"{ref['kind'].lower()}/{namespace}/{ref['name']}")
    return found


def test_node_filter_judges_the_workloads_owning_its_pods(cluster: TestCluster) -> None:
    nodes = cluster.kubectl("get", "nodes", "-o", "name").split()
    every = set()
    for node in (n.removeprefix("node/") for n in nodes):
        result = run(
            "check", "--node", node, "--rule", "workload-ready", "-o", "json",
            kubeconfig=cluster.kubeconfig,
        )  # fmt: skip
        assert result.returncode in (0, 1), result.stderr
        judged = {f["object"] for f in json.loads(result.stdout)["findings"]}
        assert judged == owners_per_server(cluster, node), node
        every |= judged
    assert every, "the sample runs workloads on its nodes"


@pytest.fixture
def viewer(cluster: TestCluster, tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    suffix = uuid.uuid4().hex[:6]
    namespace, user = f"scope-{suffix}", f"viewer-{suffix}"
    cluster.kubectl("create", "namespace", namespace)
    cluster.kubectl(
        "create", "rolebinding", "viewer-view", "--clusterrole=view", f"--user={user}",
        "-n", namespace,
    )  # fmt: skip
    try:
        yield namespace, issue_user(cluster, user, tmp_path / "viewer.yaml"), user
    finally:
        cluster.kubectl("delete", "namespace", namespace, "--timeout=120s", timeout=150)


def test_a_node_the_viewer_may_not_read_is_not_called_missing(
    cluster: TestCluster, viewer: tuple[str, Path, str]
) -> None:
    namespace, kubeconfig, user = viewer
    cluster.kubectl(
        "create", "deployment", "app", "--image=localhost/busybox:1.35", "-n", namespace,
        "--", "sleep", "3600",
    )  # fmt: skip
    wait_ready(cluster, namespace, "app")
    node = cluster.kubectl("get", "nodes", "-o", "name").split()[0].removeprefix("node/")
    cluster.kubectl("get", "node", node)  # it exists, as the admin sees
    result = run("check", "-n", namespace, "--node", node, kubeconfig=kubeconfig)
    assert "no such node" not in result.stdout, result.stdout
    assert result.returncode == 4, result.stdout + result.stderr
    assert "skip  node-ready          not checked" in result.stdout
    assert result.stderr.startswith(f'warning: user "{user}" may not get nodes')
