"""Workloads judged as `kubectl rollout status` does (interpret/rollouts.py), and check's rule.

On the recorded sample's Deployment, StatefulSet and DaemonSet (complete rollouts), each
moved to a moment of a rollout by the fields kubectl's rollout_status.go reads.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest

from kube_inspect.check.rules import CheckOptions, run_checks
from kube_inspect.interpret.rollouts import judge_workload, owned_pods, owning_workloads
from kube_inspect.interpret.workloads import build_workload
from tests.unit.conftest import check_input, load


def recorded(resource: str, kind: str) -> dict[str, Any]:
    item: dict[str, Any] = copy.deepcopy(load(f"{resource}.json")["items"][0])
    return {**item, "kind": kind}


def deployment(**status: Any) -> dict[str, Any]:
    item = recorded("deployments", "Deployment")
    item["status"].update(status)
    return item


def test_recorded_complete_rollouts_pass() -> None:
    for resource, kind in (
        ("deployments", "Deployment"),
        ("statefulsets", "StatefulSet"),
        ("daemonsets", "DaemonSet"),
    ):
        judgement = judge_workload(build_workload(recorded(resource, kind)))
        assert (judgement.key, judgement.complete) == ("RolledOut", True), kind


@pytest.mark.parametrize(
    ("status", "generation", "key", "detail"),
    [
        # the stuck rollout of issue 22: the old replicas ready, one new one Pending
        ({"replicas": 4, "updatedReplicas": 1, "availableReplicas": 3}, 2, "Updating",
         "1 of 3 new replicas updated"),
        ({"replicas": 4, "updatedReplicas": 3, "availableReplicas": 3}, 2, "OldReplicasLeft",
         "1 old replicas pending termination"),
        ({"updatedReplicas": 3, "availableReplicas": 2}, 2, "Unavailable",
         "2 of 3 updated replicas available"),
        ({"observedGeneration": 1}, 2, "SpecNotObserved",
         "generation 2 not observed yet (observed 1)"),
    ],
)  # fmt: skip
def test_deployment_rollout_not_complete_fails_though_replicas_are_ready(
    status: dict[str, Any], generation: int, key: str, detail: str
) -> None:
    item = deployment(**{"observedGeneration": 2, **status})
    item["metadata"]["generation"] = generation
    judgement = judge_workload(build_workload(item))
    assert (judgement.key, judgement.detail, judgement.complete) == (key, detail, False)
    assert build_workload(item).ready == 3  # what the rule passed on before


def test_progress_deadline_exceeded_is_a_failed_rollout() -> None:
    item = deployment(replicas=4, updatedReplicas=1)
    item["status"]["conditions"][1].update(
        reason="ProgressDeadlineExceeded",
        status="False",
        message='ReplicaSet "web-6c4f" has timed out progressing.',
    )
    judgement = judge_workload(build_workload(item))
    assert (judgement.key, judgement.verdict) == ("ProgressDeadlineExceeded", "failing")
    report = run_checks(check_input((), (), (item,)), ["workload-ready"], CheckOptions(), NOW)
    assert report.failures[0].message == (
        '3/3 replicas ready; rollout failed: ReplicaSet "web-6c4f" has timed out progressing.'
    )


NOW = datetime(2026, 12, 6)


def test_statefulset_and_daemonset_rollouts_by_their_own_rules() -> None:
    sts = recorded("statefulsets", "StatefulSet")
    sts["status"].update(updatedReplicas=1, updateRevision="db-new")
    assert judge_workload(build_workload(sts)).detail == "1 of 2 new pods updated"
    sts["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 1  # only one is to be updated
    assert judge_workload(build_workload(sts)).complete
    del sts["spec"]["updateStrategy"]["rollingUpdate"]  # then the revisions tell
    assert judge_workload(build_workload(sts)).key == "Updating"
    sts["spec"]["updateStrategy"] = {"type": "OnDelete"}  # kubectl has no rollout status
    assert judge_workload(build_workload(sts)).key == "Ready"
    daemons = recorded("daemonsets", "DaemonSet")
    daemons["status"].update(updatedNumberScheduled=3)
    assert judge_workload(build_workload(daemons)).detail == "3 of 4 new pods updated"
    daemons["status"].update(updatedNumberScheduled=4, numberAvailable=3)
    assert judge_workload(build_workload(daemons)).key == "Unavailable"


def test_workload_rule_names_the_stuck_rollout_and_its_pending_pod() -> None:
    item = deployment(replicas=4, updatedReplicas=1, availableReplicas=3, observedGeneration=2)
    item["metadata"]["generation"] = 2
    pods = load("pods.json")["items"]
    stuck = copy.deepcopy(next(p for p in pods if p["metadata"]["name"] == "stuck"))
    stuck["metadata"].update(
        name="web-6c4f8d9b7-abcde",
        labels={"app": "web", "pod-template-hash": "6c4f8d9b7"},
        ownerReferences=[{"kind": "ReplicaSet", "name": "web-6c4f8d9b7", "controller": True}],
    )
    web = [p for p in pods if p["metadata"]["name"].startswith("web-")]
    data = check_input((), (*web, stuck), (item,))
    assert len(owned_pods(data.workloads[0], data.pods)) == 4  # type: ignore[index]
    report = run_checks(data, ["workload-ready"], CheckOptions(), NOW)
    (failure,) = report.failures
    assert failure.object == "deployment/shop/web"
    assert failure.message.startswith(
        "3/3 replicas ready; rollout not complete: 1 of 3 new replicas updated; "
        "pod web-6c4f8d9b7-abcde: Pending: Unschedulable"
    )


def test_only_workloads_owning_a_selected_pod_are_in_scope() -> None:
    pods = load("pods.json")["items"]
    workloads = [
        recorded("deployments", "Deployment"),
        recorded("statefulsets", "StatefulSet"),
        recorded("daemonsets", "DaemonSet"),
    ]
    db_only = [p for p in pods if p["metadata"]["name"] == "db-0"]
    data = check_input((), db_only, workloads)
    assert [w.name for w in owning_workloads(data.workloads or (), data.pods)] == ["db"]
    every = check_input((), pods, workloads)
    found = owning_workloads(every.workloads or (), every.pods)
    assert [w.name for w in found] == ["web", "db", "node-exporter"]
