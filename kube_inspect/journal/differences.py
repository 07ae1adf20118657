"""What the recorder writes: the objects it follows, and the changes between two lists (pure).

A relist (at start, after 410 Gone, after a gap) is compared with what the journal last
held: only the differences are written, as ADDED, MODIFIED or DELETED, so a relist never
invents a change. An object is compared by what a snapshot keeps of it, less its
resourceVersion: a change of a field no view reads (managedFields, an annotation not
kept) is not a change here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import msgspec

from kube_inspect.model.journal import Change, ChangeType, ObjectKey
from kube_inspect.offline.kept import kept
from kube_inspect.read.plan import WARNINGS, Read, plan_reads
from kube_inspect.read.selection import Selection

# the plan's resource names, as a snapshot files them (offline.routes.KINDS)
RESOURCE_KEYS = {"metrics/nodes": "nodemetrics", "metrics/pods": "podmetrics"}
SAMPLED = frozenset({"nodemetrics", "podmetrics"})  # not watched: sampled at an interval
_ENCODER = msgspec.json.Encoder(order="sorted")


@dataclass(frozen=True, slots=True)
class Seen:
    """What the recorder remembers of an object it wrote: enough to tell a change."""

    uid: str
    digest: bytes


@dataclass(frozen=True, slots=True)
class Followed:
    """One LIST the recorder lists, then watches (or samples): a read of the plan."""

    resource: str  # the key of offline.routes.KINDS
    read: Read

    @property
    def label(self) -> str:
        """Return what it is called on stderr: ``pods``, ``pods in shop``."""
        where = "" if self.read.namespace is None else f" in {self.read.namespace}"
        return f"{self.resource}{where}"


def recorded_reads(selection: Selection) -> tuple[Followed, ...]:
    """Return what the recorder follows for ``selection``: all a snapshot of it holds.

    The plan of a snapshot's read (nodes, pods, claims, owners, workloads, usage), and
    every event (Normal ones too, not only the Warnings a view reads: replayed, the
    field selector picks the Warnings as the API server would).
    """
    chosen = replace(
        selection,
        with_nodes=True,
        with_owners=True,
        with_workloads=True,
        with_volumes=True,
        with_events=True,
        with_usage=True,
    )
    plan = plan_reads(chosen)
    events = tuple(
        replace(r, query=tuple(q for q in r.query if q not in WARNINGS)) for r in plan.events
    )
    metrics = (plan.node_metrics,) if plan.node_metrics is not None else ()
    reads = (
        *plan.nodes,
        *plan.pods,
        *plan.claims,
        *plan.owners,
        *plan.workloads,
        *events,
        *metrics,
        *plan.pod_metrics,
    )
    return tuple(Followed(RESOURCE_KEYS.get(r.resource, r.resource), r) for r in reads)


def key_of(resource: str, obj: Mapping[str, Any]) -> ObjectKey:
    """Return the journal's key of ``obj``, an object of ``resource``."""
    meta = obj.get("metadata") or {}
    return ObjectKey(resource, meta.get("namespace") or None, str(meta.get("name") or ""))


def digest(obj: Mapping[str, Any]) -> bytes:
    """Return a fingerprint of what is kept of ``obj``, its resourceVersion and kind left out."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "resourceVersion"}
    body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    return hashlib.blake2b(_ENCODER.encode({**body, "metadata": meta}), digest_size=16).digest()


def change_of(
    cluster: str, resource: str, obj: dict[str, Any], kind: ChangeType, at: datetime
) -> Change:
    """Return the change that writes ``obj`` (already kept) of ``resource`` seen at ``at``."""
    meta = obj.get("metadata") or {}
    return Change(
        seq=0,
        cluster=cluster,
        observed_at=at,
        change=kind,
        key=key_of(resource, obj),
        uid=str(meta.get("uid") or ""),
        resource_version=str(meta.get("resourceVersion") or ""),
        object=obj,
    )


def watched_change(
    cluster: str,
    resource: str,
    event: str,
    raw: Mapping[str, Any],
    seen: dict[ObjectKey, Seen],
    at: datetime,
) -> Change | None:
    """Return the change a watch event makes (None when nothing kept changed); update ``seen``."""
    obj = kept(resource, raw)
    key = key_of(resource, obj)
    uid = str((obj.get("metadata") or {}).get("uid") or "")
    if event == "DELETED":
        if seen.pop(key, None) is None:
            return None  # never seen (e.g. deleted before it matched): nothing to say
        return change_of(cluster, resource, obj, ChangeType.DELETED, at)
    fingerprint = digest(obj)
    before = seen.get(key)
    if before == Seen(uid, fingerprint):
        return None
    seen[key] = Seen(uid, fingerprint)
    kind = ChangeType.MODIFIED if before is not None and before.uid == uid else ChangeType.ADDED
    return change_of(cluster, resource, obj, kind, at)


def relisted_changes(
    cluster: str,
    resource: str,
    listed: Iterable[Mapping[str, Any]],
    seen: dict[ObjectKey, Seen],
    last: Mapping[ObjectKey, dict[str, Any]],
    at: datetime,
) -> list[Change]:
    """Return the differences between a fresh LIST and what was seen; update ``seen``.

    ``seen`` holds the objects of this one read (its namespace); ``last`` the last
    object written of each, for the DELETED changes of those the LIST no longer holds.
    A recreated object (another uid under the same name) is DELETED, then ADDED.
    """
    changes: list[Change] = []
    fresh: dict[ObjectKey, dict[str, Any]] = {}
    for raw in listed:
        obj = kept(resource, raw)
        fresh[key_of(resource, obj)] = obj
    for key in sorted(set(seen) - set(fresh), key=_order):
        del seen[key]
        gone = last.get(key)
        if gone is not None:
            changes.append(change_of(cluster, resource, gone, ChangeType.DELETED, at))
    for key in sorted(fresh, key=_order):
        obj = fresh[key]
        uid = str((obj.get("metadata") or {}).get("uid") or "")
        now = Seen(uid, digest(obj))
        before = seen.get(key)
        if before == now:
            continue
        if before is not None and before.uid != uid and key in last:
            changes.append(change_of(cluster, resource, last[key], ChangeType.DELETED, at))
            before = None
        seen[key] = now
        kind = ChangeType.ADDED if before is None else ChangeType.MODIFIED
        changes.append(change_of(cluster, resource, obj, kind, at))
    return changes


def _order(key: ObjectKey) -> tuple[str, str]:
    return (key.namespace or "", key.name)
