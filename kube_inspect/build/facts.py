"""Pure: the facts `explain` and the pictures tell beyond the tree, read from API objects.

Who owns a pod, its IP address, the volumes its containers share, why the scheduler
could not place it, a node's taints. Nothing here does I/O; every lookup has a default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kube_inspect.build import fields

PodKey = tuple[str, str]  # (namespace, name)


@dataclass(frozen=True, slots=True)
class Owner:
    """The controller that made a pod, and the workload above it when the name says so."""

    kind: str
    name: str
    workload_kind: str | None = None
    workload_name: str | None = None

    def describe(self) -> str:
        """Return ``ReplicaSet web-8bd6f4977 of Deployment web``, or ``Job migrate``."""
        text = f"{self.kind} {self.name}"
        return (
            f"{text} of {self.workload_kind} {self.workload_name}" if self.workload_kind else text
        )

    @property
    def workload(self) -> tuple[str, str]:
        """Return (kind, name) of the top workload: the Deployment above a ReplicaSet."""
        return (self.workload_kind or self.kind, self.workload_name or self.name)


@dataclass(frozen=True, slots=True)
class Volume:
    """A pod volume, what backs it, and which containers mount it where."""

    name: str
    source: str
    mounts: tuple[tuple[str, str], ...]  # (container, mount path)


@dataclass(frozen=True, slots=True)
class PodFacts:
    """What `explain` says about a pod beyond its phase and containers."""

    owner: Owner | None = None
    ip: str | None = None
    volumes: tuple[Volume, ...] = ()
    unschedulable_message: str | None = None
    last_termination: Mapping[str, str] | None = None  # container -> "Error (exit 1)"
    qos_class: str | None = None


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What `explain` says about a node beyond its status."""

    taints: tuple[str, ...] = ()
    labels: Mapping[str, str] | None = None
    capacity: Mapping[str, str] | None = None
    pressure: tuple[str, ...] = ()  # conditions such as MemoryPressure that are True


@dataclass(frozen=True, slots=True)
class Facts:
    """Facts for every pod and node read, by pod (namespace, name) and node name."""

    pods: Mapping[PodKey, PodFacts]
    nodes: Mapping[str, NodeFacts]

    def pod(self, namespace: str, name: str) -> PodFacts:
        """Return the facts of a pod, empty when it was not read."""
        return self.pods.get((namespace, name), PodFacts())

    def node(self, name: str) -> NodeFacts:
        """Return the facts of a node, empty when it was not read."""
        return self.nodes.get(name, NodeFacts())


def pod_owner(pod: Mapping[str, Any]) -> Owner | None:
    """Return the pod's controller; a ReplicaSet named ``<deployment>-<hash>`` names both."""
    meta = fields.mapping(pod.get("metadata"))
    refs = [fields.mapping(r) for r in fields.items(meta.get("ownerReferences"))]
    ref = next((r for r in refs if r.get("controller") is True), refs[0] if refs else None)
    if ref is None:
        return None
    kind, name = str(ref.get("kind", "")), str(ref.get("name", ""))
    template_hash = fields.mapping(meta.get("labels")).get("pod-template-hash")
    if kind == "ReplicaSet" and template_hash and name.endswith(f"-{template_hash}"):
        return Owner(kind, name, "Deployment", name[: -len(template_hash) - 1])
    return Owner(kind, name)


def _volume_source(volume: Mapping[str, Any]) -> str:
    kinds = [k for k in volume if k != "name"]
    return kinds[0] if kinds else "unknown"


def pod_volumes(pod: Mapping[str, Any]) -> tuple[Volume, ...]:
    """Return the pod's volumes with their mounts, leaving out the service account token."""
    spec = fields.mapping(pod.get("spec"))
    containers = [
        fields.mapping(c)
        for key in ("initContainers", "containers", "ephemeralContainers")
        for c in fields.items(spec.get(key))
    ]
    volumes = []
    for volume in map(fields.mapping, fields.items(spec.get("volumes"))):
        name = str(volume.get("name", ""))
        if name.startswith("kube-api-access-"):
            continue  # every pod has one: the API token, not something the user shares
        mounts = tuple(
            (str(c.get("name", "")), str(fields.mapping(m).get("mountPath", "")))
            for c in containers
            for m in fields.items(c.get("volumeMounts"))
            if fields.mapping(m).get("name") == name
        )
        volumes.append(Volume(name, _volume_source(volume), mounts))
    return tuple(volumes)


def _unschedulable_message(status: Mapping[str, Any]) -> str | None:
    for condition in map(fields.mapping, fields.items(status.get("conditions"))):
        if (
            condition.get("type") == "PodScheduled"
            and condition.get("status") == "False"
            and condition.get("reason") == "Unschedulable"
        ):
            return str(condition.get("message") or "")
    return None


def _last_terminations(status: Mapping[str, Any]) -> dict[str, str]:
    found = {}
    for key in ("initContainerStatuses", "containerStatuses"):
        for entry in map(fields.mapping, fields.items(status.get(key))):
            done = fields.mapping(fields.mapping(entry.get("lastState")).get("terminated"))
            if done:
                found[str(entry.get("name"))] = (
                    f"{done.get('reason') or 'Terminated'} (exit {done.get('exitCode')})"
                )
    return found


def build_pod_facts(pod: Mapping[str, Any]) -> PodFacts:
    """Return the facts of one pod object."""
    status = fields.mapping(pod.get("status"))
    return PodFacts(
        owner=pod_owner(pod),
        ip=status.get("podIP") or None,
        volumes=pod_volumes(pod),
        unschedulable_message=_unschedulable_message(status),
        last_termination=_last_terminations(status),
        qos_class=status.get("qosClass") or None,
    )


def _taint(taint: Mapping[str, Any]) -> str:
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint.get('key', '')}{value}:{taint.get('effect', '')}"


def build_node_facts(node: Mapping[str, Any]) -> NodeFacts:
    """Return the facts of one node object."""
    meta, spec, status = (fields.mapping(node.get(k)) for k in ("metadata", "spec", "status"))
    pressure = tuple(
        str(c.get("type"))
        for c in map(fields.mapping, fields.items(status.get("conditions")))
        if c.get("type") != "Ready" and c.get("status") == "True"
    )
    return NodeFacts(
        taints=tuple(_taint(fields.mapping(t)) for t in fields.items(spec.get("taints"))),
        labels={str(k): str(v) for k, v in fields.mapping(meta.get("labels")).items()},
        capacity={str(k): str(v) for k, v in fields.mapping(status.get("capacity")).items()},
        pressure=pressure,
    )


def build_facts(nodes: Iterable[Mapping[str, Any]], pods: Iterable[Mapping[str, Any]]) -> Facts:
    """Return the facts of every node and pod object."""
    pod_facts = {}
    for pod in pods:
        meta = fields.mapping(pod.get("metadata"))
        pod_facts[(str(meta.get("namespace", "")), str(meta.get("name", "")))] = build_pod_facts(
            pod
        )
    node_facts = {
        str(fields.mapping(n.get("metadata")).get("name", "")): build_node_facts(n) for n in nodes
    }
    return Facts(pods=pod_facts, nodes=node_facts)
