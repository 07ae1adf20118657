"""A relist writes only what differs from what the recorder saw: never an invented change."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from kube_inspect.journal.differences import (
    Seen,
    digest,
    key_of,
    recorded_reads,
    relisted_changes,
    watched_change,
)
from kube_inspect.model.journal import ChangeType, ObjectKey
from kube_inspect.offline.document import load_source
from kube_inspect.offline.kept import kept
from kube_inspect.read.selection import Selection
from tests.unit.test_journal_store import SAMPLE

AT = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def pods() -> list[dict[str, Any]]:
    """Return the sample's pods, each with a uid (the snapshot's lean pods keep none)."""
    found = copy.deepcopy(load_source(str(SAMPLE)).items["pods"])
    for pod in found:
        pod["metadata"]["uid"] = f"uid-{pod['metadata']['name']}"
    return found


def seen_of(objects: list[dict[str, Any]]) -> dict[ObjectKey, Seen]:
    return {key_of("pods", o): Seen(o["metadata"]["uid"], digest(kept("pods", o))) for o in objects}


def test_a_relist_of_the_same_objects_writes_nothing() -> None:
    listed = pods()
    for pod in listed:  # a new resourceVersion alone is no change a view could show
        pod["metadata"]["resourceVersion"] = "999999"
    last = {key_of("pods", o): o for o in pods()}
    assert relisted_changes("c", "pods", listed, seen_of(pods()), last, AT) == []


def test_a_relist_writes_each_difference_once() -> None:
    before, listed = pods(), pods()
    gone = listed.pop(0)
    listed[0]["status"]["phase"] = "Unknown"
    recreated = listed[1]
    recreated["metadata"]["uid"] = "another-uid"
    seen = seen_of(before)
    last = {key_of("pods", o): o for o in before}
    changes = relisted_changes("c", "pods", listed, seen, last, AT)
    found = [(c.change, c.key.name) for c in changes]
    assert found[0] == (ChangeType.DELETED, gone["metadata"]["name"])
    assert set(found[1:]) == {
        (ChangeType.MODIFIED, listed[0]["metadata"]["name"]),
        (ChangeType.DELETED, recreated["metadata"]["name"]),
        (ChangeType.ADDED, recreated["metadata"]["name"]),
    }
    assert len(found) == 4
    assert found.index((ChangeType.DELETED, recreated["metadata"]["name"])) < found.index(
        (ChangeType.ADDED, recreated["metadata"]["name"])
    )
    assert relisted_changes("c", "pods", listed, seen, last, AT) == []  # seen is up to date


def test_a_watch_event_that_changes_nothing_kept_is_not_written() -> None:
    pod = pods()[0]
    seen = seen_of([pod])
    same = copy.deepcopy(pod)
    same["metadata"]["resourceVersion"] = "1"
    same["metadata"]["managedFields"] = [{"manager": "kubelet"}]  # not kept
    assert watched_change("c", "pods", "MODIFIED", same, seen, AT) is None
    same["status"]["phase"] = "Succeeded"
    change = watched_change("c", "pods", "MODIFIED", same, seen, AT)
    assert change is not None and change.change is ChangeType.MODIFIED
    assert "managedFields" not in change.object["metadata"]
    assert watched_change("c", "pods", "DELETED", same, seen, AT) is not None
    assert watched_change("c", "pods", "DELETED", same, seen, AT) is None  # once


def test_the_recorder_follows_all_a_snapshot_holds_and_every_event() -> None:
    reads = recorded_reads(Selection(namespace="shop"))
    resources = {f.resource for f in reads}
    assert resources == {
        "nodes",
        "pods",
        "persistentvolumeclaims",
        "replicasets",
        "jobs",
        "deployments",
        "statefulsets",
        "daemonsets",
        "events",
        "nodemetrics",
        "podmetrics",
    }
    (events,) = [f for f in reads if f.resource == "events"]
    assert events.read.query == () and events.read.namespace == "shop"
    assert events.label == "events in shop"
