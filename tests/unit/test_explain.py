"""`explain` and `tree --explain` on the recorded sample cluster."""

from __future__ import annotations

import copy
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from kube_inspect.errors import UsageError
from kube_inspect.explain.one_object import explain_container, explain_node, explain_pod
from kube_inspect.explain.tour import example_pod, owner_words, problems, tour, workloads
from kube_inspect.interpret.objects import build_cluster
from kube_inspect.model.cluster import Cluster, Pod
from kube_inspect.render.explained import render_explained_tree
from tests.unit.conftest import pod_named

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def explained(cluster: Cluster, *, ascii_only: bool = False) -> list[str]:
    out = io.StringIO()
    render_explained_tree(cluster, out, now=NOW, ascii_only=ascii_only)
    return out.getvalue().splitlines()


def _pod(cluster: Cluster, namespace: str, name: str) -> Pod:
    return next(p for p in cluster.pods if (p.namespace, p.name) == (namespace, name))


def test_pod_owner_names_the_deployment_above_its_replicaset(
    pods: list[dict[str, Any]], sample: Cluster
) -> None:
    web = pod_named(pods, "shop", "web-")["metadata"]
    pod = _pod(sample, "shop", web["name"])
    assert pod.owner == "Deployment/web"
    assert pod.controller == f"ReplicaSet/{web['ownerReferences'][0]['name']}"
    replicaset = web["ownerReferences"][0]["name"]
    assert owner_words(pod).startswith(f"ReplicaSet {replicaset} of Deployment web made it")
    assert _pod(sample, "shop", "db-0").owner == "StatefulSet/db"
    assert _pod(sample, "shop", "multi").owner is None


def test_volumes_leave_out_the_api_token_and_list_every_mount(sample: Cluster) -> None:
    (work,) = _pod(sample, "shop", "multi").volumes or ()
    assert (work.name, work.source) == ("work", "emptyDir")
    assert work.mounts == (("init-config", "/work"), ("app", "/work"), ("log-shipper", "/work"))


def test_unschedulable_pod_keeps_the_schedulers_message(sample: Cluster) -> None:
    message = _pod(sample, "shop", "stuck").unschedulable_message
    assert message is not None and "nodes are available" in message
    assert _pod(sample, "shop", "multi").unschedulable_message is None


def test_workloads_count_pods_by_top_owner(sample: Cluster) -> None:
    counts, unowned = workloads(sample)
    assert counts[("Deployment", "shop", "web")] == 3
    assert counts[("StatefulSet", "shop", "db")] == 2
    assert counts[("DaemonSet", "monitoring", "node-exporter")] == len(sample.nodes) - 1
    assert sorted(unowned) == [
        "batch/crasher",
        "batch/hog",
        "shop/bad-image",
        "shop/multi",
        "shop/stuck",
    ]


def test_example_pod_is_the_one_with_several_containers(sample: Cluster) -> None:
    pod = example_pod(sample)
    assert pod is not None and (pod.namespace, pod.name) == ("shop", "multi")


def test_problems_name_each_unhealthy_object_with_a_kubectl_command(sample: Cluster) -> None:
    found = {obj: (what, cmd) for obj, what, cmd in problems(sample)}
    assert set(found) == {
        "node/kwok-cordoned-1",
        "container/batch/crasher/worker",
        "container/batch/hog/hog",
        "container/shop/bad-image/app",
        "pod/shop/stuck",
    }
    what, cmd = found["container/batch/crasher/worker"]
    assert what.startswith("CrashLoopBackOff: it keeps crashing")
    assert cmd == "kubectl logs -n batch crasher -c worker --previous"
    assert (
        "carries a taint the pod does not tolerate (dedicated=gpu:NoSchedule)"
        in (found["pod/shop/stuck"][0])
    )


def test_tour_walks_from_nodes_to_containers_to_problems(sample: Cluster) -> None:
    text = "\n".join(tour(sample))
    multi = next(p for p in sample.pods if p.name == "multi")
    order = [
        "A cluster is a set of nodes run by a control plane",
        "kwok-control-plane runs the control plane",
        "A node is a machine",
        "Deployment shop/web: 3 pods",
        f"Example: pod shop/multi on node {multi.node_name}",
        f"share one IP address, {multi.ip}",
        "volume work (emptyDir) is mounted by init-config at /work",
        "A container is one running image",
        "What needs attention (5):",
    ]
    positions = [text.find(phrase) for phrase in order]
    assert -1 not in positions, [p for p, i in zip(order, positions, strict=True) if i < 0]
    assert positions == sorted(positions)
    assert f"{sample.container_count} containers" in text


def test_tour_lines_fit_in_a_terminal(sample: Cluster) -> None:
    assert max(len(line) for line in tour(sample)) <= 88


