"""Pure resource arithmetic: what a pod asks for, computed as the scheduler computes it."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from kube_inspect.build import fields
from kube_inspect.model.cluster import NO_RESOURCES, Container, Resources
from kube_inspect.model.cluster import add_resources as add
from kube_inspect.model.cluster import total_resources as total
from kube_inspect.model.quantity import millicores, whole


def resources_of(values: Mapping[str, Any]) -> Resources:
    """Return the CPU and memory of a ``requests``/``limits``/``usage`` mapping."""
    cpu, memory = values.get("cpu"), values.get("memory")
    try:
        return _amounts(cpu, memory)
    except TypeError:  # not hashable, so not a quantity: let the parsers say None
        return Resources(millicores(cpu), whole(memory))


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


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def largest(a: Resources, b: Resources) -> Resources:
    """Return the larger of two amounts, resource by resource."""
    return Resources(_max(a.cpu_m, b.cpu_m), _max(a.memory_bytes, b.memory_bytes))


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
