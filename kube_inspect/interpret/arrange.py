"""Pure reshaping of a Cluster: keep only problems, sort by a key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from kube_inspect.errors import UsageError
from kube_inspect.interpret.health import pod_problem
from kube_inspect.interpret.resources import known_resources
from kube_inspect.model.cluster import Cluster, Node, Pod
from kube_inspect.model.timestamps import parse_time

# A fixed key, or the API name of any resource the cluster has (``nvidia.com/gpu``).
SortKey = str
SORT_KEYS: tuple[SortKey, ...] = ("name", "cpu", "memory", "restarts", "age", "devices")


def check_sort_key(cluster: Cluster, key: SortKey) -> None:
    """Raise UsageError when ``key`` is neither a fixed key nor a resource of the cluster."""
    if key in SORT_KEYS:
        return
    known = known_resources(cluster)
    if key not in known:
        raise UsageError(
            f'invalid argument "{key}" for "--sort": no such resource in the cluster; '
            f"use one of {', '.join((*SORT_KEYS, *known))}"
        )


def only_problems(cluster: Cluster) -> Cluster:
    """Return the cluster with only problem pods (see pod_problem) and the nodes holding them."""
    nodes = tuple(
        replace(n, pods=kept)
        for n in cluster.nodes
        if (kept := tuple(p for p in n.pods if pod_problem(p)))
    )
    unscheduled = tuple(p for p in cluster.unscheduled if pod_problem(p))
    return replace(cluster, nodes=nodes, unscheduled=unscheduled)


def _created(timestamp: str | None) -> float:
    created = parse_time(timestamp)
    return created.timestamp() if created else float("inf")


def _pod_key(key: SortKey) -> Callable[[Pod], tuple[float, str, str]]:
    def measure(pod: Pod) -> float:
        amount = pod.usage or pod.requests
        if key == "cpu":
            return -(amount.cpu_m or 0)
        if key == "memory":
            return -(amount.memory_bytes or 0)
        if key == "restarts":
            return -pod.restarts
        if key == "age":
            return _created(pod.created)
        if key == "devices":  # DRA devices its claims hold
            return -pod.device_count
        return -(pod.requests.amount(key) or 0) if key != "name" else 0

    return lambda pod: (measure(pod), pod.namespace, pod.name)


def _node_key(key: SortKey) -> Callable[[Node], tuple[float, str]]:
    def measure(node: Node) -> float:
        amount = node.usage or node.requested
        if key == "cpu":
            return -(amount.cpu_m or 0)
        if key == "memory":
            return -(amount.memory_bytes or 0)
        if key == "restarts":
            return -sum(p.restarts for p in node.pods)
        if key == "age":
            return _created(node.created)
        return -(node.requested.amount(key) or 0) if key != "name" else 0

    return lambda node: (measure(node), node.name)


def arrange(cluster: Cluster, problems: bool, key: SortKey) -> Cluster:
    """Return the cluster with only its problems (when asked), sorted by ``key``.

    Raises UsageError when ``key`` names no resource the cluster has.
    """
    check_sort_key(cluster, key)
    if problems:
        cluster = only_problems(cluster)
    return sort_cluster(cluster, key)


def sort_cluster(cluster: Cluster, key: SortKey) -> Cluster:
    """Return the cluster with nodes and pods sorted by ``key``, ties broken by name.

    cpu and memory sort by live usage where known, else by requests, biggest first;
    restarts most first; age oldest first; name alphabetically (the default order);
    any other resource by requests, biggest first.
    """
    if key == "name":
        return cluster
    pod_key = _pod_key(key)
    nodes = sorted(
        (replace(n, pods=tuple(sorted(n.pods, key=pod_key))) for n in cluster.nodes),
        key=_node_key(key),
    )
    return replace(
        cluster, nodes=tuple(nodes), unscheduled=tuple(sorted(cluster.unscheduled, key=pod_key))
    )


def listed_pods(cluster: Cluster, key: SortKey) -> tuple[Pod, ...]:
    """Return every pod as a flat view lists it: sorted by ``key`` across the whole cluster.

    By name they stay node by node (the tree's order); by any other key one list, as
    `kubectl top pods --sort-by` gives, so the busiest pod comes first whatever its node.
    """
    if key == "name":
        return cluster.pods
    return tuple(sorted(cluster.pods, key=_pod_key(key)))
