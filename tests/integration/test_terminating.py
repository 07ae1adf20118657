"""A pod being deleted is Terminating, as kubectl says, in every view and on both wires.

A finalizer holds a deleted pod: the API server sets its deletionTimestamp and keeps it
until the finalizer is removed, as a pod whose finalizer's controller is gone stays in a
real cluster. The pod runs on a node (an unscheduled one is failed, then removed, by the
pod garbage collector) and is deleted with no grace period, so it is stuck at once and
stays so however long the test takes (kwok's own delete changes nothing then).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster

# The local backend only: kwok's kubelet never confirms the containers stopped, so the
# pod stays Running and Terminating, as on a node that is gone. A real kubelet (kind)
# stops the containers and moves the pod to a terminal phase, which kubectl then shows.
pytestmark = [pytest.mark.integration, pytest.mark.local_backend]

FINALIZER = "kube-inspect.test/hold"
NAME = "held"


def _pod(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": NAME, "namespace": namespace, "finalizers": [FINALIZER]},
        "spec": {"containers": [{"name": "app", "image": "localhost/busybox:1.35"}]},
    }


@pytest.fixture
def held_pod(cluster: TestCluster, scratch_namespace: str, tmp_path: Any) -> Iterator[str]:
    """Yield the namespace of a pod deleted but held by a finalizer; release it at the end."""
    manifest = tmp_path / "held.json"
    manifest.write_text(json.dumps(_pod(scratch_namespace)))
    cluster.kubectl("apply", "-f", str(manifest))
    try:
        pod = f"pod/{NAME}"
        cluster.kubectl("wait", pod, "-n", scratch_namespace, "--for=condition=Ready")
        cluster.kubectl(
            "delete", pod, "-n", scratch_namespace, "--wait=false", "--grace-period=0", "--force"
        )
        yield scratch_namespace
    finally:
        cluster.kubectl(
            "patch", "pod", NAME, "-n", scratch_namespace, "--type=merge",
            "-p", '{"metadata":{"finalizers":null}}',
        )  # fmt: skip


def _kubectl_status(cluster: TestCluster, namespace: str) -> str:
    """Return the STATUS column of `kubectl get pod` for the held pod."""
    line = cluster.kubectl("get", "pod", NAME, "-n", namespace, "--no-headers").split()
    return line[2]  # NAME READY STATUS RESTARTS AGE


def _inspect(cluster: TestCluster, *args: str) -> str:
    result = run(*args, kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _pods_in(doc: dict[str, Any]) -> list[dict[str, Any]]:
    cluster = doc["cluster"]
    pods: list[dict[str, Any]] = [p for n in cluster["nodes"] for p in n["pods"]]
    unscheduled: list[dict[str, Any]] = cluster["unscheduled"]
    return pods + unscheduled


@pytest.mark.parametrize("wire", ["json", "protobuf"])
def test_a_deleted_pod_held_by_a_finalizer_is_terminating_as_kubectl_says(
    cluster: TestCluster, held_pod: str, wire: str
) -> None:
    namespace = held_pod
    meta = json.loads(cluster.kubectl("get", "pod", NAME, "-n", namespace, "-o", "json"))[
        "metadata"
    ]
    assert meta.get("deletionTimestamp"), meta  # the server kept it, being deleted
    status = _kubectl_status(cluster, namespace)
    assert status == "Terminating"
    doc = json.loads(_inspect(cluster, "tree", "-n", namespace, "-o", "json", "--wire", wire))
    (pod,) = _pods_in(doc)
    assert pod["status"] == status and pod["phase"] == "Running"  # shown Running before
    assert pod["deletion"] == {
        "at": meta["deletionTimestamp"],
        "grace_period_seconds": meta.get("deletionGracePeriodSeconds"),
        "overdue": True,  # deleted with no grace period, and a finalizer holds it
    }
    tree = _inspect(cluster, "tree", "-n", namespace, "--wire", wire)
    assert f"pod/{namespace}/{NAME}" in tree and status in tree
    problems = _inspect(cluster, "tree", "-n", namespace, "--problems", "--wire", wire)
    assert f"pod/{namespace}/{NAME}" in problems


def test_every_view_shows_the_held_pod_as_terminating(cluster: TestCluster, held_pod: str) -> None:
    namespace = held_pod
    status = _kubectl_status(cluster, namespace)
    assert status == "Terminating"
    table = _inspect(cluster, "pods", "-n", namespace).splitlines()
    header, row = table[0].split(), table[1]
    assert "STATUS" in header and status in row.split()
    (listed,) = json.loads(_inspect(cluster, "pods", "-n", namespace, "-o", "json"))["pods"]
    assert listed["status"] == status and listed["deletion"]["overdue"] is True
    explained = _inspect(cluster, "explain", "pod", f"{namespace}/{NAME}")
    assert "being deleted" in explained and "grace period" in explained
    for picture in ("dot", "mermaid"):
        assert status in _inspect(cluster, "tree", "-n", namespace, "-o", picture)
    assert _kubectl_status(cluster, namespace) == status  # still, after every view
