"""The JSON view: the same hierarchy with a stable, versioned shape."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TextIO

import msgspec

from kube_inspect.interpret.resources import free_extended
from kube_inspect.model.cluster import (
    Claim,
    Cluster,
    Container,
    Deletion,
    Event,
    Node,
    Pending,
    Pod,
    Resources,
    Volume,
)
from kube_inspect.model.fleet import Member
from kube_inspect.render.devices import classes_list, pod_claim_dict, pools_list

SCHEMA_VERSION = 1


def resources_dict(amount: Resources | None) -> dict[str, Any] | None:
    """Return an amount as ``{"cpu_m": ..., "memory_bytes": ..., "other": {...}}``.

    ``other`` holds every other resource by its API name, in whole units (bytes for
    storage and hugepages). None when the amount is unknown.
    """
    if amount is None:
        return None
    return {
        "cpu_m": amount.cpu_m,
        "memory_bytes": amount.memory_bytes,
        "other": dict(amount.other),
    }


def pending_dict(pending: Pending | None) -> dict[str, Any] | None:
    """Return why a pod is pending: its causes with node counts (None when not pending)."""
    if pending is None:
        return None
    return {
        "summary": pending.describe(),
        "nodes": pending.nodes,
        "causes": [{"cause": c.text, "kind": c.kind, "nodes": c.nodes} for c in pending.causes],
        "source": pending.source,
        "message": pending.message,
    }


def events_list(events: tuple[Event, ...] | None) -> list[dict[str, Any]] | None:
    """Return the latest Warning events, latest first (None when they were not read)."""
    if events is None:
        return None
    return [
        {"reason": e.reason, "count": e.count, "last_seen": e.last_seen, "message": e.message}
        for e in events
    ]


def container_dict(container: Container) -> dict[str, Any]:
    """Return one container as the JSON shape holds it."""
    state = container.state
    return {
        "name": container.name,
        "type": container.type,
        "image": container.image,
        "state": state.name,
        "reason": state.reason,
        "exit_code": state.exit_code,
        "message": state.message,
        "ready": container.ready,
        "restarts": container.restarts,
        "started": container.started,
        "image_id": container.image_id,
        "last_termination": None
        if container.last_termination is None
        else {
            "reason": container.last_termination.reason,
            "exit_code": container.last_termination.exit_code,
            "finished_at": container.last_termination.finished_at,
        },
        "requests": resources_dict(container.requests),
        "limits": resources_dict(container.limits),
        "ports": list(container.ports),
        "usage": resources_dict(container.usage),
    }


def claim_dict(claim: Claim | None) -> dict[str, Any] | None:
    """Return a PersistentVolumeClaim as read (None when claims were not read)."""
    if claim is None:
        return None
    return {
        "name": claim.name,
        "phase": claim.phase,
        "volume": claim.volume,
        "storage_class": claim.storage_class,
        "capacity_bytes": claim.capacity_bytes,
        "access_modes": list(claim.access_modes),
    }


def volume_dict(volume: Volume) -> dict[str, Any]:
    """Return one pod volume: its source, what it names, and its claim when it has one."""
    return {
        "name": volume.name,
        "source": volume.source,
        "target": volume.target,
        "size_limit_bytes": volume.size_limit_bytes,
        "medium": volume.medium,
        "mounts": [{"container": c, "path": path} for c, path in volume.mounts],
        "claim": claim_dict(volume.claim),
    }


def deletion_dict(deletion: Deletion | None) -> dict[str, Any] | None:
    """Return a pod's deletion (None: not being deleted) as the JSON shape holds it."""
    if deletion is None:
        return None
    return {
        "at": deletion.at,
        "grace_period_seconds": deletion.grace_seconds,
        "overdue": deletion.overdue,
    }


def pod_dict(pod: Pod) -> dict[str, Any]:
    """Return one pod, with its containers, as the JSON shape holds it."""
    return {
        "namespace": pod.namespace,
        "name": pod.name,
        "node": pod.node_name,
        "phase": pod.phase,
        "status": pod.shown_phase,
        "deletion": deletion_dict(pod.deletion),
        "ready": pod.ready_count,
        "total": len(pod.counted_containers),
        "restarts": pod.restarts,
        "created": pod.created,
        "owner": pod.owner,
        "reason": pod.reason,
        "message": pod.message,
        "qos_class": pod.qos_class,
        "ip": pod.ip,
        "priority_class": pod.priority_class,
        "requests": resources_dict(pod.requests),
        "limits": resources_dict(pod.limits),
        "usage": resources_dict(pod.usage),
        "pending": pending_dict(pod.pending),
        "events": events_list(pod.events),
        "containers": [container_dict(c) for c in pod.containers],
        "volumes": None if pod.volumes is None else [volume_dict(v) for v in pod.volumes],
        "claims": [pod_claim_dict(c) for c in pod.claims],
    }


