from __future__ import annotations

import json

from kube_inspect.interpret.arrange import listed_pods, only_problems, sort_cluster
from kube_inspect.interpret.health import pod_problem
from kube_inspect.model.cluster import Cluster
from tests.unit.recorded import invoke


def names(cluster: Cluster) -> set[str]:
    return {f"{p.namespace}/{p.name}" for p in cluster.pods}


def test_problems_are_the_failing_pending_and_crashing_pods(sample: Cluster) -> None:
    problems = only_problems(sample)
    assert names(problems) == {"batch/crasher", "batch/hog", "shop/bad-image", "shop/stuck"}
    assert all(n.pods for n in problems.nodes)


def test_problem_reasons_say_why(sample: Cluster) -> None:
    why = {f"{p.namespace}/{p.name}": pod_problem(p) for p in sample.pods}
    assert why["batch/crasher"] == "container worker: CrashLoopBackOff"
    assert why["batch/hog"] == "container hog: terminated: OOMKilled (exit 137)"
    assert why["shop/bad-image"] == "container app: ImagePullBackOff"
    assert why["shop/stuck"] == "Pending: Unschedulable"
    assert why["batch/" + next(p.name for p in sample.pods if p.name.startswith("migrate"))] is None


def test_sort_by_restarts_puts_the_crash_loop_first(sample: Cluster) -> None:
    ordered = sort_cluster(sample, "restarts")
    busiest = max(ordered.nodes, key=lambda n: sum(p.restarts for p in n.pods))
    assert ordered.nodes[0] == busiest
    assert ordered.nodes[0].pods[0].name == "crasher"


def test_sort_by_cpu_orders_nodes_by_requests(sample: Cluster) -> None:
    ordered = sort_cluster(sample, "cpu")
    requested = [n.requested.cpu_m or 0 for n in ordered.nodes]
    assert requested == sorted(requested, reverse=True)


def test_sort_by_name_keeps_the_default_order(sample: Cluster) -> None:
    assert sort_cluster(sample, "name") == sample


def test_a_flat_list_by_cpu_is_one_order_across_nodes(sample: Cluster) -> None:
    # `pods --sort cpu` lists the busiest pod first whatever its node (kubectl top's order),
    # not node by node: the node order is by the node's total, not by its pods
    listed = listed_pods(sort_cluster(sample, "cpu"), "cpu")
    cpu = [-((p.usage or p.requests).cpu_m or 0) for p in listed]
    assert cpu == sorted(cpu)
    assert sorted(listed, key=lambda p: (p.namespace, p.name)) == sorted(
        sample.pods, key=lambda p: (p.namespace, p.name)
    )
    assert listed_pods(sample, "name") == sample.pods


def test_the_pods_view_sorts_across_nodes() -> None:
    result = invoke("pods", "-A", "--sort", "cpu", "-o", "json")
    assert result.exit_code == 0, result.output
    pods = json.loads(result.stdout)["pods"]
    cpu = [(p["usage"] or p["requests"])["cpu_m"] or 0 for p in pods]
    assert cpu == sorted(cpu, reverse=True)
    assert len({p["node"] for p in pods[:3]}) > 1 or len(pods) < 3
