"""Pure functions that turn API objects (plain dicts) into the Cluster hierarchy.

Nothing here does I/O. Objects may miss any field: the API server omits empty ones, and a
restricted user may see only part of a cluster, so every lookup has a default.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from kube_inspect.model import (
    Cluster,
    Container,
    ContainerState,
    ContainerType,
    Node,
    Pod,
)

ApiObject = Mapping[str, Any]

ROLE_LABEL_PREFIX = "node-role.kubernetes.io/"
LEGACY_ROLE_LABEL = "kubernetes.io/role"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


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
        condition = _mapping(condition)
        if condition.get("type") == "Ready":
            return {"True": True, "False": False}.get(str(condition.get("status")))
    return None


def container_state(status: Mapping[str, Any]) -> ContainerState:
    """Return the current state of a container from its containerStatus entry."""
    state = _mapping(status.get("state"))
    if "running" in state:
        return ContainerState("running")
    if "waiting" in state:
        waiting = _mapping(state["waiting"])
        return ContainerState(
            "waiting",
            _str_or_none(waiting.get("reason")),
            None,
            _str_or_none(waiting.get("message")),
        )
    if "terminated" in state:
        done = _mapping(state["terminated"])
        exit_code = done.get("exitCode")
        return ContainerState(
            "terminated",
            _str_or_none(done.get("reason")) or "Terminated",
            exit_code if isinstance(exit_code, int) else None,
            _str_or_none(done.get("message")),
        )
    return ContainerState("unknown")


def _container(spec: Any, kind: ContainerType, statuses: Mapping[str, Any]) -> Container:
    spec = _mapping(spec)
    name = str(spec.get("name", ""))
    status = _mapping(statuses.get(name))
    if kind == "init" and spec.get("restartPolicy") == "Always":
        kind = "sidecar"
    return Container(
        name=name,
        type=kind,
        image=str(spec.get("image") or status.get("image") or ""),
        state=container_state(status),
        ready=status.get("ready") is True,
        restarts=_int(status.get("restartCount")),
    )


def _statuses_by_name(status: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {
        str(_mapping(s).get("name")): s for s in _list(status.get(key)) if isinstance(s, Mapping)
    }


def build_containers(pod: ApiObject) -> tuple[Container, ...]:
    """Return the pod's containers in spec order: init and sidecars, app, ephemeral."""
    spec, status = _mapping(pod.get("spec")), _mapping(pod.get("status"))
    groups: tuple[tuple[str, str, ContainerType], ...] = (
        ("initContainers", "initContainerStatuses", "init"),
        ("containers", "containerStatuses", "app"),
        ("ephemeralContainers", "ephemeralContainerStatuses", "ephemeral"),
    )
    return tuple(
        _container(c, kind, _statuses_by_name(status, status_key))
        for spec_key, status_key, kind in groups
        for c in _list(spec.get(spec_key))
    )


def build_pod(pod: ApiObject) -> Pod:
    """Return the model of one pod object."""
    meta, spec, status = (_mapping(pod.get(k)) for k in ("metadata", "spec", "status"))
    return Pod(
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        node_name=_str_or_none(spec.get("nodeName")),
        phase=_str_or_none(status.get("phase")) or "Unknown",
        created=_str_or_none(meta.get("creationTimestamp")),
        containers=build_containers(pod),
    )


def build_node(node: ApiObject, pods: Iterable[Pod]) -> Node:
    """Return the model of one node object holding the given pods."""
    meta, spec, status = (_mapping(node.get(k)) for k in ("metadata", "spec", "status"))
    return Node(
        name=str(meta.get("name", "")),
        roles=node_roles(_mapping(meta.get("labels"))),
        ready=node_ready(_list(status.get("conditions"))),
        unschedulable=spec.get("unschedulable") is True,
        kubelet_version=_str_or_none(_mapping(status.get("nodeInfo")).get("kubeletVersion")),
        created=_str_or_none(meta.get("creationTimestamp")),
        pods=tuple(sorted(pods, key=pod_sort_key)),
    )


def pod_sort_key(pod: Pod) -> tuple[str, str]:
    """Return the key pods are sorted by: namespace, then name."""
    return (pod.namespace, pod.name)


def build_cluster(
    *,
    context: str,
    server: str,
    version: str,
    nodes: Iterable[ApiObject],
    pods: Iterable[ApiObject],
    only_nodes_with_pods: bool = False,
) -> Cluster:
    """Return the hierarchy: nodes by name holding their pods, then unscheduled pods.

    A pod bound to a node that is not in ``nodes`` gets a node known only by its name
    (``listed=False``). With ``only_nodes_with_pods``, nodes holding no pod are left
    out, for views filtered to some pods (such as one namespace).
    """
    by_node: defaultdict[str | None, list[Pod]] = defaultdict(list)
    for obj in pods:
        pod = build_pod(obj)
        by_node[pod.node_name].append(pod)
    unscheduled = tuple(sorted(by_node.pop(None, []), key=pod_sort_key))
    models = {}
    for obj in nodes:
        model = build_node(obj, by_node.pop(str(_mapping(obj.get("metadata")).get("name")), []))
        if model.pods or not only_nodes_with_pods:
            models[model.name] = model
    for name, node_pods in by_node.items():
        models[str(name)] = Node(
            name=str(name),
            roles=(),
            ready=None,
            unschedulable=False,
            kubelet_version=None,
            created=None,
            pods=tuple(sorted(node_pods, key=pod_sort_key)),
            listed=False,
        )
    return Cluster(
        context=context,
        server=server,
        version=version,
        nodes=tuple(models[name] for name in sorted(models)),
        unscheduled=unscheduled,
    )
