"""A workload's story: ready replicas, spec changes, rollout progress, a Job's end.

The versions are the recorded sample's own Deployment and Job (tests/fixtures/recorded/),
as a rollout would change them: the earlier version is the recorded one with its status
set back.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from kube_inspect.interpret.history import tell_history
from kube_inspect.interpret.problems import journal_problems
from kube_inspect.model.journal import Change, ChangeType, ObjectKey
from tests.unit.conftest import load

T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def _changes(resource: str, versions: list[dict[str, Any]]) -> list[Change]:
    meta = versions[0]["metadata"]
    key = ObjectKey(resource, meta["namespace"], meta["name"])
    return [
        Change(
            i + 1,
            "sample",
            T0 + timedelta(minutes=i),
            ChangeType.ADDED if i == 0 else ChangeType.MODIFIED,
            key,
            meta.get("uid", ""),
            str(i),
            obj,
        )
        for i, obj in enumerate(versions)
    ]


def _deployment_rollout() -> list[Change]:
    done = load("deployments.json")["items"][0]
    rolling = copy.deepcopy(done)
    rolling["metadata"]["generation"] = done["metadata"].get("generation", 1) + 1
    rolling["status"]["readyReplicas"] = 1
    for condition in rolling["status"]["conditions"]:
        if condition["type"] == "Progressing":
            condition["reason"] = "ReplicaSetUpdated"
            condition["message"] = 'ReplicaSet "web-2" is progressing.'
    finished = copy.deepcopy(done)
    finished["metadata"]["generation"] = rolling["metadata"]["generation"]
    return _changes("deployments", [done, rolling, finished])


def test_a_rollout_is_told_with_its_ready_replicas_and_progress() -> None:
    changes = _deployment_rollout()
    told = tell_history("sample", changes[0].key, changes)
    texts = [(m.text, m.verdict) for m in told.moments]
    assert texts == [
        ("created", "healthy"),
        ("ready 3/3", "healthy"),
        ("NewReplicaSetAvailable: " + _message(changes[0]), "healthy"),
        ("ready 1/3", "warning"),
        ("spec changed (generation 2)", "warning"),
        ('ReplicaSetUpdated: ReplicaSet "web-2" is progressing.', "warning"),
        ("ready 3/3", "healthy"),
        ("NewReplicaSetAvailable: " + _message(changes[0]), "healthy"),
    ]


def _message(change: Change) -> str:
    for condition in change.object["status"]["conditions"]:
        if condition["type"] == "Progressing":
            return str(condition["message"])
    return ""


def test_a_rollout_that_ends_ready_is_no_problem() -> None:
    assert journal_problems(_deployment_rollout()) == []


def test_a_job_that_fails_is_a_problem() -> None:
    done = load("jobs.json")["items"][0]
    failed = copy.deepcopy(done)
    failed["status"] = {
        "failed": 1,
        "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}],
    }
    running = copy.deepcopy(done)
    running["status"] = {"active": 1}
    changes = _changes("jobs", [running, failed])
    told = tell_history("sample", changes[0].key, changes)
    assert [m.text for m in told.moments] == [
        "created",
        "active 1, succeeded 0, failed 0",
        "active 0, succeeded 0, failed 1",
        "Failed",
    ]
    problems = journal_problems(changes)
    assert [(p.kind, p.verdict, p.reason) for p in problems] == [
        ("Job", "failing", "the Job failed")
    ]