def node_dict(node: Node, pods_read: bool = True, partial: bool = False) -> dict[str, Any]:
    """Return one node, with its pods, as the JSON shape holds it.

    What was not read is null, never false or empty: a node known only because a pod
    names it (``listed`` false) has unknown status, roles, taints, pressures,
    schedulability and allocatable; when pods could not be read, the node's pods are
    unknown. ``requests``, ``limits`` and ``non_terminated_pod_count`` are the node's
    totals: null when only some of its pods were shown (``partial``: -n, -l,
    --problems), whose share ``selected_requests`` and ``selected_limits`` hold.
    """
    known = node.listed
    whole = pods_read and not partial
    return {
        "name": node.name,
        "listed": node.listed,
        "roles": list(node.roles) if known else None,
        "status": node.status if known else None,
        "ready": node.ready,
        "unschedulable": node.unschedulable if known else None,
        "kubelet_version": node.kubelet_version,
        "created": node.created,
        "pod_count": len(node.pods) if pods_read else None,
        "non_terminated_pod_count": node.active_pods if whole else None,
        "taints": list(node.taints) if known else None,
        "pressures": list(node.pressures) if known else None,
        "os": node.os,
        "arch": node.arch,
        "internal_ip": node.internal_ip,
        "zone": node.zone,
        "instance_type": node.instance_type,
        "allocatable": {**(resources_dict(node.allocatable) or {}), "pods": node.allocatable_pods}
        if known
        else None,
        "requests": resources_dict(node.requested) if whole else None,
        "limits": resources_dict(node.limited) if whole else None,
        "selected_requests": resources_dict(node.requested) if pods_read else None,
        "selected_limits": resources_dict(node.limited) if pods_read else None,
        "usage": resources_dict(node.usage),
        "events": events_list(node.events),
        "free": dict(free_extended(node)) if whole and known else None,
        "devices": pools_list(node.devices),
        "pods": [pod_dict(p) for p in node.pods] if pods_read else None,
    }


def cluster_body(cluster: Cluster) -> dict[str, Any]:
    """Return the cluster hierarchy, as the document's ``cluster`` holds it."""
    pods_read = "pods" not in cluster.unread
    return {
        "context": cluster.context,
        "server": cluster.server,
        "version": cluster.version,
        "node_count": len(cluster.nodes),
        "pod_count": len(cluster.pods) if pods_read else None,
        "container_count": cluster.container_count if pods_read else None,
        "nodes": [node_dict(n, pods_read, cluster.node_sums_partial) for n in cluster.nodes],
        "unscheduled": [pod_dict(p) for p in cluster.unscheduled] if pods_read else None,
        "notices": list(cluster.notices),
        "unread": list(cluster.unread),
        "pod_filter": list(cluster.pod_filter),
        "devices": pools_list(cluster.devices),
        "device_classes": classes_list(cluster.device_classes),
    }


def cluster_dict(cluster: Cluster) -> dict[str, Any]:
    """Return the whole document: ``schema_version`` and the cluster hierarchy."""
    return {"schema_version": SCHEMA_VERSION, "cluster": cluster_body(cluster)}


def member_dict(member: Member[Any], body: dict[str, Any] | None) -> dict[str, Any]:
    """Return one cluster of a fleet: ``body`` (what was read) with its context, or its error.

    A cluster that failed keeps the keys a script reads first (context, server, version)
    and says why in ``error``; one that was read has ``error`` null. ``warnings`` are
    its forbidden reads.
    """
    head = {"context": member.context, "server": member.server}
    if body is None:
        return {**head, "version": None, "error": member.error, "warnings": list(member.warnings)}
    return {**body, **head, "error": None, "warnings": list(member.warnings)}


