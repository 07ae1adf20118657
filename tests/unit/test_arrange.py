from __future__ import annotations

from kube_inspect.build.arrange import only_problems, sort_cluster
from kube_inspect.build.health import pod_problem
from kube_inspect.model.cluster import Cluster


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
