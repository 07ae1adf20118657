from __future__ import annotations

import copy
from typing import Any

from kube_inspect.interpret.nodes import node_roles
from kube_inspect.interpret.objects import build_cluster, build_pod
from kube_inspect.model.cluster import Cluster
from tests.unit.conftest import load, pod_named


def test_every_recorded_pod_appears_once_under_its_node(
    sample: Cluster, pods: list[dict[str, Any]]
) -> None:
    placed: list[tuple[str | None, str, str]]
    placed = [(n.name, p.namespace, p.name) for n in sample.nodes for p in n.pods]
    placed += [(None, p.namespace, p.name) for p in sample.unscheduled]
    expected = [
        (p["spec"].get("nodeName"), p["metadata"]["namespace"], p["metadata"]["name"]) for p in pods
    ]
    assert sorted(placed, key=str) == sorted(expected, key=str)


def test_every_container_of_the_spec_is_kept(sample: Cluster, pods: list[dict[str, Any]]) -> None:
    expected = sum(
        len(p["spec"].get(k, [])) for p in pods for k in ("initContainers", "containers")
    )
    assert sample.container_count == expected


def test_nodes_sorted_by_name_and_pods_by_namespace_then_name(sample: Cluster) -> None:
    names = [n.name for n in sample.nodes]
    assert names == sorted(names)
    for node in sample.nodes:
        keys = [(p.namespace, p.name) for p in node.pods]
        assert keys == sorted(keys)


def test_output_does_not_depend_on_input_order(
    nodes: list[dict[str, Any]], pods: list[dict[str, Any]], sample: Cluster
) -> None:
    shuffled = build_cluster(
        context=sample.context,
        server=sample.server,
        version=sample.version,
        nodes=list(reversed(nodes)),
        pods=list(reversed(pods)),
        owners={"ReplicaSet": load("replicasets.json")["items"], "Job": load("jobs.json")["items"]},
    )
    assert shuffled == sample


def test_pending_pod_has_no_node_and_is_listed_unscheduled(sample: Cluster) -> None:
    assert [(p.namespace, p.name, p.phase) for p in sample.unscheduled] == [
        ("shop", "stuck", "Pending")
    ]
    assert sample.unscheduled[0].containers[0].state.name == "unknown"


def test_init_container_comes_first_and_is_marked(pods: list[dict[str, Any]]) -> None:
    pod = build_pod(pod_named(pods, "shop", "multi"))
    assert [(c.name, c.type) for c in pod.containers] == [
        ("init-config", "init"),
        ("mesh-proxy", "sidecar"),
        ("app", "app"),
        ("log-shipper", "app"),
    ]
    assert pod.containers[0].state.describe() == "terminated: Completed (exit 0)"
    assert pod.containers[1].state.name == "running"
    assert (pod.ready_count, len(pod.counted_containers)) == (3, 3)


def test_crash_looping_container_is_waiting_with_restarts(pods: list[dict[str, Any]]) -> None:
    pod = build_pod(pod_named(pods, "batch", "crasher"))
    (container,) = pod.containers
    assert container.state.name == "waiting"
    assert container.state.reason == "CrashLoopBackOff"
    assert container.restarts >= 1 and pod.restarts == container.restarts
    assert not container.ready


def test_sidecar_is_an_init_container_that_always_restarts(pods: list[dict[str, Any]]) -> None:
    pod = copy.deepcopy(pod_named(pods, "shop", "multi"))
    del pod["spec"]["initContainers"][1]["restartPolicy"]
    model = build_pod(pod)
    assert model.containers[1].type == "init"
    assert len(model.counted_containers) == 2


def test_node_states_roles_and_cordon(sample: Cluster) -> None:
    by_name = {n.name: n for n in sample.nodes}
    assert by_name["kwok-control-plane"].roles == ("control-plane",)
    assert by_name["kwok-gpu-1"].roles == ()
    assert by_name["kwok-cordoned-1"].status == "Ready,SchedulingDisabled"
    assert all(n.ready for n in sample.nodes)


def test_node_roles_read_both_label_styles() -> None:
    labels = {"node-role.kubernetes.io/worker": "", "kubernetes.io/role": "ingress", "x": "y"}
    assert node_roles(labels) == ("ingress", "worker")


def test_pod_on_unlisted_node_gets_a_node_known_by_name(pods: list[dict[str, Any]]) -> None:
    cluster = build_cluster(context="c", server="s", version="v", nodes=[], pods=pods)
    assert all(not n.listed and n.ready is None for n in cluster.nodes)
    assert len(cluster.pods) == len(pods)


def test_only_nodes_with_pods_drops_empty_nodes(
    nodes: list[dict[str, Any]], pods: list[dict[str, Any]]
) -> None:
    shop = [p for p in pods if p["metadata"]["namespace"] == "shop"]
    cluster = build_cluster(
        context="c", server="s", version="v", nodes=nodes, pods=shop, only_nodes_with_pods=True
    )
    assert cluster.nodes and all(n.pods for n in cluster.nodes)
    assert {p.namespace for p in cluster.pods} == {"shop"}


def test_objects_missing_every_field_do_not_crash() -> None:
    cluster = build_cluster(
        context="c",
        server="s",
        version="v",
        nodes=[{}, {"metadata": None, "status": {"conditions": "bad"}}],
        pods=[{}, {"spec": {"containers": [None, {"name": 3}]}, "status": {"phase": 7}}],
    )
    assert len(cluster.pods) == 2


def test_pods_of_one_build_share_the_values_they_repeat(pods: list[dict[str, Any]]) -> None:
    # each decoded pod has its own copies; the model keeps one (issue 13: memory per pod)
    first, second = copy.deepcopy(pods[0]), copy.deepcopy(pods[0])
    second["metadata"]["name"] += "-twin"
    cluster = build_cluster(context="c", server="s", version="v", nodes=[], pods=[first, second])
    a, b = cluster.pods
    assert (a.name, b.name) == (pods[0]["metadata"]["name"], second["metadata"]["name"])
    assert a.namespace is b.namespace and a.phase is b.phase and a.created is b.created
    assert a.node_name is b.node_name and a.labels is b.labels and a.labels
    for mine, twin in zip(a.containers, b.containers, strict=True):
        assert mine.image is twin.image and mine.state is twin.state and mine.ports is twin.ports
    assert a == build_pod(copy.deepcopy(pods[0]))  # the same model as built alone
