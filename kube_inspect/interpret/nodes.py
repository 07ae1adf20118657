"""Pure: node objects into the model: roles, readiness, taints, conditions, addresses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kube_inspect.interpret import fields
from kube_inspect.interpret.fields import ApiObject, labels_of
from kube_inspect.interpret.health import NODE_CONDITIONS
from kube_inspect.interpret.resources import resources_of
from kube_inspect.interpret.taints import taint_text, tainted_node
from kube_inspect.model.cluster import Node, Pod, Resources
from kube_inspect.model.quantity import whole

ROLE_LABEL_PREFIX = "node-role.kubernetes.io/"
LEGACY_ROLE_LABEL = "kubernetes.io/role"


def node_roles(labels: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the node's roles from its labels, sorted, as kubectl finds them."""
    roles = {k[len(ROLE_LABEL_PREFIX) :] for k in labels if k.startswith(ROLE_LABEL_PREFIX)}
    legacy = labels.get(LEGACY_ROLE_LABEL)
    if isinstance(legacy, str) and legacy:
        roles.add(legacy)
    return tuple(sorted(r for r in roles if r))


def node_ready(conditions: Iterable[Any]) -> bool | None:
    """Return True/False from the node's Ready condition, None when it is unknown."""
    for condition in conditions:
        condition = fields.mapping(condition)
        if condition.get("type") == "Ready":
            return {"True": True, "False": False}.get(str(condition.get("status")))
    return None


PRESSURES = tuple(NODE_CONDITIONS)  # the conditions that are bad news when True
ZONE_LABEL = "topology.kubernetes.io/zone"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"


def node_taints(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the node's taints as kubectl writes them: ``key=value:Effect``."""
    return tuple(taint_text(*taint) for taint in tainted_node(spec).taints)


def node_pressures(conditions: Iterable[Any]) -> tuple[str, ...]:
    """Return the pressure conditions that are True on the node."""
    true = {
        fields.text(fields.mapping(c).get("type"))  # a list, from a damaged file: no type
        for c in conditions
        if fields.mapping(c).get("status") == "True"
    }
    return tuple(p for p in PRESSURES if p in true)


def internal_ip(status: Mapping[str, Any]) -> str | None:
    """Return the node's InternalIP address."""
    for address in fields.items(status.get("addresses")):
        if fields.mapping(address).get("type") == "InternalIP":
            return fields.text(fields.mapping(address).get("address"))
    return None


def build_node(node: ApiObject, pods: Iterable[Pod], usage: Resources | None = None) -> Node:
    """Return the model of one node object holding the given pods."""
    meta, spec, status = (fields.mapping(node.get(k)) for k in ("metadata", "spec", "status"))
    labels = fields.mapping(meta.get("labels"))
    info = fields.mapping(status.get("nodeInfo"))
    allocatable = fields.mapping(status.get("allocatable"))
    return Node(
        name=str(meta.get("name", "")),
        roles=node_roles(fields.mapping(meta.get("labels"))),
        ready=node_ready(fields.items(status.get("conditions"))),
        unschedulable=spec.get("unschedulable") is True,
        kubelet_version=fields.text(info.get("kubeletVersion")),
        created=fields.text(meta.get("creationTimestamp")),
        pods=tuple(sorted(pods, key=pod_sort_key)),
        taints=node_taints(spec),
        pressures=node_pressures(fields.items(status.get("conditions"))),
        os=fields.text(info.get("operatingSystem")),
        arch=fields.text(info.get("architecture")),
        internal_ip=internal_ip(status),
        zone=fields.text(labels.get(ZONE_LABEL)),
        instance_type=fields.text(labels.get(INSTANCE_TYPE_LABEL)),
        allocatable=resources_of(allocatable),
        allocatable_pods=whole(allocatable.get("pods")),
        usage=usage,
        labels=labels_of(meta),
        capacity=tuple(
            sorted((str(k), str(v)) for k, v in fields.mapping(status.get("capacity")).items())
        ),
    )


def unlisted_node(name: str, pods: Iterable[Pod]) -> Node:
    """Return a node known only by its name: pods name it, but it was not read (listed=False)."""
    return Node(
        name=name,
        roles=(),
        ready=None,
        unschedulable=False,
        kubelet_version=None,
        created=None,
        pods=tuple(sorted(pods, key=pod_sort_key)),
        listed=False,
    )


def pod_sort_key(pod: Pod) -> tuple[str, str]:
    """Return the key pods are sorted by: namespace, then name."""
    return (pod.namespace, pod.name)
