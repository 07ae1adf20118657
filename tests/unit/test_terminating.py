"""A pod being deleted is Terminating, as kubectl shows it, judged once (interpret/health.py).

Pods are recorded ones (tests/fixtures/recorded/pods.json) given the deletionTimestamp
and grace period the API server sets on a delete.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest

from kube_inspect.interpret.arrange import arrange
from kube_inspect.interpret.health import judge_pod, pod_problem
from kube_inspect.interpret.objects import build_cluster, build_pod
from kube_inspect.model.cluster import Cluster, Pod
from kube_inspect.read.watch import Message, apply_event, object_key
from kube_inspect.render.cells import pod_status
from kube_inspect.render.colours import pod_health
from kube_inspect.render.dot import render_dot
from kube_inspect.render.json import cluster_dict
from kube_inspect.render.tree import render_tree
from kube_inspect.render.watching import compare, render_frame, signatures
from kube_inspect.schema import load_schema
from tests.unit.conftest import RECORDED
from tests.unit.test_pod_schema import terminating

# before and after the end of the grace period terminating() sets (2026-01-01T00:00:30Z)
BEFORE, AFTER = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 5, tzinfo=UTC)


def _recorded(name: str) -> dict[str, Any]:
    pods = json.loads((RECORDED / "pods.json").read_bytes())["items"]
    pod: dict[str, Any] = next(p for p in pods if p["metadata"]["name"].startswith(name))
    return pod


def _deleted(name: str = "web-", now: datetime = BEFORE, phase: str | None = None) -> Pod:
    raw = terminating(_recorded(name))
    if phase is not None:
        raw["status"]["phase"] = phase
    return build_pod(raw, now=now)


def test_a_deleted_running_pod_is_terminating_within_its_grace_period() -> None:
    pod = _deleted(now=BEFORE)
    assert pod.phase == "Running" and pod.shown_phase == "Terminating"
    assert pod.deletion is not None and pod.deletion.grace_seconds == 30
    assert not pod.deletion.overdue
    judged = judge_pod(pod)
    assert judged.key == "Terminating" and judged.verdict == "warning"
    assert pod_problem(pod) == "Terminating"
    assert pod_status(pod) == "Terminating"


def test_a_pod_still_there_after_its_grace_period_is_stuck_and_failing() -> None:
    pod = _deleted(now=AFTER)
    assert pod.deletion is not None and pod.deletion.overdue
    judged = judge_pod(pod)
    assert judged.key == "Terminating/Stuck" and judged.verdict == "failing"
    assert judged.reason.startswith("Stuck: being deleted, and still there after its grace")
    assert pod_problem(pod) == "Terminating, past its grace period"
    assert pod_health(pod) == "bad" and pod_status(pod) == "Terminating"


@pytest.mark.parametrize("phase", ["Succeeded", "Failed"])
def test_a_finished_pod_being_deleted_shows_its_phase_as_kubectl_does(phase: str) -> None:
    pod = _deleted(now=AFTER, phase=phase)
    assert pod.shown_phase == phase and judge_pod(pod).key == phase


def test_a_deleted_pod_of_a_lost_node_is_unknown_as_kubectl_shows_it() -> None:
    raw = terminating(_recorded("web-"))
    raw["status"]["reason"] = "NodeLost"
    pod = build_pod(raw, now=BEFORE)
    assert pod.shown_phase == "Unknown" and judge_pod(pod).key == "Unknown"


def test_a_pod_not_deleted_has_no_deletion() -> None:
    pod = build_pod(_recorded("web-"), now=AFTER)
    assert pod.deletion is None and pod.shown_phase == pod.phase == "Running"


def _cluster(now: datetime) -> Cluster:
    pods = json.loads((RECORDED / "pods.json").read_bytes())["items"]
    nodes = json.loads((RECORDED / "nodes.json").read_bytes())["items"]
    held = terminating(_recorded("web-"))
    return build_cluster(
        context="c", server="s", version="v", nodes=nodes, pods=[*pods, held], now=now
    )


def test_every_view_shows_a_deleted_pod_as_terminating() -> None:
    cluster = _cluster(AFTER)
    name = terminating(_recorded("web-"))["metadata"]["name"]
    out = io.StringIO()
    render_tree(cluster, out, now=AFTER, ascii_only=True)
    (line,) = [row for row in out.getvalue().splitlines() if name in row]
    assert "Terminating" in line
    doc = cluster_dict(cluster)
    jsonschema.validate(doc, load_schema())
    (shown,) = [p for n in doc["cluster"]["nodes"] for p in n["pods"] if p["name"] == name]
    assert shown["status"] == "Terminating" and shown["phase"] == "Running"
    assert shown["deletion"] == {
        "at": "2026-01-01T00:00:30Z",
        "grace_period_seconds": 30,
        "overdue": True,
    }
    assert all(
        p["deletion"] is None for n in doc["cluster"]["nodes"] for p in n["pods"] if p is not shown
    )
    problems = arrange(cluster, True, "name")
    assert name in {p.name for n in problems.nodes for p in n.pods}
    picture = io.StringIO()
    render_dot(cluster, picture)
    assert f"{name}  Terminating" in picture.getvalue()


def test_the_watch_marks_a_pod_that_starts_terminating_and_one_that_gets_stuck() -> None:
    pods = json.loads((RECORDED / "pods.json").read_bytes())["items"]
    objects: dict[str, Any] = {object_key(p): p for p in pods}
    web = _recorded("web-")
    deleted = terminating(web)
    deleted["metadata"]["name"] = web["metadata"]["name"]  # the same pod, now deleted
    apply_event(objects, Message("pods", "MODIFIED", deleted))

    def built(now: datetime) -> Cluster:
        return build_cluster(
            context="c", server="s", version="v", nodes=[], pods=objects.values(), now=now
        )

    before = build_cluster(context="c", server="s", version="v", nodes=[], pods=pods, now=BEFORE)
    key = f"pod/{web['metadata']['namespace']}/{web['metadata']['name']}"
    assert compare(signatures(before), signatures(built(BEFORE))).changed == {key}
    assert compare(signatures(built(BEFORE)), signatures(built(AFTER))).changed == {key}
    changes = compare(signatures(before), signatures(built(BEFORE)))
    out = io.StringIO()
    render_frame(built(BEFORE), changes, out, now=BEFORE)
    (line,) = [row for row in out.getvalue().splitlines() if key in row]
    assert "Terminating" in line


def test_a_snapshot_judges_the_grace_period_at_the_time_it_was_taken(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from kube_inspect.cli import cli

    snapshot = json.loads((RECORDED.parent / "sample-snapshot.json").read_text())
    taken = datetime.fromisoformat(snapshot["taken_at"].replace("Z", "+00:00"))
    pod = next(
        p for p in snapshot["resources"]["pods"]["items"] if p["metadata"]["name"] == "multi"
    )
    # deleted 5 s before the snapshot, with 30 s of grace: still within it when taken
    deleted = taken.replace(microsecond=0).timestamp() + 25
    pod["metadata"]["deletionTimestamp"] = datetime.fromtimestamp(deleted, UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    pod["metadata"]["deletionGracePeriodSeconds"] = 30
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot))
    result = CliRunner().invoke(cli, ["pods", "-n", "shop", "-o", "json", "--from", str(path)])
    assert result.exit_code == 0, result.output
    (shown,) = [p for p in json.loads(result.stdout)["pods"] if p["name"] == "multi"]
    assert shown["status"] == "Terminating"
    assert shown["deletion"]["overdue"] is False  # judged at taken_at, not at today's clock
