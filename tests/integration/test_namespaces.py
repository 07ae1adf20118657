"""-n a,b: a user with rights in two namespaces sees both, read side by side."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster
from tests.integration.restricted_users import issue_user
from tests.integration.test_rbac import wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]


@dataclass(frozen=True)
class TwoNamespaces:
    allowed: tuple[str, str]  # the user may view both
    other: str  # the user may view nothing here
    kubeconfig: Path
    user: str


@pytest.fixture(scope="module")
def two(cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoNamespaces]:
    suffix = uuid.uuid4().hex[:6]
    names = (f"two-a-{suffix}", f"two-b-{suffix}", f"two-c-{suffix}")
    user = f"two-viewer-{suffix}"
    for namespace in names:
        cluster.kubectl("create", "namespace", namespace)
        cluster.kubectl(
            "create", "deployment", "app", "--image=localhost/busybox:1.35", "--replicas=1",
            "-n", namespace, "--", "sleep", "3600",
        )  # fmt: skip
    for namespace in names[:2]:
        cluster.kubectl(
            "create", "rolebinding", "viewer-view", "--clusterrole=view", f"--user={user}",
            "-n", namespace,
        )  # fmt: skip
    for namespace in names:
        wait_ready(cluster, namespace, "app")
    kubeconfig = issue_user(cluster, user, tmp_path_factory.mktemp("two") / "viewer.yaml")
    yield TwoNamespaces((names[0], names[1]), names[2], kubeconfig, user)
    for namespace in names:
        cluster.kubectl("delete", "namespace", namespace, "--timeout=120s", timeout=150)


def pods_of(cluster: TestCluster, *namespaces: str) -> set[tuple[str, str]]:
    found = set()
    for namespace in namespaces:
        doc = json.loads(cluster.kubectl("get", "pods", "-n", namespace, "-o", "json"))
        found |= {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in doc["items"]}
    return found


def shown_pods(stdout: str) -> set[tuple[str, str]]:
    doc = json.loads(stdout)["cluster"]
    pods = [p for n in doc["nodes"] for p in n["pods"]] + doc.get("unscheduled", [])
    return {(p["namespace"], p["name"]) for p in pods}


def test_a_viewer_of_two_namespaces_sees_the_pods_of_both(
    cluster: TestCluster, two: TwoNamespaces
) -> None:
    result = run("tree", "-n", ",".join(two.allowed), "-o", "json", kubeconfig=two.kubeconfig)
    assert result.returncode == 4, result.stderr  # nodes may not be listed: partial
    assert shown_pods(result.stdout) == pods_of(cluster, *two.allowed)
    assert len(shown_pods(result.stdout)) == 2
    assert result.stderr == (
        f'warning: user "{two.user}" may not list nodes: nodes are shown by name '
        "only, without status\n"
        # the DRA pools are cluster-wide too (issue 24)
        f'warning: user "{two.user}" may not list resourceslices: devices not shown\n'
    )


def test_a_namespace_the_user_may_not_read_is_a_warning_the_other_is_shown(
    cluster: TestCluster, two: TwoNamespaces
) -> None:
    asked = f"{two.allowed[0]},{two.other}"
    result = run("pods", "-n", asked, "-o", "json", kubeconfig=two.kubeconfig)
    assert result.returncode == 4, result.stderr
    names = {(p["namespace"], p["name"]) for p in json.loads(result.stdout)["pods"]}
    assert names == pods_of(cluster, two.allowed[0])
    assert f'warning: user "{two.user}" may not list pods' in result.stderr
    assert "Traceback" not in result.stderr


def test_several_namespaces_read_as_admin_match_kubectl(
    cluster: TestCluster, two: TwoNamespaces
) -> None:
    everything = (*two.allowed, two.other)
    result = run("tree", "-n", ",".join(everything), "-o", "json", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    assert shown_pods(result.stdout) == pods_of(cluster, *everything)
