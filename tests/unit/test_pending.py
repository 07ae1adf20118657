"""Why a pod is pending, and Warning events: the parser, the builder, the read path, the views.

Scheduler messages are the real kube-scheduler's (v1.36, recorded from the local test
cluster); the CLI tests run on the recorded sample, whose shop/stuck pod is unschedulable
and whose Warning events (tests/fixtures/warning-events.yaml) were created on it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Collection
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from kube_inspect.cli import cli
from kube_inspect.cli.options import ClusterFlags
from kube_inspect.interpret.events import EVENTS_KEPT, build_event, events_by_object
from kube_inspect.interpret.objects import build_pod
from kube_inspect.interpret.scheduling import (
    cause_phrase,
    parse_scheduler_message,
    pending_from_events,
    pending_summary,
)
from kube_inspect.kube.client import KubeClient
from kube_inspect.model.cluster import Event, Pending, PendingCause
from kube_inspect.schema import load_schema
from tests.unit.recorded import RecordedClient, invoke

CPU = (
    "0/5 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu, 2 node(s) had "
    "untolerated taint(s). no new claims to deallocate, preemption: 0/5 nodes are available: "
    "5 Preemption is not helpful for scheduling."
)
CLAIM = "0/5 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found"
OLDER = (
    "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had "
    "untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory."
)


def test_scheduler_message_gives_node_count_and_each_cause_with_its_nodes() -> None:
    nodes, causes = parse_scheduler_message(CPU)
    assert nodes == 5
    assert causes == (
        PendingCause("cordoned", 1, "cordoned"),
        PendingCause("insufficient cpu", 2, "resource"),
        PendingCause("untolerated taint", 2, "taint"),
    )
    assert Pending(causes, nodes).describe() == (
        "5 nodes: 1 cordoned, 2 insufficient cpu, 2 untolerated taint"
    )


def test_a_named_taint_is_kept_as_key_equals_value() -> None:
    nodes, causes = parse_scheduler_message(OLDER)
    assert Pending(causes, nodes).describe() == (
        "4 nodes: 1 untolerated taint dedicated=gpu, "
        "1 untolerated taint node-role.kubernetes.io/control-plane, 2 insufficient memory"
    )
    assert (
        cause_phrase(causes[0])
        == "1 node carries a taint the pod does not tolerate (dedicated=gpu)"
    )


def test_an_unbound_claim_is_a_cause_without_nodes() -> None:
    nodes, causes = parse_scheduler_message(CLAIM)
    assert (nodes, causes) == (5, (PendingCause("unbound PersistentVolumeClaim", None, "claim"),))
    assert Pending(causes, nodes).describe() == "unbound PersistentVolumeClaim"
    assert cause_phrase(causes[0]).startswith("it waits for its PersistentVolumeClaims")


def test_a_message_of_another_shape_has_no_causes() -> None:
    assert parse_scheduler_message("something else entirely") == (None, ())


def _pending_pod(status: dict[str, Any], spec: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "metadata": {"namespace": "ns", "name": "p"},
        "spec": {"containers": [{"name": "app", "image": "x"}], **(spec or {})},
        "status": {"phase": "Pending", **status},
    }


def test_a_gated_pod_names_its_gates() -> None:
    pod = build_pod(
        _pending_pod(
            {
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "SchedulingGated",
                        "message": "Scheduling is blocked due to non-empty scheduling gates",
                    }
                ]
            },
            {"schedulingGates": [{"name": "example.com/quota"}, {"name": "b"}]},
        )
    )
    assert pod.pending is not None
    assert pod.pending.describe() == "scheduling gate example.com/quota,b"


def test_a_container_waiting_on_a_missing_configmap_names_it() -> None:
    waiting = {
        "reason": "CreateContainerConfigError",
        "message": 'configmap "app-config" not found',
    }
    pod = build_pod(
        _pending_pod({"containerStatuses": [{"name": "app", "state": {"waiting": waiting}}]})
    )
    assert pod.pending == Pending(
        (PendingCause("missing ConfigMap app-config", None, "config"),),
        None,
        "container",
        'configmap "app-config" not found',
    )


def test_a_running_pod_is_not_pending() -> None:
    assert build_pod({"metadata": {"name": "p"}, "status": {"phase": "Running"}}).pending is None


def test_events_complete_what_the_pod_status_does_not_say() -> None:
    scheduling = Event("FailedScheduling", CPU, 1, "2026-01-01T10:00:00Z")
    mount = Event(
        "FailedMount",
        'MountVolume.SetUp failed for volume "cfg" : secret "tls-cert" not found',
        4,
        "2026-01-01T10:01:00Z",
    )
    pending = pending_from_events(None, [scheduling])
    assert pending is not None and pending.source == "event"
    assert pending.describe() == "5 nodes: 1 cordoned, 2 insufficient cpu, 2 untolerated taint"
    pending = pending_from_events(None, [mount, scheduling])
    assert pending is not None and pending.describe() == "missing Secret tls-cert"
    known = Pending((PendingCause("cordoned", 1),), 1)
    assert pending_from_events(known, [mount]) is known  # the pod's own status comes first


def _event(name: str, reason: str, last: str, **more: Any) -> dict[str, Any]:
    return {
        "metadata": {"namespace": "ns", "name": f"{name}.{reason}.{last}"},
        "involvedObject": {"kind": "Pod", "namespace": "ns", "name": name},
        "reason": reason,
        "message": f"{reason} at {last}",
        "type": "Warning",
        "lastTimestamp": last,
        **more,
    }


def test_events_are_kept_latest_first_a_few_per_object() -> None:
    stamps = [f"2026-01-01T10:0{i}:00Z" for i in range(EVENTS_KEPT + 2)]
    found = events_by_object([_event("p", "BackOff", s, count=2) for s in stamps])
    kept = found[("Pod", "ns", "p")]
    assert [e.last_seen for e in kept] == sorted(stamps, reverse=True)[:EVENTS_KEPT]
    assert kept[0].count == 2


def test_an_event_series_gives_its_count_and_last_time() -> None:
    event = {
        **_event("p", "FailedScheduling", "x"),
        "lastTimestamp": None,
        "eventTime": "2026-01-01T09:00:00.000000Z",
        "series": {"count": 7, "lastObservedTime": "2026-01-01T11:00:00.000000Z"},
    }
    _key, built = build_event(event)
    assert (built.count, built.last_seen) == (7, "2026-01-01T11:00:00.000000Z")
    node_event = {**event, "involvedObject": {"kind": "Node", "name": "n1", "namespace": "x"}}
    assert build_event(node_event)[0] == ("Node", "", "n1")  # wherever the kubelet wrote it


# --- through the CLI, on the recorded cluster ------------------------------------------


def _run(*args: str, forbidden: Collection[str] = ()) -> tuple[Result, list[str]]:
    """Return the result of the CLI with ``args`` and the paths its client asked for."""
    paths: list[str] = []

    def make(flags: ClusterFlags) -> KubeClient:
        client = RecordedClient(forbidden)
        client.paths = paths
        return client

    factory: Callable[[ClusterFlags], KubeClient] = make
    result = CliRunner().invoke(cli, list(args), obj={"client_factory": factory})
    return result, paths


def _pods(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    cluster = doc["cluster"]
    pods = [p for n in cluster["nodes"] for p in n["pods"]] + cluster["unscheduled"]
    return {f"{p['namespace']}/{p['name']}": p for p in pods}


def test_events_flag_shows_pod_and_node_events_read_with_one_list() -> None:
    result, paths = _run("tree", "-o", "json", "--events")
    assert result.exit_code == 0, result.output
    assert paths.count("/api/v1/events") == 1
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, load_schema())
    pods = _pods(doc)
    assert [e["reason"] for e in pods["batch/crasher"]["events"]] == ["BackOff"]
    assert pods["batch/crasher"]["events"][0]["count"] == 12
    assert pods["shop/multi"]["events"] == []
    nodes = {n["name"]: n for n in doc["cluster"]["nodes"]}
    assert [e["reason"] for e in nodes["kwok-worker-2"]["events"]] == ["FreeDiskSpaceFailed"]
    stuck = pods["shop/stuck"]["pending"]
    assert stuck["summary"].startswith("5 nodes: 1 cordoned, ")
    assert stuck["source"] == "condition"


def test_without_events_a_pending_pod_still_reads_them_once_but_shows_none() -> None:
    result, paths = _run("tree", "-o", "json")
    assert result.exit_code == 0, result.output
    assert paths.count("/api/v1/events") == 1  # shop/stuck is pending
    pods = _pods(json.loads(result.stdout))
    assert all(p["events"] is None for p in pods.values())
    assert pods["shop/stuck"]["pending"]["nodes"] == 5


def test_no_pending_pod_and_no_events_flag_sends_no_events_request() -> None:
    result, paths = _run("tree", "-n", "batch")
    assert result.exit_code == 0, result.output
    assert not [p for p in paths if p.endswith("/events")]


def test_events_are_listed_in_the_namespace_like_the_pods() -> None:
    result, paths = _run("pods", "-n", "batch", "-o", "json", "--events")
    assert result.exit_code == 0, result.output
    assert [p for p in paths if p.endswith("/events")] == ["/api/v1/namespaces/batch/events"]
    assert json.loads(result.stdout)["pods"][0]["events"] is not None


def test_a_forbidden_events_read_asked_for_is_a_partial_result() -> None:
    result, _paths = _run("tree", "--events", forbidden={"events"})
    assert result.exit_code == 4
    assert result.stderr == (
        'warning: user "viewer" may not list events: Warning events not shown\n'
    )
    assert "pod/shop/stuck" in result.stdout and "pending: 5 nodes" in result.stdout


def test_a_forbidden_events_read_for_pending_pods_only_is_a_notice() -> None:
    result, _paths = _run("tree", forbidden={"events"})
    assert result.exit_code == 0
    assert result.stderr == (
        "notice: reading events is forbidden for this user: pending pods are explained "
        "from their own status only\n"
    )


def test_wide_and_csv_show_why_pending_and_the_latest_event() -> None:
    result, _paths = _run("pods", "-o", "csv", "--events")
    assert result.exit_code == 0, result.output
    rows = {r["NAME"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["stuck"]["WHY-PENDING"].startswith("5 nodes: 1 cordoned, ")
    assert rows["crasher"]["WHY-PENDING"] == ""
    assert rows["crasher"]["EVENTS"].startswith("BackOff x12, ")
    assert rows["multi"]["EVENTS"] == "<none>"


def test_events_flag_where_it_cannot_show_is_a_usage_error() -> None:
    result, paths = _run("pods", "--events")
    assert result.exit_code == 2
    assert (
        result.stderr == "error: --events does not apply to -o table: use -o wide/json/yaml/csv\n"
    )
    assert paths == []


def test_tree_problems_ends_with_a_line_per_cause() -> None:
    result, _paths = _run("tree", "--problems")
    assert result.exit_code == 0, result.output
    tail = result.stdout.split("\npending pods by cause:\n")[1].splitlines()
    assert [line.split()[-2:] for line in tail] == [["1", "pod"]] * 4
    assert [line.strip().rsplit("  ", 1)[0].strip() for line in tail] == [
        "cordoned",
        "node selector/affinity mismatch",
        "untolerated taint dedicated=gpu:NoSchedule",
        "untolerated taint node-role.kubernetes.io/control-plane:NoSchedule",
    ]


def test_summary_counts_pods_per_cause() -> None:
    class P:
        def __init__(self, *causes: str) -> None:
            self.pending = Pending(tuple(PendingCause(c, 1) for c in causes), 2)

    pods: Any = [P("a", "b"), P("b"), P()]
    assert pending_summary(pods) == [("b", 2), ("a", 1)]


def test_explain_pod_says_why_pending_and_ends_with_events() -> None:
    result, _paths = _run("explain", "pod", "shop/stuck")
    assert result.exit_code == 0, result.output
    assert "- Why it is pending: 5 nodes: 1 cordoned, 2 node selector/affinity mismatch" in (
        result.stdout.replace("\n   ", "")
    )
    assert "1 node is cordoned (SchedulingDisabled)" in result.stdout
    assert "Latest Warning events (1), latest first:" in result.stdout
    assert "FailedScheduling (last seen 2026-" in result.stdout


def test_explain_node_shows_its_events() -> None:
    result, _paths = _run("explain", "node", "kwok-worker-2")
    assert result.exit_code == 0, result.output
    assert "FreeDiskSpaceFailed (x2, last seen 2026-01-01T09:30:00Z)" in result.stdout


def test_check_pending_failure_says_why() -> None:
    result, _paths = _run("check", "--max-pending", "1s", "-o", "json")
    doc = json.loads(result.stdout)
    stuck = next(f for f in doc["findings"] if f["object"] == "pod/shop/stuck")
    assert stuck["rule"] == "pod-pending" and stuck["passed"] is False
    assert (
        ": 5 nodes: 1 cordoned, 2 node selector/affinity mismatch, 1 untolerated taint "
        "dedicated=gpu:NoSchedule, 1 untolerated taint node-role.kubernetes.io/control-plane:"
        "NoSchedule" in (stuck["message"])
    )


def test_html_page_shows_why_pending_and_the_events() -> None:
    result, _paths = _run("tree", "-o", "html", "--events")
    assert result.exit_code == 0, result.output
    found = re.search(r'<script id="data" type="application/json">(.*?)</script>', result.stdout)
    assert found is not None
    data = json.loads(found.group(1))
    stuck = data["unscheduled"][0]
    assert stuck["pending"].startswith("5 nodes: 1 cordoned, ")
    assert "1 node is cordoned (SchedulingDisabled)" in stuck["reasons"]
    assert stuck["events"][0].startswith("FailedScheduling (last seen ")
    worker = next(n for n in data["nodes"] if n["name"] == "kwok-worker-2")
    assert worker["events"] == [
        "FreeDiskSpaceFailed (x2, last seen 2026-01-01T09:30:00Z): Failed to garbage collect "
        "required amount of images. Attempted to free 1073741824 bytes, but only found 0 bytes "
        "eligible to free."
    ]


@pytest.mark.parametrize("shape", [[], ["-o", "wide"], ["--depth", "pod"]])
def test_each_note_sits_under_the_row_it_is_about(shape: list[str]) -> None:
    # wide adds volume rows under the pods: the notes must follow their own pod or node
    result = invoke("tree", "--events", *shape)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    about = {
        "pending: 5 nodes": "pod/shop/stuck",
        "warning BackOff": "pod/batch/crasher",
        "warning Failed x3": "pod/shop/bad-image",
        "warning FreeDiskSpaceFailed": "node/kwok-worker-2",
    }
    for note, owner in about.items():
        at = next(i for i, line in enumerate(lines) if f"↳ {note}" in line)
        above = next(line for line in reversed(lines[:at]) if "↳" not in line)
        assert owner in above, (note, above)
