"""Every reader of health agrees with the one table: --problems, check, the tree, the page."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from kube_inspect.check.rules import (
    CheckOptions,
    check_container_state,
    check_node_pressure,
    check_node_ready,
)
from kube_inspect.explain.tour import problems
from kube_inspect.interpret.arrange import only_problems
from kube_inspect.interpret.health import (
    CONTAINER_STATES,
    NODE_STATES,
    judge_container,
    judge_node,
    judge_pod,
    pod_problem,
)
from kube_inspect.interpret.objects import build_pod
from kube_inspect.model.cluster import Cluster
from kube_inspect.render import tree
from kube_inspect.render.cells import container_row, node_row, pod_row
from kube_inspect.render.colours import COLOURS, RESET, paint, shade
from kube_inspect.render.explained import node_notes
from kube_inspect.render.html import render_html
from tests.unit.conftest import check_input

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def raw_pod(state: dict[str, Any], ready: bool = False, phase: str = "Running") -> dict[str, Any]:
    """A pod object as the API returns it, with one container in ``state``."""
    return {
        "metadata": {"namespace": "ns", "name": "p"},
        "spec": {"nodeName": "n", "containers": [{"name": "c", "image": "busybox"}]},
        "status": {
            "phase": phase,
            "containerStatuses": [{"name": "c", "ready": ready, "restartCount": 0, "state": state}],
        },
    }


def api_state(key: str) -> dict[str, Any]:
    """The containerStatus ``state`` the API reports for a state key of the table."""
    name, _, reason = key.partition("/")
    if name == "unknown":
        return {}
    if name == "running":
        return {"running": {"startedAt": "2026-01-01T00:00:00Z"}}
    body: dict[str, Any] = {"reason": reason} if reason else {}
    if name == "terminated":
        body["exitCode"] = 0 if reason == "Completed" else 1
    return {name: body}


@pytest.mark.parametrize("key", sorted(CONTAINER_STATES))
def test_problems_and_check_agree_on_each_container_state(key: str) -> None:
    pod = raw_pod(api_state(key), ready=key == "running")
    model = build_pod(pod)
    finding = next(check_container_state(check_input((), (pod,), ()), CheckOptions(), NOW))
    problem = pod_problem(model)
    check_fails = not finding.passed
    problem_names_container = problem is not None and problem.startswith("container c:")
    assert check_fails == problem_names_container, (key, problem)
    if key != "terminated":  # the builder names a terminated state without a reason
        assert check_fails == (CONTAINER_STATES[key].verdict == "failing")


def test_problems_and_check_agree_on_the_recorded_sample(
    sample: Cluster, pods: list[dict[str, Any]]
) -> None:
    findings = check_container_state(check_input((), tuple(pods), ()), CheckOptions(), NOW)
    failing_by_check = {f.object.rsplit("/", 1)[0] for f in findings if not f.passed}
    problems = {f"container/{p.namespace}/{p.name}": pod_problem(p) for p in sample.pods}
    failing_by_problems = {
        ref for ref, why in problems.items() if why and why.startswith("container ")
    }
    assert failing_by_check == failing_by_problems
    assert failing_by_check == {
        "container/batch/crasher",
        "container/batch/hog",
        "container/shop/bad-image",
    }
    shown = {f"container/{p.namespace}/{p.name}" for p in only_problems(sample).pods}
    assert failing_by_check <= shown


@pytest.mark.parametrize("status", ["True", "False", "Unknown"])
def test_check_node_ready_fails_the_nodes_the_table_calls_failing(
    status: str, sample: Cluster
) -> None:
    node = {
        "metadata": {"name": "n"},
        "status": {"conditions": [{"type": "Ready", "status": status}]},
    }
    finding = next(check_node_ready(check_input((node,), (), ()), CheckOptions(), NOW))
    model = next(n for n in sample.nodes if n.name == "kwok-worker-1")
    judged = judge_node(replace(model, ready={"True": True, "False": False}.get(status)))
    assert finding.passed == (judged.verdict != "failing")


def test_check_node_pressure_fails_on_the_table_s_pressures() -> None:
    conditions = [{"type": "DiskPressure", "status": "True"}, {"type": "Ready", "status": "True"}]
    node = {"metadata": {"name": "n"}, "status": {"conditions": conditions}}
    finding = next(check_node_pressure(check_input((node,), (), ()), CheckOptions(), NOW))
    assert not finding.passed and finding.message == "node is under DiskPressure"


def test_paint_writes_the_codes_click_style_wrote() -> None:
    assert paint("x", "failing") == "\x1b[31mx\x1b[0m"
    assert paint("x", "warning") == "\x1b[33mx\x1b[0m"
    assert paint("x", "healthy") == "\x1b[32mx\x1b[0m"
    assert paint("", "failing") == ""


def colour_of(cell: str) -> str:
    found = re.fullmatch(r"(\x1b\[\d+m).*" + re.escape(RESET), cell)
    assert found, repr(cell)
    return found.group(1)


def test_the_tree_s_colours_follow_the_table(sample: Cluster) -> None:
    options = tree.TreeOptions(now=NOW, color=True)
    rows = iter(tree.tree_rows(sample, options))
    for node in sample.nodes:
        assert colour_of(next(rows)[1]) == COLOURS[judge_node(node).verdict]
        for pod in node.pods:
            assert colour_of(next(rows)[1]) == COLOURS[judge_pod(pod).verdict]
            for container in pod.containers:
                assert colour_of(next(rows)[1]) == COLOURS[judge_container(container).verdict]


def test_the_flat_views_colours_follow_the_table(sample: Cluster) -> None:
    for node in sample.nodes:
        status = node_row(node, NOW, wide=False, color=True)["STATUS"]
        assert colour_of(status) == COLOURS[judge_node(node).verdict]
    for pod in sample.pods:
        assert (
            colour_of(pod_row(pod, NOW, wide=False, color=True)["STATUS"])
            == (COLOURS[judge_pod(pod).verdict])
        )
        for c in pod.containers:
            state = container_row(pod, c, wide=False, color=True)["STATE"]
            assert colour_of(state) == COLOURS[judge_container(c).verdict]


def test_the_html_page_s_colours_follow_the_table(sample: Cluster) -> None:
    out = io.StringIO()
    render_html(sample, out)
    found = re.search(
        r'<script id="data" type="application/json">(.*?)</script>', out.getvalue(), re.S
    )
    assert found
    data = json.loads(found.group(1))
    for node, drawn in zip(sample.nodes, data["nodes"], strict=True):
        assert drawn["health"] == shade(judge_node(node))
        for pod, drawn_pod in zip(node.pods, drawn["pods"], strict=True):
            assert drawn_pod["health"] == shade(judge_pod(pod))
            for c, drawn_c in zip(pod.containers, drawn_pod["containers"], strict=True):
                assert drawn_c["health"] == shade(judge_container(c))
    assert [h["name"] for h in data["health"]] == ["bad", "warn", "ok", "done"]


def test_explain_lists_a_node_under_pressure_with_the_table_s_words(sample: Cluster) -> None:
    node = replace(sample.nodes[0], pressures=("DiskPressure",))
    cluster = replace(sample, nodes=(node, *sample.nodes[1:]))
    meaning = NODE_STATES["DiskPressure"].meaning
    assert f"DiskPressure: {meaning}" in node_notes(node)
    found = [what for obj, what, _ in problems(cluster) if obj == f"node/{node.name}"]
    assert found == [f"DiskPressure: {meaning}"]


@pytest.mark.parametrize("restarts", [0, 2])
@pytest.mark.parametrize("phase", ["Pending", "Running", "Succeeded", "Failed", "Unknown"])
@pytest.mark.parametrize("key", sorted(CONTAINER_STATES))
def test_problems_keeps_exactly_the_pods_judged_unhealthy(
    phase: str, key: str, restarts: int
) -> None:
    raw = raw_pod(api_state(key), ready=key == "running", phase=phase)
    raw["status"]["containerStatuses"][0]["restartCount"] = restarts
    pod = build_pod(raw)
    assert (pod_problem(pod) is not None) == (judge_pod(pod).verdict != "healthy")


def test_problems_and_the_pod_verdict_agree_on_the_sample_s_pods(sample: Cluster) -> None:
    unhealthy = {p.name for p in sample.pods if judge_pod(p).verdict != "healthy"}
    assert unhealthy == {p.name for p in sample.pods if pod_problem(p) is not None}
    assert unhealthy == {p.name for p in only_problems(sample).pods}
    assert {"crasher", "hog", "bad-image", "stuck"} <= unhealthy


def test_a_running_ready_pod_that_restarted_is_a_warning_and_a_problem() -> None:
    raw = raw_pod(api_state("running"), ready=True)
    raw["status"]["containerStatuses"][0]["restartCount"] = 3
    pod = build_pod(raw)
    judged = judge_pod(pod)
    assert (judged.key, judged.verdict) == ("Running/Restarted", "warning")
    assert pod_problem(pod) == "restarted 3 times"
    raw["status"]["containerStatuses"][0]["restartCount"] = 0
    assert judge_pod(build_pod(raw)).verdict == "healthy" and pod_problem(build_pod(raw)) is None
