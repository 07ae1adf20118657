"""The difference between two reads of a cluster: a pure function of two models.

Nodes are matched by name, pods by namespace and name, containers by name. What is
compared: nodes added, removed, turned (Not)Ready, cordoned or uncordoned; pods added,
removed, moved to another node, their phase; each container's state, restarts that
went up (a restart count that went down is a new container: not a change worth a line),
image and requests. Ages, usage and IPs change on their own and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from kube_inspect.model.cluster import Cluster, Container, Node, Pod, Resources
from kube_inspect.model.diff import (
    Change,
    ClusterDiff,
    ContainerDiff,
    NodeDiff,
    PodDiff,
    Side,
    Value,
)
from kube_inspect.model.quantity import format_bytes, format_cpu

PodKey = tuple[str, str]


def describe_requests(amount: Resources) -> str:
    """Return requests in words, e.g. ``cpu=100m memory=64Mi`` (``-`` for none)."""
    return f"cpu={format_cpu(amount.cpu_m)} memory={format_bytes(amount.memory_bytes)}"


def _side(cluster: Cluster) -> Side:
    when = cluster.read_at
    read_at = when.isoformat(timespec="seconds").replace("+00:00", "Z") if when else None
    return Side(cluster.context, cluster.server, read_at)


def _changes(*pairs: tuple[str, Value, Value]) -> tuple[Change, ...]:
    return tuple(Change(field, before, after) for field, before, after in pairs if before != after)


def _node_changes(before: Node, after: Node) -> tuple[Change, ...]:
    ready = {True: "Ready", False: "NotReady", None: "Unknown"}
    schedulable = {True: "cordoned", False: "schedulable"}
    return _changes(
        ("ready", ready[before.ready], ready[after.ready]),
        ("schedulable", schedulable[before.unschedulable], schedulable[after.unschedulable]),
    )


def _container_diff(before: Container | None, after: Container | None) -> ContainerDiff | None:
    if before is None:
        return None if after is None else ContainerDiff(after.name, "added")
    if after is None:
        return ContainerDiff(before.name, "removed")
    changes = _changes(
        ("state", before.state.describe(), after.state.describe()),
        ("image", before.image, after.image),
        ("requests", describe_requests(before.requests), describe_requests(after.requests)),
    )
    if after.restarts > before.restarts:
        changes = (*changes, Change("restarts", before.restarts, after.restarts))
    return ContainerDiff(after.name, "changed", changes) if changes else None


def _pod_diff(before: Pod | None, after: Pod | None) -> PodDiff | None:
    if before is None or after is None:
        pod = after or before
        assert pod is not None
        return PodDiff(pod.namespace, pod.name, "added" if before is None else "removed")
    changes = _changes(
        ("node", before.node_name, after.node_name),
        ("phase", before.shown_phase, after.shown_phase),
    )
    old = {c.name: c for c in before.containers}
    new = {c.name: c for c in after.containers}
    containers = tuple(
        found
        for name in [*new, *(n for n in old if n not in new)]
        if (found := _container_diff(old.get(name), new.get(name))) is not None
    )
    if not changes and not containers:
        return None
    return PodDiff(after.namespace, after.name, "changed", changes, containers)


def _pods_by_key(cluster: Cluster) -> dict[PodKey, Pod]:
    return {(p.namespace, p.name): p for p in cluster.pods}


def _where(before: Pod | None, after: Pod | None) -> str | None:
    """Return the node a pod's change is drawn under: where it is now, or was."""
    return after.node_name if after is not None else before.node_name if before else None


def _not_compared(before: Cluster, after: Cluster) -> tuple[str, ...]:
    """Return the kinds one side could not read, each with the side: not comparable."""
    found = []
    for what in ("nodes", "pods"):
        sides = [name for name, c in (("BEFORE", before), ("AFTER", after)) if what in c.unread]
        if sides:
            found.append(f"{what}: {' and '.join(sides)} may not list them")
    return tuple(found)


def _listed_nodes(cluster: Cluster, compared: bool) -> dict[str, Node]:
    """Return the nodes read as objects, by name (none when nodes are not compared).

    A node known only because a pod names it has no state to compare.
    """
    return {n.name: n for n in cluster.nodes if n.listed} if compared else {}


def diff_clusters(before: Cluster, after: Cluster) -> ClusterDiff:
    """Return what changed from ``before`` to ``after``; unchanged parts are left out.

    What one side could not read is not compared (``ClusterDiff.not_compared``).
    """
    not_compared = _not_compared(before, after)
    pods_compared = not any(n.startswith("pods:") for n in not_compared)
    nodes_compared = not any(n.startswith("nodes:") for n in not_compared)
    old_pods = _pods_by_key(before) if pods_compared else {}
    new_pods = _pods_by_key(after) if pods_compared else {}
    pods_by_node: dict[str | None, list[PodDiff]] = {}
    for key in sorted(old_pods.keys() | new_pods.keys()):
        old, new = old_pods.get(key), new_pods.get(key)
        found = _pod_diff(old, new)
        if found is not None:
            pods_by_node.setdefault(_where(old, new), []).append(found)
    old_nodes = _listed_nodes(before, nodes_compared)
    new_nodes = _listed_nodes(after, nodes_compared)
    nodes: list[NodeDiff] = []
    for name in sorted(old_nodes.keys() | new_nodes.keys() | {n for n in pods_by_node if n}):
        old_node, new_node = old_nodes.get(name), new_nodes.get(name)
        pods = tuple(pods_by_node.get(name, ()))
        if old_node is None and new_node is not None:
            nodes.append(NodeDiff(name, "added", (), pods))
        elif new_node is None and old_node is not None:
            nodes.append(NodeDiff(name, "removed", (), pods))
        else:
            changes = _node_changes(old_node, new_node) if old_node and new_node else ()
            if changes or pods:
                nodes.append(NodeDiff(name, "changed", changes, pods))
    if None in pods_by_node:
        nodes.append(NodeDiff(None, "changed", (), tuple(pods_by_node[None])))
    return ClusterDiff(_side(before), _side(after), tuple(nodes), not_compared)


def changed_pods(diff: ClusterDiff) -> Iterable[PodDiff]:
    """Yield every pod the diff names, node by node."""
    for node in diff.nodes:
        yield from node.pods
