"""Restricted users on the real cluster, with real RBAC: partial results, clear refusals."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]


@dataclass(frozen=True)
class Users:
    namespace: str
    viewer: Path  # bound to the view ClusterRole in ``namespace`` only
    nobody: Path  # authenticated, bound to nothing
    viewer_name: str
    nobody_name: str


def issue_user(cluster: TestCluster, user: str, into: Path) -> Path:
    """Write a kubeconfig for ``user`` (in a group of its own: never system:masters)."""
    assert cluster.local is not None, "kwokctl issues the users of the local backend"
    kubeconfig = cluster.local._kwokctl(
        "get", "kubeconfig", "--user", user, "--group", f"{user}-group"
    ).stdout
    into.write_text(kubeconfig)
    return into


def wait_ready(cluster: TestCluster, namespace: str, deployment: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = json.loads(
            cluster.kubectl("get", "deployment", deployment, "-n", namespace, "-o", "json")
        )
        if doc.get("status", {}).get("readyReplicas") == doc["spec"]["replicas"]:
            return
        time.sleep(0.5)
    raise AssertionError(f"deployment {namespace}/{deployment} not ready in {timeout}s")


@pytest.fixture(scope="module")
def users(cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Users]:
    suffix = uuid.uuid4().hex[:6]
    namespace = f"rbac-{suffix}"
    workdir = tmp_path_factory.mktemp("users")
    cluster.kubectl("create", "namespace", namespace)
    cluster.kubectl(
        "create",
        "deployment",
        "app",
        "--image=localhost/busybox:1.35",
        "--replicas=2",
        "-n",
        namespace,
        "--",
        "sleep",
        "3600",  # keeps running on a real kubelet too
    )
    viewer, nobody = f"viewer-{suffix}", f"nobody-{suffix}"
    cluster.kubectl(
        "create", "rolebinding", "viewer-view", "--clusterrole=view", f"--user={viewer}",
        "-n", namespace,
    )  # fmt: skip
    wait_ready(cluster, namespace, "app")
    yield Users(
        namespace,
        issue_user(cluster, viewer, workdir / "viewer.yaml"),
        issue_user(cluster, nobody, workdir / "nobody.yaml"),
        viewer,
        nobody,
    )
    cluster.kubectl("delete", "namespace", namespace, "--timeout=120s", timeout=150)


def test_viewer_gets_the_namespace_tree_with_nodes_known_by_name(
    cluster: TestCluster, users: Users
) -> None:
    result = run("tree", "-n", users.namespace, "-o", "json", kubeconfig=users.viewer)
    assert result.returncode == 4, result.stderr
    doc = json.loads(result.stdout)["cluster"]
    pods = json.loads(cluster.kubectl("get", "pods", "-n", users.namespace, "-o", "json"))["items"]
    shown = sorted((n["name"], p["name"]) for n in doc["nodes"] for p in n["pods"])
    assert shown == sorted((p["spec"]["nodeName"], p["metadata"]["name"]) for p in pods)
    assert all(n["listed"] is False and n["status"] == "Unknown" for n in doc["nodes"])
    assert result.stderr == (
        f'warning: user "{users.viewer_name}" may not list nodes: nodes are shown by name '
        "only, without status\n"
    )


def test_viewer_tree_text_marks_nodes_not_listed(users: Users) -> None:
    result = run("tree", "-n", users.namespace, kubeconfig=users.viewer)
    assert result.returncode == 4
    assert "(not listed)" in result.stdout and f"pod/{users.namespace}/app-" in result.stdout
    assert "Traceback" not in result.stderr


def test_viewer_asking_for_the_whole_cluster_gets_one_clear_line(users: Users) -> None:
    result = run("tree", kubeconfig=users.viewer)
    assert result.returncode == 4
    assert result.stdout == ""
    assert result.stderr == (
        f"error: forbidden: user '{users.viewer_name}' may not list nodes or pods: ask for a "
        "RoleBinding (e.g. to the view ClusterRole), or pass -n NAMESPACE where you have one\n"
    )


@pytest.mark.parametrize("command", ["tree", "check"])
def test_user_with_no_rights_gets_one_clear_line(users: Users, command: str) -> None:
    result = run(command, "-n", users.namespace, kubeconfig=users.nobody)
    assert result.returncode == 4
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: forbidden: user '{users.nobody_name}' may not list"
    )


def test_viewer_check_of_the_namespace_is_partial_without_node_rights(users: Users) -> None:
    result = run("check", "-n", users.namespace, kubeconfig=users.viewer)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "none  node-ready          nothing to check" in result.stdout
    assert "ok    workload-ready      1/1 passed" in result.stdout
    assert result.stderr == (
        f'warning: user "{users.viewer_name}" may not list nodes: node rules not checked\n'
    )


def test_viewer_check_skipping_node_rules_passes(users: Users) -> None:
    result = run(
        "check", "-n", users.namespace, "--skip-rule", "node-ready", "--skip-rule",
        "node-pressure", kubeconfig=users.viewer,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