def test_explain_pod_says_where_who_and_why(sample: Cluster) -> None:
    text = "\n".join(explain_pod(sample, "shop", "stuck"))
    assert "It is on no node yet." in text
    assert "Nobody owns it" in text
    assert "Unschedulable: no node can take it" in text
    # the scheduler's "2 node(s) had untolerated taint(s)", named from the nodes' taints
    words = " ".join(text.split())  # lines are wrapped
    assert "1 node carries a taint the pod does not tolerate (dedicated=gpu:NoSchedule)" in words
    assert (
        "1 node carries a taint the pod does not tolerate "
        "(node-role.kubernetes.io/control-plane:NoSchedule)"
    ) in words
    assert text.endswith("Next: kubectl describe pod -n shop stuck")


def test_explain_container_gives_the_last_exit_and_logs_command(sample: Cluster) -> None:
    text = "\n".join(explain_container(sample, "batch", "crasher", "worker"))
    assert "waiting: CrashLoopBackOff: it keeps crashing" in text
    assert "last exit: Error (exit 1)" in text
    assert text.endswith("Next: kubectl logs -n batch crasher -c worker --previous")


def test_explain_node_lists_taints_and_pods(sample: Cluster) -> None:
    text = "\n".join(explain_node(sample, "kwok-control-plane"))
    assert "Roles: control-plane." in text
    assert "Taint node-role.kubernetes.io/control-plane:NoSchedule" in text
    (pod,) = next(n for n in sample.nodes if n.name == "kwok-control-plane").pods
    assert f"{pod.namespace}/{pod.name} (Running)" in text


def test_explaining_what_does_not_exist_is_a_usage_error(sample: Cluster) -> None:
    with pytest.raises(UsageError, match="pod shop/nope not found"):
        explain_pod(sample, "shop", "nope")
    with pytest.raises(UsageError, match=r"it has: init-config, mesh-proxy, app, log-shipper"):
        explain_container(sample, "shop", "multi", "nope")
    with pytest.raises(UsageError, match="node nope not found"):
        explain_node(sample, "nope")


def test_explained_tree_starts_with_the_levels_and_keeps_every_row(sample: Cluster) -> None:
    lines = explained(sample)
    assert [line.split()[1] for line in lines[:4]] == ["cluster", "node", "pod", "container"]
    rows = [line for line in lines[4:] if "↳" not in line]
    assert sum("container/" in row for row in rows) == sample.container_count
    assert sum(" pod/" in row for row in rows) == len(sample.pods)


def test_explained_tree_puts_each_note_under_its_row(sample: Cluster) -> None:
    lines = explained(sample)

    def note_after(label: str) -> str:
        i = next(i for i, line in enumerate(lines) if label in line)
        return lines[i + 1]

    assert note_after("container/worker").endswith(
        "↳ CrashLoopBackOff: it keeps crashing: the kubelet restarts it, waiting longer each "
        "time (up to 5 minutes); its previous logs say why"
    )
    assert "↳ SchedulingDisabled: cordoned" in note_after("node/kwok-cordoned-1")
    assert "↳ Unschedulable: no node can take it" in note_after("pod/shop/stuck")
    # the note continues the tree's bars: under a container of a node that is not last
    assert note_after("container/worker").startswith("│   │       ↳ ")
    # healthy rows get no note
    assert "↳" not in note_after("pod/shop/db-0")


def test_explained_tree_in_ascii_is_ascii(sample: Cluster) -> None:
    lines = explained(sample, ascii_only=True)
    assert all(line.isascii() for line in lines)
    assert any("-> CrashLoopBackOff" in line for line in lines)


def test_tour_of_a_big_cluster_stays_short(
    nodes: list[dict[str, Any]], pods: list[dict[str, Any]]
) -> None:
    """100 nodes, 40 workloads, 30 crash-looping pods: the tour still fits on a screen or two."""
    worker = next(n for n in nodes if n["metadata"]["name"] == "kwok-worker-1")
    crasher = next(p for p in pods if p["metadata"]["name"] == "crasher")
    web = next(p for p in pods if p["metadata"]["name"].startswith("web-"))
    many_nodes = [copy.deepcopy(worker) for _ in range(100)]
    for i, node in enumerate(many_nodes):
        node["metadata"]["name"] = f"node-{i:03d}"
    many_pods = []
    for i in range(40 * 3):
        pod = copy.deepcopy(web)
        pod["metadata"]["name"] = f"app{i // 3}-{i}"
        pod["metadata"]["ownerReferences"][0]["name"] = f"app{i // 3}-abc"
        pod["metadata"]["labels"]["pod-template-hash"] = "abc"
        pod["spec"]["nodeName"] = f"node-{i % 7:03d}"
        many_pods.append(pod)
    for i in range(30):
        pod = copy.deepcopy(crasher)
        pod["metadata"]["name"] = f"crasher-{i}"
        pod["spec"]["nodeName"] = "node-099"
        many_pods.append(pod)
    big = build_cluster(context="c", server="s", version="v", nodes=many_nodes, pods=many_pods)
    lines = tour(big)
    text = "\n".join(lines)
    assert len(lines) < 120
    assert max(len(line) for line in lines) <= 88
    assert "  node-099  ##############################  30 pods" in lines
    assert "  ... and 90 more nodes with 0 pods each" in lines
    assert "... and 30 more workloads with 90 pods" in text
    assert "... and 20 more: kube-inspect tree --explain shows them all" in text
