"""The read plan: which LISTs each selection sends, with which paths and queries (pure)."""

from __future__ import annotations

import pytest

from kube_inspect.read.plan import METRICS_API, Read, plan_reads
from kube_inspect.read.selection import Selection


def paths(reads: tuple[Read, ...]) -> list[str]:
    return [r.path for r in reads]


def test_tree_streams_all_pods_beside_nodes_owners_and_usage() -> None:
    plan = plan_reads(Selection())
    assert paths(plan.nodes) == ["/api/v1/nodes"] and plan.nodes[0].query == ()
    assert paths(plan.pods) == ["/api/v1/pods"] and plan.stream_pods
    assert paths(plan.owners) == ["/apis/apps/v1/replicasets", "/apis/batch/v1/jobs"]
    assert plan.node_metrics is not None and plan.node_metrics.path == f"{METRICS_API}/nodes"
    assert paths(plan.pod_metrics) == [f"{METRICS_API}/pods"]
    assert not plan.node_metrics.retried and all(not r.retried for r in plan.pod_metrics)
    assert plan.claims == () and plan.workloads == () and not plan.pod_volumes


def test_events_follow_a_pending_pod_unless_the_view_shows_them() -> None:
    fast = plan_reads(Selection())
    assert fast.events_when == "pending" and not set(fast.events) & set(fast.sent_at_once)
    assert fast.events[0].query == (("fieldSelector", "type=Warning"),)
    shown = plan_reads(Selection(with_events=True))
    assert shown.events_when == "always" and set(shown.events) <= set(shown.sent_at_once)


def test_pod_metrics_are_not_sent_with_the_rest() -> None:
    plan = plan_reads(Selection())
    assert plan.node_metrics in plan.sent_at_once
    assert not set(plan.pod_metrics) & set(plan.sent_at_once)


def test_a_namespace_and_selectors_go_to_the_server() -> None:
    plan = plan_reads(
        Selection(namespace="shop", label_selector="app=web", field_selector="status.phase=Running")
    )
    assert paths(plan.pods) == ["/api/v1/namespaces/shop/pods"]
    assert plan.pods[0].query == (
        ("labelSelector", "app=web"),
        ("fieldSelector", "status.phase=Running"),
    )
    assert paths(plan.owners) == [
        "/apis/apps/v1/namespaces/shop/replicasets",
        "/apis/batch/v1/namespaces/shop/jobs",
    ]
    assert paths(plan.pod_metrics) == [f"{METRICS_API}/namespaces/shop/pods"]
    assert paths(plan.nodes) == ["/api/v1/nodes"]  # nodes are cluster-scoped


def test_nodes_by_name_are_got_one_by_one_and_their_pods_listed_per_node() -> None:
    plan = plan_reads(Selection(nodes=("b", "a", "b"), field_selector="status.phase=Running"))
    assert [(r.path, r.name) for r in plan.nodes] == [
        ("/api/v1/nodes/a", "a"),
        ("/api/v1/nodes/b", "b"),
    ]
    assert not plan.stream_pods
    assert [r.query for r in plan.pods] == [
        (("fieldSelector", "status.phase=Running,spec.nodeName=a"),),
        (("fieldSelector", "status.phase=Running,spec.nodeName=b"),),
    ]


def test_a_node_selector_lists_the_nodes_with_it_and_streams_the_pods() -> None:
    plan = plan_reads(Selection(node_selector="zone=a", with_nodes=False))
    assert plan.nodes == (Read("nodes", "/api/v1/nodes", (("labelSelector", "zone=a"),)),)
    assert plan.stream_pods


def test_check_reads_only_what_its_rules_need() -> None:
    plan = plan_reads(
        Selection(with_nodes=False, with_usage=False, with_owners=False, with_claims=True)
    )
    assert plan.nodes == () and plan.owners == () and plan.node_metrics is None
    assert paths(plan.claims) == ["/api/v1/persistentvolumeclaims"] and plan.pod_volumes


@pytest.mark.parametrize("selection", [Selection(problems=True), Selection(with_volumes=True)])
def test_claims_are_read_where_they_are_judged_or_shown(selection: Selection) -> None:
    assert paths(plan_reads(selection).claims) == ["/api/v1/persistentvolumeclaims"]


def test_workloads_carry_their_kind_and_the_label_selector() -> None:
    plan = plan_reads(Selection(with_workloads=True, label_selector="app=web"))
    assert [(r.resource, r.kind) for r in plan.workloads] == [
        ("deployments", "Deployment"),
        ("statefulsets", "StatefulSet"),
        ("daemonsets", "DaemonSet"),
    ]
    assert all(r.query == (("labelSelector", "app=web"),) for r in plan.workloads)


def test_several_namespaces_send_one_list_each_for_every_namespaced_read() -> None:
    plan = plan_reads(
        Selection(namespaces=("a", "b"), with_workloads=True, with_events=True, problems=True)
    )
    for reads in (plan.pods, plan.claims, plan.events, plan.pod_metrics):
        assert [r.namespace for r in reads] == ["a", "b"]
    assert [r.namespace for r in plan.owners] == ["a", "b", "a", "b"]
    assert [r.namespace for r in plan.workloads] == ["a", "b"] * 3
    assert paths(plan.pods) == ["/api/v1/namespaces/a/pods", "/api/v1/namespaces/b/pods"]
    assert paths(plan.nodes) == ["/api/v1/nodes"]


def test_a_selection_names_one_namespace_or_several() -> None:
    with pytest.raises(ValueError):
        Selection(namespace="a", namespaces=("a", "b"))
    assert Selection(namespaces=("a", "b")).filters_pods


def test_each_read_carries_the_selectors_its_query_holds_the_field_selector_first() -> None:
    chosen = Selection(
        label_selector="app=web",
        field_selector="status.phase=Running",
        node_selector="zone=a",
        with_workloads=True,
    )
    plan = plan_reads(chosen)
    assert [r.selectors for r in plan.nodes] == [(("node_selector", "zone=a"),)]
    assert {r.selectors for r in plan.pods} == {
        (("field_selector", "status.phase=Running"), ("label_selector", "app=web"))
    }
    assert {r.selectors for r in plan.workloads} == {(("label_selector", "app=web"),)}
    assert all(r.selectors == () for r in (*plan.events, *plan.claims, *plan.owners))
    by_name = plan_reads(Selection(nodes=("n1",), label_selector="app=web"))
    assert [r.selectors for r in by_name.nodes] == [()]  # a GET by name carries no selector
    assert {r.selectors for r in by_name.pods} == {(("label_selector", "app=web"),)}
