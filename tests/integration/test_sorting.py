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
class Restarted:
    """The cluster once a second pod restarted: where each pod runs, and which restarted."""

    node_of: dict[PodRef, str | None]
    restarted: frozenset[PodRef]
    late: PodRef  # the second crash loop, last by name on its node
    node_restarts: dict[str, int]


def _pods(cluster: TestCluster) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(cluster.kubectl("get", "pods", "-A", "-o", "json"))[
        "items"
    ]
    return items


@pytest.fixture(scope="module")
def restarted(cluster: TestCluster) -> Iterator[Restarted]:
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
            pods = _pods(cluster)
            late = next(p for p in pods if p["metadata"]["namespace"] == namespace)
            if restarts(late) > 0:
                break
            assert time.monotonic() < deadline, f"zz-crasher did not restart in {WAIT:g}s"
            time.sleep(1)
        refs = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in pods}
        per_node: dict[str, int] = {}
        for pod in pods:
            if name := pod["spec"].get("nodeName"):
                per_node[name] = per_node.get(name, 0) + restarts(pod)
        yield Restarted(
            {r: p["spec"].get("nodeName") for r, p in refs.items()},
            frozenset(r for r, p in refs.items() if restarts(p) > 0),
            (namespace, "zz-crasher"),
            per_node,
        )
    finally:
        cluster.kubectl("delete", "namespace", namespace, "--timeout=120s", timeout=150)


def assert_sorted_by_restarts(shown: list[PodRef], nodes: list[str], cluster: Restarted) -> None:
    """On each node: restarted pods first, then the others by namespace and name.

    Restart counts keep growing while the pods crash, so two restarted pods may swap; a pod
    that never restarted cannot move ahead of one that did. Nodes: most restarts first.
    """
    assert cluster.late in shown
    grouped: dict[str | None, list[PodRef]] = {}
    for pod in shown:
        grouped.setdefault(cluster.node_of[pod], []).append(pod)
    for node, pods in grouped.items():
        firsts = [p in cluster.restarted for p in pods]
        assert firsts == sorted(firsts, reverse=True), (node, pods)
        rest = [p for p in pods if p not in cluster.restarted]
        assert rest == sorted(rest), (node, pods)
    assert nodes == sorted(nodes, key=lambda n: (-cluster.node_restarts.get(n, 0), n))


# where sorting cannot apply, a usage error; where it can, the order drawn
SORT_UNDRAWN = ("check",)


@pytest.mark.parametrize("view", list(POD_VIEWS))
def test_sort_by_restarts_orders_the_pods_on_each_node_and_the_nodes(
    cluster: TestCluster, restarted: Restarted, view: str
) -> None:
    command, parse = POD_VIEWS[view]
    result = invoke(*command, "--sort", "restarts", kubeconfig=cluster.kubeconfig)
    if view in SORT_UNDRAWN and result.returncode == 2:
        assert "--sort" in result.stderr and result.stdout == ""
        return
    assert result.returncode in ((0, 1) if view == "check" else (0,)), result.stderr
    shown = parse(result.stdout)
    assert_sorted_by_restarts(list(shown.pods), list(shown.nodes), restarted)


def test_explain_tour_sorts_its_nodes_or_refuses_the_sort(
    cluster: TestCluster, restarted: Restarted
) -> None:
    result = invoke("explain", "--sort", "restarts", kubeconfig=cluster.kubeconfig)
    if result.returncode == 2:
        assert "--sort" in result.stderr and result.stdout == ""
        return
    assert result.returncode == 0, result.stderr
    drawn = [n for n in from_tour(result.stdout).per_node if n != "(on no node yet)"]
    assert drawn == sorted(drawn, key=lambda n: (-restarted.node_restarts.get(n, 0), n))