def fleet_dict(members: Sequence[Member[Cluster]]) -> dict[str, Any]:
    """Return the document of many clusters: ``schema_version`` and one cluster per context."""
    return {
        "schema_version": SCHEMA_VERSION,
        "clusters": [
            member_dict(m, None if m.value is None else cluster_body(m.value)) for m in members
        ],
    }


def fleet_rows_document(
    key: str, members: Sequence[Member[Any]], documents: Sequence[dict[str, Any] | None]
) -> dict[str, Any]:
    """Return a flat view's document over many clusters: every row with its ``context``.

    ``documents`` are each member's own flat document (None for a cluster that failed);
    ``clusters`` says how each cluster went, ``notices`` are prefixed with their context.
    """
    rows: list[dict[str, Any]] = []
    notices: list[str] = []
    unread: set[str] = set()
    clusters = []
    for member, doc in zip(members, documents, strict=True):
        summary: dict[str, Any] = {"version": None, "notices": [], "unread": []}
        if doc is not None and member.value is not None:
            rows += [{"context": member.context, **row} for row in doc[key]]
            notices += [f"{member.context}: {n}" for n in doc["notices"]]
            unread.update(doc["unread"])
            summary = {
                "version": member.value.version,
                "notices": doc["notices"],
                "unread": doc["unread"],
            }
        clusters.append({**member_dict(member, None), **summary, "error": member.error})
    return {
        "schema_version": SCHEMA_VERSION,
        key: rows,
        "notices": notices,
        "unread": sorted(unread),
        "clusters": clusters,
    }


def nodes_document(cluster: Cluster) -> dict[str, Any]:
    """Return the flat `nodes` view: every node without its pods."""
    nodes = []
    for node in cluster.nodes:
        doc = node_dict(node, "pods" not in cluster.unread, cluster.node_sums_partial)
        del doc["pods"]
        nodes.append(doc)
    return {
        "schema_version": SCHEMA_VERSION,
        "nodes": nodes,
        "notices": list(cluster.notices),
        "unread": list(cluster.unread),
        "pod_filter": list(cluster.pod_filter),
    }


def pods_document(cluster: Cluster, listed: Sequence[Pod] | None = None) -> dict[str, Any]:
    """Return the flat `pods` view: every pod (in ``listed``'s order) with its containers."""
    pods = [pod_dict(p) for p in (cluster.pods if listed is None else listed)]
    return {
        "schema_version": SCHEMA_VERSION,
        "pods": pods,
        "notices": list(cluster.notices),
        "unread": list(cluster.unread),
    }


def containers_document(cluster: Cluster, listed: Sequence[Pod] | None = None) -> dict[str, Any]:
    """Return the flat `containers` view: every container with its pod and node."""
    containers = [
        {"namespace": p.namespace, "pod": p.name, "node": p.node_name, **container_dict(c)}
        for p in (cluster.pods if listed is None else listed)
        for c in p.containers
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "containers": containers,
        "notices": list(cluster.notices),
        "unread": list(cluster.unread),
    }


def write_json(document: dict[str, Any], out: TextIO) -> None:
    """Write a document as indented JSON to ``out``, as ``json.dump(indent=2)`` writes it.

    msgspec encodes and indents in C: the standard library's indenting encoder is pure
    Python and took most of `tree -o json`'s time at 30,000 pods.
    """
    # the line end written apart: ``data + b"\n"`` was one more copy of the whole document
    data = msgspec.json.format(msgspec.json.encode(document), indent=2)
    if data.isascii() and b"\x7f" not in data and hasattr(out, "buffer"):
        out.flush()
        out.buffer.write(data)  # ASCII is the same bytes in any encoding: no copy as text
        out.buffer.write(b"\n")
        out.buffer.flush()
        return
    # escaped as json.dump's ensure_ascii does, so any terminal can print it
    out.write(_NON_ASCII.sub(_escape, data.decode()))
    out.write("\n")


_NON_ASCII = re.compile(r"[^\x00-\x7e]")  # json.dump's ensure_ascii also escapes DEL


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the BMP: a UTF-16 surrogate pair, as JSON requires
    return f"\\u{0xD800 | code >> 10:04x}\\u{0xDC00 | code & 0x3FF:04x}"


def render_json(cluster: Cluster, out: TextIO) -> None:
    """Write the cluster as indented JSON to ``out``."""
    write_json(cluster_dict(cluster), out)
