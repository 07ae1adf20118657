"""Pure resource arithmetic: what a pod asks for, computed as the scheduler computes it."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from kube_inspect.interpret import fields
from kube_inspect.model.cluster import NO_RESOURCES, Amounts, Cluster, Container, Node, Resources
from kube_inspect.model.cluster import add_resources as add
from kube_inspect.model.cluster import largest_resources as largest
from kube_inspect.model.cluster import total_resources as total
from kube_inspect.model.quantity import millicores, whole

_CPU_AND_MEMORY = frozenset(("cpu", "memory"))
NOT_REQUESTED = frozenset(("cpu", "memory", "pods"))  # ``pods`` is a node's count, apart


def resources_of(values: Mapping[str, Any]) -> Resources:
    """Return every resource of a ``requests``/``limits``/``usage``/``allocatable`` mapping.

    CPU and memory go to their fields; every other resource (but a node's ``pods``) to
    ``other``, in whole units, rounded up as Kubernetes does.
    """
    if not values:  # most containers set no limits, many no requests
        return NO_RESOURCES
    cpu, memory = values.get("cpu"), values.get("memory")
    try:
        amounts = _amounts(cpu, memory)
    except TypeError:  # not hashable, so not a quantity: let the parsers say None
        amounts = Resources(millicores(cpu), whole(memory))
    if len(values) <= 2 and values.keys() <= _CPU_AND_MEMORY:
        return amounts  # the common case: nothing else to read
    other = tuple(
        sorted(
            (str(name), amount)
            for name, text in values.items()
            if name not in NOT_REQUESTED and (amount := whole(text)) is not None
        )
    )
    return replace(amounts, other=other) if other else amounts


@functools.lru_cache(maxsize=4096)
def _amounts(cpu: Any, memory: Any) -> Resources:
    # Containers repeat a few (cpu, memory) pairs: one frozen Resources serves them all.
    amounts = Resources(millicores(cpu), whole(memory))
    return NO_RESOURCES if amounts == NO_RESOURCES else amounts


def container_resources(container: Mapping[str, Any]) -> tuple[Resources, Resources]:
    """Return a container spec's (requests, limits)."""
    spec = fields.mapping(container.get("resources"))
    return resources_of(fields.mapping(spec.get("requests"))), resources_of(
        fields.mapping(spec.get("limits"))
    )


def effective(
    app: Iterable[Resources], init: Iterable[tuple[Resources, bool]], overhead: Resources
) -> Resources:
    """Return a pod's effective requests or limits from its containers' amounts.

    As the scheduler computes it: the larger of (a) the app containers plus every native
    sidecar (an init container with ``restartPolicy: Always``) and (b) the largest
    moment of the init sequence, where an init container runs beside the sidecars started
    before it; then the pod overhead is added. ``init`` is in spec order, each amount
    with True when that init container is a sidecar.
    """
    steady = total(app)
    sidecars = init_peak = NO_RESOURCES
    for amount, sidecar in init:
        if sidecar:
            steady = add(steady, amount)
            sidecars = add(sidecars, amount)
            init_peak = largest(init_peak, sidecars)
        else:
            init_peak = largest(init_peak, add(amount, sidecars))
    return add(largest(steady, init_peak), overhead)


def containers_effective(
    containers: Iterable[Container], overhead: Resources
) -> tuple[Resources, Resources]:
    """Return a pod's effective (requests, limits) from its container models."""
    app = [c for c in containers if c.type == "app"]
    init = [(c, c.type == "sidecar") for c in containers if c.type in ("init", "sidecar")]
    requests = effective((c.requests for c in app), [(c.requests, s) for c, s in init], overhead)
    limits = effective((c.limits for c in app), [(c.limits, s) for c, s in init], overhead)
    return requests, limits


def free_extended(node: Node) -> Amounts:
    """Return what the node has free of each extended resource (``vendor/name``).

    Allocatable less what its pods request, as the scheduler counts: whole GPUs, MIG
    profiles (``nvidia.com/mig-1g.10gb``) and shared GPUs (``nvidia.com/gpu.shared``)
    alike. Only meaningful when every pod of the node was read (not with -n or -l).
    """
    requested = node.requested
    return tuple(
        (name, amount - (requested.amount(name) or 0))
        for name, amount in node.allocatable.other
        if "/" in name and amount
    )


def resource_names(cluster: Cluster) -> tuple[str, ...]:
    """Return the resources beyond cpu and memory the cluster has, sorted by name.

    A resource counts when a node has some of it allocatable or a pod asks for it:
    a kubelet's zero ``hugepages-1Gi`` is not worth a column.
    """
    names = {name for n in cluster.nodes for name, amount in n.allocatable.other if amount}
    for pod in cluster.pods:
        names.update(name for name, _ in pod.requests.other)
        names.update(name for name, _ in pod.limits.other)
    return tuple(sorted(names))


def known_resources(cluster: Cluster) -> tuple[str, ...]:
    """Return every resource a node lists or a pod asks for, zero amounts included."""
    zero = {name for n in cluster.nodes for name, _ in n.allocatable.other}
    return tuple(sorted(zero.union(resource_names(cluster))))
