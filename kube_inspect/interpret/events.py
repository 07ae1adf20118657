"""Pure: Warning events (core/v1 Event objects) to the latest few of each pod and node.

One LIST of the Warning events gives them all; this sorts them to their objects, keeps the
latest of each, and lets a pending pod's FailedScheduling or FailedMount event say why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from kube_inspect.interpret import fields
from kube_inspect.interpret.fields import ApiObject
from kube_inspect.interpret.scheduling import name_claims, pending_from_events
from kube_inspect.model.cluster import Cluster, Event, Node, Pod

EVENTS_KEPT = 5  # the latest Warning events kept per object
EventKey = tuple[str, str, str]  # (kind, namespace, name); a node's namespace is ""


def build_event(obj: ApiObject) -> tuple[EventKey, Event]:
    """Return the object an event is about, and the event.

    The count and last time come from the event's series when it has one (events.k8s.io
    writers such as the scheduler), else from the core fields, else from its creation.
    """
    meta, involved = fields.mapping(obj.get("metadata")), fields.mapping(obj.get("involvedObject"))
    series = fields.mapping(obj.get("series"))
    kind = str(involved.get("kind", ""))
    namespace = "" if kind == "Node" else str(involved.get("namespace") or "")
    count = series.get("count") or obj.get("count")
    last = (
        fields.text(series.get("lastObservedTime"))
        or fields.text(obj.get("lastTimestamp"))
        or fields.text(obj.get("eventTime"))
        or fields.text(meta.get("creationTimestamp"))
    )
    event = Event(
        reason=fields.text(obj.get("reason")) or "",
        message=(fields.text(obj.get("message")) or "").strip(),
        count=count if isinstance(count, int) and count > 0 else 1,
        last_seen=last,
    )
    return (kind, namespace, str(involved.get("name", ""))), event


def events_by_object(objects: Iterable[ApiObject]) -> dict[EventKey, tuple[Event, ...]]:
    """Return the latest EVENTS_KEPT events of each object, latest first."""
    found: defaultdict[EventKey, list[Event]] = defaultdict(list)
    for obj in objects:
        key, event = build_event(obj)
        found[key].append(event)
    return {
        key: tuple(sorted(events, key=_when, reverse=True)[:EVENTS_KEPT])
        for key, events in found.items()
    }


def _when(event: Event) -> tuple[str, str, str]:
    return event.last_seen or "", event.reason, event.message  # ISO 8601 UTC sorts as text


def with_events(
    cluster: Cluster,
    events: dict[EventKey, tuple[Event, ...]],
    *,
    show: bool,
    nodes_read: bool,
) -> Cluster:
    """Return the cluster with pending pods' reasons completed from ``events``.

    With ``show``, each pod (and, with ``nodes_read``, each node) also holds its events;
    without, events stay unread (None) and only pending pods use them.
    """

    def pod_with(pod: Pod) -> Pod:
        found = events.get(("Pod", pod.namespace, pod.name), ())
        pending = pod.pending
        if pod.phase == "Pending":
            pending = pending_from_events(pending, found)
            if pending is not pod.pending:  # an event's unbound claims, named when read
                pending = name_claims(pending, pod.volumes or ())
        if not show:
            return pod if pending is pod.pending else replace(pod, pending=pending)
        return replace(pod, pending=pending, events=found)

    def node_with(node: Node) -> Node:
        pods = tuple(pod_with(p) for p in node.pods)
        if not show:
            return replace(node, pods=pods)
        shown = events.get(("Node", "", node.name), ()) if nodes_read else None
        return replace(node, pods=pods, events=shown)

    return replace(
        cluster,
        nodes=tuple(node_with(n) for n in cluster.nodes),
        unscheduled=tuple(pod_with(p) for p in cluster.unscheduled),
    )


def event_words(event: Event) -> str:
    """Return an event on one line, its time as sent: ``BackOff (x12, last seen T): ...``."""
    times = f"x{event.count}, " if event.count > 1 else ""
    seen = f"{times}last seen {event.last_seen or 'at an unknown time'}"
    return f"{event.reason} ({seen}): {' '.join(event.message.split())}"
