"""Issue 11: every view and output honours every selection flag, as kubectl selects.

One CLI run per case, on the sample cluster; what it shows is read back by one parser per
output format (tests/integration/shown.py) and compared with what the API server selects
for the same flags, through kubectl. kubectl is asked once per selection, per module,
but for the selections a live cluster changes (--problems): around each run.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import pytest

from tests.integration.cli_runner import KUBE_INSPECT, invoke
from tests.integration.conftest import TestCluster
from tests.integration.shown import (
    FLAT_OUTPUTS,
    FLAT_PARSERS,
    PARSERS,
    POD_VIEWS,
    PodRef,
    from_tour,
)
from tests.integration.test_watch import Watching

pytestmark = pytest.mark.integration

Items = list[dict[str, Any]]


def ref(pod: dict[str, Any]) -> PodRef:
    return pod["metadata"]["namespace"], pod["metadata"]["name"]


def restarts(pod: dict[str, Any]) -> int:
    status = pod.get("status", {})
    return sum(
        s.get("restartCount", 0)
        for s in status.get("containerStatuses", []) + status.get("initContainerStatuses", [])
    )


def is_problem(pod: dict[str, Any]) -> bool:
    """Return whether kubectl's status of the pod says it needs attention.

    Not Running (and not Succeeded), or not every container ready, or restarted.
    """
    status = pod.get("status", {})
    if status.get("phase") == "Succeeded":
        return False
    ready = any(
        c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions", [])
    )
    return status.get("phase") != "Running" or not ready or restarts(pod) > 0


@dataclass(frozen=True)
class Expected:
    """A selection: the flags, and what kubectl says they select."""

    args: tuple[str, ...]
    pods: frozenset[PodRef]
    nodes: frozenset[str] | None  # set where the flags select nodes


@dataclass(frozen=True)
class Sample:
    """The sample cluster as kubectl lists it, read once for the module."""

    cluster: TestCluster
    pods: Items
    nodes: Items

    def items(self, *args: str) -> Items:
        got: Items = json.loads(self.cluster.kubectl("get", *args, "-o", "json"))["items"]
        return got

    def pod_refs(self, *args: str) -> frozenset[PodRef]:
        return frozenset(ref(p) for p in self.items("pods", *args))

    @property
    def node_of(self) -> dict[PodRef, str | None]:
        return {ref(p): p["spec"].get("nodeName") for p in self.pods}

    def busiest_nodes(self) -> list[str]:
        """Return the node names, the one running most pods first."""
        counts = Counter(p["spec"].get("nodeName") for p in self.pods)
        names = sorted(n["metadata"]["name"] for n in self.nodes)
        return sorted(names, key=lambda n: -counts[n])


def problem_refs(sample: Sample, *args: str) -> frozenset[PodRef]:
    """Return the pods kubectl's status says need attention, for ``kubectl get pods ARGS``."""
    return frozenset(ref(p) for p in sample.items("pods", *args) if is_problem(p))


# the selections whose pods a live cluster changes as it goes: a pod is a problem while it
# is unready or once it restarted, and a real kubelet restarts more than the sample's crash
# loop (a control-plane component that lost its lease on a loaded machine)
MOVING = {"problems": ("-A",), "n-problems": ("-n", "batch")}
T = TypeVar("T")


def at_a_steady_moment(
    sample: Sample, expected: Expected, selection: str, view: Callable[[], T]
) -> tuple[Expected, T]:
    """Return what kubectl selects and what ``view`` returned, read at one moment.

    A moving selection is asked of kubectl afresh before and after the view, until the two
    answers agree (or two minutes have passed: then the first, which the view may miss).
    """
    if selection not in MOVING:
        return expected, view()
    deadline = time.monotonic() + 120
    while True:
        before = problem_refs(sample, *MOVING[selection])
        shown = view()
        if problem_refs(sample, *MOVING[selection]) == before or time.monotonic() > deadline:
            return replace(expected, pods=before), shown
        time.sleep(2)


