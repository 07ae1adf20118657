"""What a snapshot keeps of each object it records: what the views read, no secret.

Snapshots are files people attach to tickets. An object is kept through an allow-list,
field by field (``KEPT``): whatever is not named is dropped, so a field the API adds
later is left out, not leaked. Nothing kept can hold a secret: no pod template (its env
values, ``valueFrom``, command lines), no annotation beyond ``ANNOTATIONS_KEPT`` (so no
``kubectl.kubernetes.io/last-applied-configuration``, which repeats every value), no
``managedFields``. Pods are narrowed first by the pod decoder (kube/decode.py, which
keeps no env, no command and no annotation); here they lose what a pod of an unexpected
shape, decoded whole, would still carry. Labels are kept: the views show them and
selectors read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Numbers the deployment controller writes, read by `kubectl rollout status`/`history`.
ANNOTATIONS_KEPT = frozenset(
    {
        "deployment.kubernetes.io/revision",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
    }
)

Shape = Mapping[str, "Shape | bool"]  # True: the whole value; a Shape: those keys of it
WHOLE = True

# ObjectMeta, less managedFields, selfLink and annotations (filtered apart)
METADATA: Shape = dict.fromkeys(
    (
        "name",
        "generateName",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "ownerReferences",
        "finalizers",
    ),
    WHOLE,
)
_TOP: Shape = {"apiVersion": WHOLE, "kind": WHOLE, "metadata": METADATA}

NODE: Shape = {
    **_TOP,
    "spec": dict.fromkeys(("unschedulable", "taints", "podCIDR", "podCIDRs", "providerID"), WHOLE),
    "status": dict.fromkeys(
        ("capacity", "allocatable", "conditions", "addresses", "nodeInfo", "phase"), WHOLE
    ),
}
# Deployments, ReplicaSets, StatefulSets, DaemonSets and Jobs: the spec without its pod
# template (and claim templates), the status whole (counts, conditions, revisions)
WORKLOAD_SPEC = (
    *("replicas", "selector", "minReadySeconds", "revisionHistoryLimit", "paused"),
    *("strategy", "progressDeadlineSeconds", "serviceName", "podManagementPolicy"),
    *("updateStrategy", "persistentVolumeClaimRetentionPolicy", "ordinals"),
    *("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "suspend"),
    *("backoffLimitPerIndex", "maxFailedIndexes", "completionMode", "manualSelector"),
    *("ttlSecondsAfterFinished", "podReplacementPolicy", "successPolicy", "managedBy"),
)
WORKLOAD: Shape = {**_TOP, "spec": dict.fromkeys(WORKLOAD_SPEC, WHOLE), "status": WHOLE}
CLAIM: Shape = {
    **_TOP,
    "spec": dict.fromkeys(
        ("accessModes", "resources", "storageClassName", "volumeName", "volumeMode"), WHOLE
    ),
    "status": WHOLE,
}
EVENT: Shape = {
    **_TOP,
    **dict.fromkeys(
        (
            *("involvedObject", "reason", "message", "type", "count", "series", "source"),
            *("firstTimestamp", "lastTimestamp", "eventTime", "reportingComponent"),
            *("reportingInstance", "action"),
        ),
        WHOLE,
    ),
}
# DRA: what the device views read. A slice's devices keep their attributes and capacity
# (model, memory), not their bindings or taints; a claim its requests and allocation
# (devices, who it is reserved for), not a device's opaque driver config.
_SELECTORS: Shape = {"cel": {"expression": WHOLE}}
DEVICE_CLASS: Shape = {**_TOP, "spec": {"selectors": _SELECTORS}}
RESOURCE_SLICE: Shape = {
    **_TOP,
    "spec": {
        **dict.fromkeys(("driver", "pool", "nodeName", "allNodes", "nodeSelector"), WHOLE),
        "devices": dict.fromkeys(("name", "attributes", "capacity"), WHOLE),
    },
}
_EXACTLY: Shape = {
    **dict.fromkeys(("deviceClassName", "allocationMode", "count"), WHOLE),
    "selectors": _SELECTORS,
}
RESOURCE_CLAIM: Shape = {
    **_TOP,
    "spec": {
        "devices": {"requests": {"name": WHOLE, "exactly": _EXACTLY, "firstAvailable": _EXACTLY}}
    },
    "status": {
        "allocation": {
            "devices": {"results": dict.fromkeys(("request", "driver", "pool", "device"), WHOLE)},
            "nodeSelector": WHOLE,
        },
        "reservedFor": WHOLE,
    },
}
METRICS: Shape = {**_TOP, **dict.fromkeys(("timestamp", "window", "usage", "containers"), WHOLE)}
# what a container of a pod decoded whole may still carry, and no view reads
_CONTAINER_SECRETS = ("env", "envFrom", "command", "args", "lifecycle")
_POD_CONTAINERS = ("initContainers", "containers", "ephemeralContainers")

KEPT: Mapping[str, Shape] = {
    "nodes": NODE,
    "replicasets": WORKLOAD,
    "jobs": WORKLOAD,
    "deployments": WORKLOAD,
    "statefulsets": WORKLOAD,
    "daemonsets": WORKLOAD,
    "nodemetrics": METRICS,
    "podmetrics": METRICS,
    "events": EVENT,
    "persistentvolumeclaims": CLAIM,
    "deviceclasses": DEVICE_CLASS,
    "resourceslices": RESOURCE_SLICE,
    "resourceclaims": RESOURCE_CLAIM,
}


def kept(resource: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """Return what a snapshot keeps of ``obj``, an object of ``resource`` (see ``KEPT``)."""
    if resource == "pods":
        return _kept_pod(obj)
    return _shaped(obj, KEPT.get(resource, _TOP))


def _shaped(value: Mapping[str, Any], shape: Shape) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, inner in shape.items():
        if key not in value:
            continue
        found[key] = _value(value[key], inner)
    if shape is METADATA:
        annotations = _annotations(value.get("annotations"))
        if annotations:
            found["annotations"] = annotations
    return found


def _value(value: Any, shape: Shape | bool) -> Any:
    if isinstance(shape, bool):
        return value
    if isinstance(value, Mapping):
        return _shaped(value, shape)
    if isinstance(value, list):  # e.g. a list of conditions: each item so shaped
        return [_shaped(v, shape) if isinstance(v, Mapping) else v for v in value]
    return value


def _annotations(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    return {k: v for k, v in value.items() if k in ANNOTATIONS_KEPT}


def _kept_pod(pod: Mapping[str, Any]) -> dict[str, Any]:
    """Return the pod with its metadata kept as every object's, and no container secret."""
    found = dict(pod)
    if isinstance(pod.get("metadata"), Mapping):
        found["metadata"] = _shaped(pod["metadata"], METADATA)
    spec = pod.get("spec")
    if isinstance(spec, Mapping) and any(k in spec for k in _POD_CONTAINERS):
        found["spec"] = spec = dict(spec)
        for key in _POD_CONTAINERS:
            if isinstance(spec.get(key), list):
                spec[key] = [_without_secrets(c) for c in spec[key]]
    return found


def _without_secrets(container: Any) -> Any:
    if not isinstance(container, Mapping):
        return container
    return {k: v for k, v in container.items() if k not in _CONTAINER_SECRETS}
