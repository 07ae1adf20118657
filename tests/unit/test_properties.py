"""Property-based tests: objects with missing and malformed fields never crash the pure code."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kube_inspect.check.expectations import check_expectations, parse_expectations
from kube_inspect.check.rules import RULES, CheckOptions, run_checks
from kube_inspect.errors import ExpectationError, UsageError
from kube_inspect.interpret.label_selector import parse_selector
from kube_inspect.interpret.objects import build_cluster
from kube_inspect.kube.retry import parse_retry_after
from kube_inspect.render.checks_json import render_check_json
from kube_inspect.render.checks_text import render_check_text
from kube_inspect.render.json import render_json, write_json
from kube_inspect.render.junit import render_junit
from kube_inspect.render.tree import render_tree
from tests.unit.conftest import check_input

# The field names the code looks up, so that generated objects hit its paths, with values
# of every JSON type: right, wrong, missing.
KEYS = st.sampled_from(
    [
        "metadata", "spec", "status", "name", "namespace", "labels", "creationTimestamp",
        "nodeName", "phase", "containers", "initContainers", "ephemeralContainers",
        "containerStatuses", "initContainerStatuses", "state", "waiting", "terminated",
        "running", "reason", "exitCode", "restartCount", "ready", "image", "restartPolicy",
        "conditions", "type", "unschedulable", "nodeInfo", "kubeletVersion", "replicas",
        "readyReplicas", "desiredNumberScheduled", "numberReady", "kind",
    ]
)  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
JSON = st.recursive(
    SCALARS | KEYS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=12,
)
OBJECTS = st.lists(st.dictionaries(KEYS, JSON, max_size=5), max_size=3)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def cluster_of(nodes: list[dict[str, Any]], pods: list[dict[str, Any]]) -> Any:
    return build_cluster(context="c", server="s", version="v", nodes=nodes, pods=pods)


@settings(max_examples=60, deadline=None)
@given(nodes=OBJECTS, pods=OBJECTS)
def test_aggregator_and_renderers_survive_malformed_objects(
    nodes: list[dict[str, Any]], pods: list[dict[str, Any]]
) -> None:
    cluster = cluster_of(nodes, pods)
    assert len(cluster.pods) == len(pods)  # no pod lost, none invented
    render_tree(cluster, io.StringIO(), now=NOW)
    render_json(cluster, io.StringIO())


@settings(max_examples=60, deadline=None)
@given(nodes=OBJECTS, pods=OBJECTS, workloads=OBJECTS)
def test_checks_and_their_reports_survive_malformed_objects(
    nodes: list[dict[str, Any]], pods: list[dict[str, Any]], workloads: list[dict[str, Any]]
) -> None:
    data = check_input(tuple(nodes), tuple(pods), tuple(workloads))
    report = run_checks(data, tuple(RULES), CheckOptions(), NOW)
    counts = {rule: sum(1 for f in report.findings if f.rule == rule) for rule in RULES}
    # one finding per object of the model (nodes of the same name are one node)
    assert counts["node-ready"] == len(data.nodes) and counts["pod-pending"] == len(pods)
    assert counts["workload-ready"] == len(workloads)
    for render in (render_check_text, render_check_json, render_junit):
        render(report, io.StringIO())


@settings(max_examples=60, deadline=None)
@example(text="- kind: Pod\n  maxRestarts: ²\n")
@given(text=st.text(max_size=200) | st.builds(lambda v: f"- {v}", st.text(max_size=80)))
def test_expectation_files_fail_only_with_a_clear_error(text: str) -> None:
    try:
        expectations = parse_expectations(text, "e.yaml")
    except ExpectationError as e:
        assert str(e).startswith("e.yaml:")
        return
    check_expectations(expectations, check_input((), (), ()))


@given(text=st.text(max_size=40))
def test_label_selectors_fail_only_with_a_usage_error(text: str) -> None:
    try:
        matches = parse_selector(text)
    except UsageError:
        return
    assert matches({"app": "web"}) in (True, False)


@example(value="²")  # a digit to str.isdigit, not to float()
@given(
    value=st.text(max_size=40)
    | st.datetimes().map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT"))
)
def test_any_retry_after_header_is_a_delay_or_ignored(value: str) -> None:
    seconds = parse_retry_after(value, NOW)
    assert seconds is None or seconds >= 0


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), _JSON_VALUES, max_size=5))
@example({"message": 'caf\u00e9 \u2603 \U0001f600 \x01 "q" \\ \t', "empty": [], "none": {}})
def test_json_output_is_exactly_what_json_dump_writes(document: dict[str, Any]) -> None:
    out = io.StringIO()
    write_json(document, out)
    assert out.getvalue() == json.dumps(document, indent=2) + "\n"