def build_selections(sample: Sample) -> dict[str, Expected]:
    """Return every selection case by id, with kubectl's answer for it."""
    busiest, *_, quietest = sample.busiest_nodes()
    zone_label = "topology.kubernetes.io/zone"
    labels = next(n for n in sample.nodes if n["metadata"]["name"] == busiest)["metadata"]
    node_selector = f"{zone_label}={labels['labels'][zone_label]}"
    selected = frozenset(n["metadata"]["name"] for n in sample.items("nodes", "-l", node_selector))
    on = sample.node_of

    def on_nodes(names: frozenset[str]) -> frozenset[PodRef]:
        return frozenset(p for p, node in on.items() if node in names)

    everything = sample.pod_refs("-A")
    field_node = ("--field-selector", f"spec.nodeName={busiest}")
    return {
        "default": Expected((), everything, None),
        "A": Expected(("-A",), everything, None),
        "n": Expected(("-n", "shop"), sample.pod_refs("-n", "shop"), None),
        "n-A": Expected(("-n", "shop", "-A"), everything, None),
        "l": Expected(("-l", "app=web"), sample.pod_refs("-A", "-l", "app=web"), None),
        "l-set": Expected(
            ("-l", "app in (web,db)"), sample.pod_refs("-A", "-l", "app in (web,db)"), None
        ),
        "n-l": Expected(
            ("-n", "shop", "-l", "app=db"), sample.pod_refs("-n", "shop", "-l", "app=db"), None
        ),
        "field-running": Expected(
            ("--field-selector", "status.phase=Running"),
            sample.pod_refs("-A", "--field-selector", "status.phase=Running"),
            None,
        ),
        "field-not-running": Expected(
            ("--field-selector", "status.phase!=Running"),
            sample.pod_refs("-A", "--field-selector", "status.phase!=Running"),
            None,
        ),
        "field-node": Expected(field_node, sample.pod_refs("-A", *field_node), None),
        "node": Expected(
            ("--node", busiest), sample.pod_refs("-A", *field_node), frozenset({busiest})
        ),
        "node-twice": Expected(
            ("--node", busiest, "--node", quietest),
            sample.pod_refs("-A", *field_node)
            | sample.pod_refs("-A", "--field-selector", f"spec.nodeName={quietest}"),
            frozenset({busiest, quietest}),
        ),
        "node-selector": Expected(("--node-selector", node_selector), on_nodes(selected), selected),
        "problems": Expected(("--problems",), problem_refs(sample, *MOVING["problems"]), None),
        "n-problems": Expected(
            ("-n", "batch", "--problems"), problem_refs(sample, *MOVING["n-problems"]), None
        ),
        "l-node": Expected(
            ("-l", "app=web", "--node", busiest),
            sample.pod_refs("-A", "-l", "app=web", *field_node),
            frozenset({busiest}),
        ),
    }


@pytest.fixture(scope="module")
def sample(cluster: TestCluster) -> Sample:
    pods: Items = json.loads(cluster.kubectl("get", "pods", "-A", "-o", "json"))["items"]
    nodes: Items = json.loads(cluster.kubectl("get", "nodes", "-o", "json"))["items"]
    return Sample(cluster, pods, nodes)


@pytest.fixture(scope="module")
def selections(sample: Sample) -> dict[str, Expected]:
    found = build_selections(sample)
    everything = found["default"].pods
    for name, expected in found.items():
        if name not in ("default", "A", "n-A"):  # each case must select a part, not all
            assert expected.pods and expected.pods < everything, (name, expected)
    assert found["node-selector"].nodes and len(found["node-selector"].nodes) < len(sample.nodes)
    return found


SELECTIONS = (
    "default", "A", "n", "n-A", "l", "l-set", "n-l", "field-running", "field-not-running",
    "field-node", "node", "node-twice", "node-selector", "problems", "n-problems", "l-node",
)  # fmt: skip
NODE_SELECTIONS = ("default", "node", "node-twice", "node-selector")

# the views that draw the nodes of the selection, beside their pods
NODE_DRAWING = {"tree-tree", "tree-wide", "tree-json", "tree-yaml", "tree-html", "tree-dot",
                "tree-mermaid", "tree-explain", "check"}  # fmt: skip


# (view, selection) where the flag cannot apply: a usage error that names it is the answer
# (check judges every object of the selection; --problems would only hide what it judges)
MAY_REFUSE = {("check", "problems"): "--problems", ("check", "n-problems"): "--problems"}


@pytest.mark.parametrize("selection", SELECTIONS)
@pytest.mark.parametrize("view", list(POD_VIEWS))
def test_view_shows_exactly_the_pods_kubectl_selects(
    cluster: TestCluster,
    sample: Sample,
    selections: dict[str, Expected],
    view: str,
    selection: str,
) -> None:
    command, parse = POD_VIEWS[view]
    expected, result = at_a_steady_moment(
        sample,
        selections[selection],
        selection,
        lambda: invoke(*command, *selections[selection].args, kubeconfig=cluster.kubeconfig),
    )
    if (flag := MAY_REFUSE.get((view, selection))) and result.returncode == 2:
        assert flag in result.stderr and result.stdout == ""
        return
    allowed = (0, 1) if view == "check" else (0,)
    assert result.returncode in allowed, f"exit {result.returncode}: {result.stderr}"
    shown = parse(result.stdout)
    assert shown.pod_set == expected.pods
    if expected.nodes is not None and view in NODE_DRAWING:
        assert set(shown.nodes) == expected.nodes


