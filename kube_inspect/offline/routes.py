"""Which recorded resource an API path reads: the one map recording and playback share."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The resources a snapshot holds, by the key it files them under, and the kind of each item.
KINDS = {
    "nodes": "Node",
    "pods": "Pod",
    "replicasets": "ReplicaSet",
    "jobs": "Job",
    "deployments": "Deployment",
    "statefulsets": "StatefulSet",
    "daemonsets": "DaemonSet",
    "nodemetrics": "NodeMetrics",
    "podmetrics": "PodMetrics",
    "events": "Event",
    "persistentvolumeclaims": "PersistentVolumeClaim",
    "deviceclasses": "DeviceClass",
    "resourceslices": "ResourceSlice",
    "resourceclaims": "ResourceClaim",
}
RESOURCES = tuple(KINDS)
NAMESPACED = frozenset(RESOURCES) - {"nodes", "nodemetrics", "deviceclasses", "resourceslices"}
METRICS = frozenset({"nodemetrics", "podmetrics"})  # metrics.k8s.io: not shaped spec/status
UNSHAPED = METRICS | {"events"}  # their fields are at the top level, beside no spec or status

_PREFIXES = {
    "/api/v1": {
        "nodes": "nodes",
        "pods": "pods",
        "events": "events",
        "persistentvolumeclaims": "persistentvolumeclaims",
    },
    "/apis/apps/v1": {
        "replicasets": "replicasets",
        "deployments": "deployments",
        "statefulsets": "statefulsets",
        "daemonsets": "daemonsets",
    },
    "/apis/batch/v1": {"jobs": "jobs"},
    "/apis/metrics.k8s.io/v1beta1": {"nodes": "nodemetrics", "pods": "podmetrics"},
    "/apis/resource.k8s.io/v1": {
        "deviceclasses": "deviceclasses",
        "resourceslices": "resourceslices",
        "resourceclaims": "resourceclaims",
    },
}
_PATH = re.compile(
    r"^(?P<prefix>/apis?(?:/[^/]+)?/v1(?:beta1)?)"
    r"(?:/namespaces/(?P<namespace>[^/]+))?/(?P<plural>[^/]+)(?:/(?P<name>[^/]+))?$"
)


@dataclass(frozen=True, slots=True)
class Route:
    """What a GET reads: a resource, maybe in one namespace, maybe one object by name."""

    resource: str
    namespace: str | None = None
    name: str | None = None


def route(path: str) -> Route | None:
    """Return what the GET of ``path`` reads, or None for a path no snapshot holds.

    ``/version`` is the resource ``version``; ``/api/v1/namespaces/NAME`` the object
    NAME of ``namespaces``.
    """
    if path == "/version":
        return Route("version")
    if path.startswith("/api/v1/namespaces") and path.count("/") <= 4:
        name = path.removeprefix("/api/v1/namespaces").strip("/") or None
        return Route("namespaces", name=name)
    found = _PATH.match(path)
    if found is None:
        return None
    resource = _PREFIXES.get(found["prefix"], {}).get(found["plural"])
    if resource is None:
        return None
    return Route(resource, found["namespace"], found["name"])
