"""Pure resource arithmetic: what a pod asks for, computed as the scheduler computes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube_inspect import fields
from kube_inspect.model import NO_RESOURCES, Resources
from kube_inspect.model import add_resources as add
from kube_inspect.model import total_resources as total
from kube_inspect.quantity import millicores, whole


def resources_of(values: Mapping[str, Any]) -> Resources:
    """Return the CPU and memory of a ``requests``/``limits``/``usage`` mapping."""
    return Resources(millicores(values.get("cpu")), whole(values.get("memory")))


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


def pod_effective(spec: Mapping[str, Any], which: int) -> Resources:
    """Return a pod's effective requests (``which=0``) or limits (``which=1``).

    As the scheduler computes it: the larger of (a) the app containers plus every native
    sidecar (an init container with ``restartPolicy: Always``) and (b) the largest
    moment of the init sequence, where an init container runs beside the sidecars started
    before it; then the pod overhead is added.
    """

    def amounts(key: str) -> list[tuple[Mapping[str, Any], Resources]]:
        containers = spec.get(key)
        items = containers if isinstance(containers, list) else []
        return [(fields.mapping(c), container_resources(fields.mapping(c))[which]) for c in items]

    steady = total(r for _, r in amounts("containers"))
    sidecars = NO_RESOURCES
    init_peak = NO_RESOURCES
    for container, amount in amounts("initContainers"):
        if container.get("restartPolicy") == "Always":
            steady = add(steady, amount)
            sidecars = add(sidecars, amount)
            init_peak = largest(init_peak, sidecars)
        else:
            init_peak = largest(init_peak, add(amount, sidecars))
    overhead = resources_of(fields.mapping(spec.get("overhead")))
    return add(largest(steady, init_peak), overhead)