@pytest.mark.parametrize("selection", NODE_SELECTIONS)
@pytest.mark.parametrize("output", FLAT_OUTPUTS)
def test_nodes_view_shows_exactly_the_nodes_kubectl_selects(
    cluster: TestCluster,
    sample: Sample,
    selections: dict[str, Expected],
    output: str,
    selection: str,
) -> None:
    expected = selections[selection]
    result = invoke("nodes", "-o", output, *expected.args, kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    everything = {n["metadata"]["name"] for n in sample.nodes}
    assert set(FLAT_PARSERS[output](result.stdout).nodes) == (expected.nodes or everything)


@pytest.mark.parametrize("selection", SELECTIONS)
def test_explain_tour_covers_exactly_the_selection(
    cluster: TestCluster, sample: Sample, selections: dict[str, Expected], selection: str
) -> None:
    expected, result = at_a_steady_moment(
        sample,
        selections[selection],
        selection,
        lambda: invoke("explain", *selections[selection].args, kubeconfig=cluster.kubeconfig),
    )
    assert result.returncode == 0, result.stderr
    tour = from_tour(result.stdout)
    assert tour.total == len(expected.pods)
    assert tour.named <= expected.pods
    per_node = Counter(sample.node_of[p] or "(on no node yet)" for p in expected.pods)
    assert {node: n for node, n in tour.per_node.items() if n} == dict(per_node)
    if expected.nodes is not None:
        assert set(tour.per_node) - {"(on no node yet)"} == expected.nodes


# a document or a verdict holds every level whatever --depth: a usage error, or honoured
# json/yaml hold every level; the html page folds levels itself (click to open)
DEPTH_MAY_REFUSE = {"tree-json", "tree-yaml", "tree-html", "check"}


@pytest.mark.parametrize("view", list(POD_VIEWS))
def test_depth_node_draws_no_pod_or_is_a_usage_error(
    cluster: TestCluster, sample: Sample, view: str
) -> None:
    command, parse = POD_VIEWS[view]
    result = invoke(*command, "--depth", "node", kubeconfig=cluster.kubeconfig)
    drawn_by_tree = view.startswith("tree-") and view not in DEPTH_MAY_REFUSE
    if not drawn_by_tree and result.returncode == 2:
        assert "--depth" in result.stderr and result.stdout == ""
        return
    assert result.returncode in ((0, 1) if view == "check" else (0,)), result.stderr
    shown = parse(result.stdout)
    assert shown.pods == ()
    assert set(shown.nodes) == {n["metadata"]["name"] for n in sample.nodes}


def test_explain_tour_refuses_depth(cluster: TestCluster) -> None:
    result = invoke("explain", "--depth", "node", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 2
    assert "--depth" in result.stderr and result.stdout == ""


@pytest.fixture
def watching_selection(cluster: TestCluster) -> Iterator[Watching]:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["KUBECONFIG"] = str(cluster.kubeconfig)
    process = subprocess.Popen(
        [str(KUBE_INSPECT), "tree", "--watch", "-n", "shop", "-l", "app in (web,db)"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    found = Watching(process, name="the watch")
    found.follow()
    try:
        yield found
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def frame_lines(watching: Watching, quiet: float = 3.0) -> list[str]:
    """Return the lines of the frame whose status line was just read.

    A frame is written at once: it ends at the next status line, or when no line has come
    for ``quiet`` seconds.
    """
    lines: list[str] = []
    while True:
        try:
            line = watching.lines.get(timeout=quiet)
        except queue.Empty:
            return lines
        if line is None or line.startswith("watching"):
            return lines
        lines.append(line)


def test_watch_first_frame_shows_exactly_the_selection(
    sample: Sample, watching_selection: Watching
) -> None:
    expected = sample.pod_refs("-n", "shop", "-l", "app in (web,db)")
    assert expected and expected < sample.pod_refs("-n", "shop")
    watching_selection.wait_for(lambda line: line.startswith("watching"), "first frame")
    first_frame = "\n".join(frame_lines(watching_selection))
    assert PARSERS["tree"](first_frame).pod_set == expected, first_frame
