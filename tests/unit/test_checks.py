from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest

from kube_inspect.check.rules import RULES, CheckOptions, run_checks, select_rules
from kube_inspect.model.checks import Finding
from kube_inspect.model.cluster import Cluster
from kube_inspect.model.timestamps import parse_time as parse_timestamp
from tests.unit.conftest import check_input, load, pod_named


def workloads() -> list[dict[str, Any]]:
    kinds = {"deployments": "Deployment", "statefulsets": "StatefulSet", "daemonsets": "DaemonSet"}
    return [
        {**item, "kind": kind}
        for name, kind in kinds.items()
        for item in load(f"{name}.json")["items"]
    ]


def sample_input(pods: list[dict[str, Any]] | None = None) -> Cluster:
    return check_input(
        tuple(load("nodes.json")["items"]),
        tuple(pods if pods is not None else load("pods.json")["items"]),
        tuple(workloads()),
    )


def created(pods: list[dict[str, Any]], namespace: str, name: str) -> datetime:
    stamp = parse_timestamp(pod_named(pods, namespace, name)["metadata"]["creationTimestamp"])
    assert stamp is not None
    return stamp


def failing(data: Cluster, now: datetime, **options: Any) -> set[tuple[str, str]]:
    report = run_checks(data, tuple(RULES), CheckOptions(**options), now)
    return {(f.rule, f.object) for f in report.failures}


def test_recorded_sample_fails_only_on_its_broken_containers(
    pods: list[dict[str, Any]],
) -> None:
    now = created(pods, "shop", "stuck") + timedelta(minutes=1)
    assert failing(sample_input(), now) == {
        ("container-state", "container/batch/crasher/worker"),
        ("container-state", "container/batch/hog/hog"),
        ("container-state", "container/shop/bad-image/app"),
    }


def test_every_rule_checks_every_object_it_concerns(
    nodes: list[dict[str, Any]], pods: list[dict[str, Any]]
) -> None:
    report = run_checks(sample_input(), tuple(RULES), CheckOptions(), datetime.now().astimezone())
    count = {rule: sum(1 for f in report.findings if f.rule == rule) for rule in RULES}
    containers = sum(
        len(p["spec"].get("containers", [])) + len(p["spec"].get("initContainers", []))
        for p in pods
    )
    assert count == {
        "node-ready": len(nodes),
        "node-pressure": len(nodes),
        "pod-pending": len(pods),
        "pod-claims": 0,  # the sample's pods have no claims: tests/unit/test_storage.py has
        "container-state": containers,
        "container-restarts": containers,
        "workload-ready": len(workloads()),
    }


def test_pod_pending_longer_than_max_pending_fails(pods: list[dict[str, Any]]) -> None:
    stuck = created(pods, "shop", "stuck")
    late = failing(sample_input(), stuck + timedelta(minutes=6), max_pending_seconds=300)
    assert ("pod-pending", "pod/shop/stuck") in late
    early = failing(sample_input(), stuck + timedelta(minutes=4), max_pending_seconds=300)
    assert ("pod-pending", "pod/shop/stuck") not in early


def test_restarts_over_max_restarts_fail(pods: list[dict[str, Any]]) -> None:
    crasher = pod_named(pods, "batch", "crasher")
    restarts = crasher["status"]["containerStatuses"][0]["restartCount"]
    assert restarts >= 1
    now = created(pods, "shop", "stuck")
    found = failing(sample_input(), now, max_restarts=restarts - 1)
    assert ("container-restarts", "container/batch/crasher/worker") in found
    assert ("container-restarts", "container/batch/crasher/worker") not in failing(
        sample_input(), now, max_restarts=restarts
    )


@pytest.mark.parametrize(
    "state",
    [
        {"waiting": {"reason": "ImagePullBackOff"}},
        {"waiting": {"reason": "ErrImagePull"}},
        {"waiting": {"reason": "CreateContainerConfigError"}},
        {"terminated": {"reason": "OOMKilled", "exitCode": 137}},
    ],
)
def test_failing_container_states_fail(pods: list[dict[str, Any]], state: dict[str, Any]) -> None:
    pod = copy.deepcopy(pod_named(pods, "shop", "db-0"))
    pod["status"]["containerStatuses"][0]["state"] = state
    found = failing(sample_input([pod]), created(pods, "shop", "db-0"))
    assert found == {("container-state", "container/shop/db-0/redis")}


def test_node_not_ready_and_under_pressure_fail(nodes: list[dict[str, Any]]) -> None:
    node = copy.deepcopy(nodes[0])
    for condition in node["status"]["conditions"]:
        if condition["type"] == "Ready":
            condition["status"] = "False"
        if condition["type"] == "DiskPressure":
            condition["status"] = "True"
    name = node["metadata"]["name"]
    report = run_checks(check_input((node,), (), ()), tuple(RULES), CheckOptions(), datetime.now())
    assert {(f.rule, f.object) for f in report.failures} == {
        ("node-ready", f"node/{name}"),
        ("node-pressure", f"node/{name}"),
    }
    assert "DiskPressure" in report.failures[1].message


def test_workload_short_of_ready_replicas_fails() -> None:
    found = []
    for item in workloads():
        item = copy.deepcopy(item)
        if item["kind"] == "DaemonSet":
            item["status"]["numberReady"] = item["status"]["desiredNumberScheduled"] - 1
        else:
            item["status"]["readyReplicas"] = item["spec"]["replicas"] - 1
        found.append(item)
    report = run_checks(
        check_input((), (), tuple(found)), ["workload-ready"], CheckOptions(), datetime.now()
    )
    assert {f.object for f in report.failures} == {
        "deployment/shop/web",
        "statefulset/shop/db",
        "daemonset/monitoring/node-exporter",
    }
    assert report.failures[0].message.endswith("replicas ready")


def test_workload_with_no_status_yet_is_not_ready() -> None:
    bare = {"kind": "Deployment", "metadata": {"namespace": "a", "name": "b"}, "spec": {}}
    report = run_checks(
        check_input((), (), (bare,)), ["workload-ready"], CheckOptions(), datetime.now()
    )
    assert report.failures == (
        Finding("workload-ready", "deployment/a/b", False, "0/1 replicas ready"),
    )


def test_rules_can_be_chosen_and_skipped() -> None:
    assert select_rules([], []) == tuple(RULES)
    assert select_rules(["node-ready", "workload-ready"], []) == ("node-ready", "workload-ready")
    assert "pod-pending" not in select_rules([], ["pod-pending"])
    with pytest.raises(ValueError, match="unknown rule 'nodes-ready'"):
        select_rules(["nodes-ready"], [])


def test_report_order_does_not_depend_on_input_order(pods: list[dict[str, Any]]) -> None:
    now = datetime.now().astimezone()
    forward = run_checks(sample_input(), tuple(RULES), CheckOptions(), now)
    backward = run_checks(sample_input(list(reversed(pods))), tuple(RULES), CheckOptions(), now)
    assert forward == backward
