"""Issue 11: `--sort restarts` takes effect in every view that draws pods, or is refused.

The sample's only restarted pod (batch/crasher) also comes first by name on its node, so
sorting by name would pass unnoticed. A second crash-looping pod is put on the same node in
a namespace that sorts last by name (zz-...): sorted by restarts it must come before every
pod that never restarted; by name it would come last.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from tests.integration.cli_runner import invoke
from tests.integration.conftest import TestCluster
from tests.integration.shown import POD_VIEWS, PodRef, from_tour

pytestmark = pytest.mark.integration

WAIT = 180.0  # for the second crash loop's first restart (kwok: 5-15 s; kind: a real one)


def restarts(pod: dict[str, Any]) -> int:
    status = pod.get("status", {})
    return sum(
        s.get("restartCount", 0)
        for s in status.get("containerStatuses", []) + status.get("initContainerStatuses", [])
    )


@dataclass(frozen=True)
class Restarts:
    """Where each pod runs and how often it restarted, as kubectl lists them at one moment."""

    node_of: dict[PodRef, str | None]
    count: dict[PodRef, int]

    def per_node(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for pod, node in self.node_of.items():
            if node:
                found[node] = found.get(node, 0) + self.count[pod]
        return found


def _pods(cluster: TestCluster) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(cluster.kubectl("get", "pods", "-A", "-o", "json"))[
        "items"
    ]
    return items


def read_restarts(cluster: TestCluster) -> Restarts:
    pods = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in _pods(cluster)}
    return Restarts(
        {r: p["spec"].get("nodeName") for r, p in pods.items()},
        {r: restarts(p) for r, p in pods.items()},
    )


@pytest.fixture(scope="module")
def restarted(cluster: TestCluster) -> Iterator[PodRef]:
    """Yield the second crash loop, last by name on its node, once it has restarted."""
    pods = _pods(cluster)
    crasher = max(pods, key=restarts)
    assert restarts(crasher) > 0, "the sample has a crash-looping pod"
    node = crasher["spec"]["nodeName"]
    namespace = f"zz-sort-{uuid.uuid4().hex[:6]}"
    manifest = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "zz-crasher",
                "namespace": namespace,
                "labels": crasher["metadata"]["labels"],  # kwok's crash-loop stage keys on them
            },
            "spec": {
                "nodeName": node,
                "tolerations": [{"operator": "Exists"}],
                "containers": [
                    {"name": c["name"], "image": c["image"], "command": c.get("command")}
                    for c in crasher["spec"]["containers"]
                ],
            },
        },
    ]
    subprocess.run(
        [cluster.kubectl_bin, "--kubeconfig", str(cluster.kubeconfig), "apply", "-f", "-"],
        input=yaml.safe_dump_all(manifest),
        text=True,
        check=True,
        capture_output=True,
    )
    try:
        deadline = time.monotonic() + WAIT
        while True:
            late = next(p for p in _pods(cluster) if p["metadata"]["namespace"] == namespace)
            if restarts(late) > 0:
                break
            assert time.monotonic() < deadline, f"zz-crasher did not restart in {WAIT:g}s"
            time.sleep(1)
        yield namespace, "zz-crasher"
    finally:
        cluster.kubectl("delete", "namespace", namespace, "--timeout=120s", timeout=150)


def assert_nodes_sorted(nodes: list[str], before: Restarts, after: Restarts) -> None:
    """Nodes: most restarts first, then by name.

    The view counted each node's restarts between kubectl's two reads: somewhere between
    the two sums. Each pair of nodes must be in an order some such counts give.
    """
    sums = before.per_node(), after.per_node()
    low = {n: min(s.get(n, 0) for s in sums) for n in nodes}
    high = {n: max(s.get(n, 0) for s in sums) for n in nodes}
    for i, first in enumerate(nodes):
        for second in nodes[i + 1 :]:
            assert (-high[first], first) < (-low[second], second), (nodes, sums)


def assert_sorted_by_restarts(
    shown: list[PodRef], nodes: list[str], late: PodRef, before: Restarts, after: Restarts
) -> None:
    """On each node: restarted pods first, then the others by namespace and name.

    Restart counts keep growing while the pods crash, so two restarted pods may swap; a pod
    that never restarted cannot move ahead of one that did. kubectl reads the counts before
    and after the view: a pod that restarted for the first time in between (a real kubelet
    restarts more than the crash loops: a control-plane component losing its lease on a
    loaded machine) may be drawn either way, and is left out of the order.
    """
    assert late in shown
    restarted = {p for p, n in before.count.items() if n > 0}
    never = {p for p in shown if after.count.get(p, before.count.get(p, 0)) == 0}
    node_of = {**after.node_of, **before.node_of}
    grouped: dict[str | None, list[PodRef]] = {}
    for pod in shown:
        if pod in restarted or pod in never:
            grouped.setdefault(node_of[pod], []).append(pod)
    for node, pods in grouped.items():
        firsts = [p in restarted for p in pods]
        assert firsts == sorted(firsts, reverse=True), (node, pods)
        rest = [p for p in pods if p not in restarted]
        assert rest == sorted(rest), (node, pods)
    assert_nodes_sorted(nodes, before, after)


# where sorting cannot apply, a usage error; where it can, the order drawn
SORT_UNDRAWN = ("check",)


@pytest.mark.parametrize("view", list(POD_VIEWS))
def test_sort_by_restarts_orders_the_pods_on_each_node_and_the_nodes(
    cluster: TestCluster, restarted: PodRef, view: str
) -> None:
    command, parse = POD_VIEWS[view]
    before = read_restarts(cluster)
    result = invoke(*command, "--sort", "restarts", kubeconfig=cluster.kubeconfig)
    after = read_restarts(cluster)
    if view in SORT_UNDRAWN and result.returncode == 2:
        assert "--sort" in result.stderr and result.stdout == ""
        return
    assert result.returncode in ((0, 1) if view == "check" else (0,)), result.stderr
    shown = parse(result.stdout)
    assert_sorted_by_restarts(list(shown.pods), list(shown.nodes), restarted, before, after)


def test_explain_tour_sorts_its_nodes_or_refuses_the_sort(
    cluster: TestCluster, restarted: PodRef
) -> None:
    before = read_restarts(cluster)
    result = invoke("explain", "--sort", "restarts", kubeconfig=cluster.kubeconfig)
    after = read_restarts(cluster)
    if result.returncode == 2:
        assert "--sort" in result.stderr and result.stdout == ""
        return
    assert result.returncode == 0, result.stderr
    drawn = [n for n in from_tour(result.stdout).per_node if n != "(on no node yet)"]
    assert_nodes_sorted(drawn, before, after)
