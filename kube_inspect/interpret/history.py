"""Pure: a journal's changes of one object into its story, in the tree's words.

Each version of the object is built as the tree builds it (build_pod, build_node,
build_workload) and judged by the one health table (interpret/health.py); what differs from
the version before becomes a ``Moment``. Times are the API server's own where it wrote
one (a container's startedAt/finishedAt, a condition's lastTransitionTime, an event's
lastTimestamp, creationTimestamp), else when the recorder saw the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from kube_inspect.interpret import fields
from kube_inspect.interpret.health import judge_pod
from kube_inspect.interpret.history_kinds import (
    about,
    event_versions,
    node_versions,
    workload_versions,
)
from kube_inspect.interpret.history_moments import Version, judged, moment
from kube_inspect.interpret.objects import build_pod
from kube_inspect.model.cluster import Container, Pod
from kube_inspect.model.history import History, Moment
from kube_inspect.model.journal import Change, ChangeType, Gap, ObjectKey

# history's KIND words (kubectl's, singular and plural) -> the journal's resource
RESOURCES = {
    "pod": "pods",
    "po": "pods",
    "node": "nodes",
    "no": "nodes",
    "deployment": "deployments",
    "deploy": "deployments",
    "statefulset": "statefulsets",
    "sts": "statefulsets",
    "daemonset": "daemonsets",
    "ds": "daemonsets",
    "job": "jobs",
}
KINDS = {
    "pods": "Pod",
    "nodes": "Node",
    "deployments": "Deployment",
    "statefulsets": "StatefulSet",
    "daemonsets": "DaemonSet",
    "jobs": "Job",
}
RESOURCES.update({plural: plural for plural in KINDS})
# A version is judged a little before it was seen: API timestamps are whole seconds
# (rounded down) and a pod deleted with no grace (--force, kwok) is gone a moment after
# its deletionTimestamp: only one still there past this slack is stuck.
DELETION_SLACK = timedelta(seconds=5)


def _condition_time(obj: Mapping[str, Any], kind: str, status: bool = True) -> Any:
    """Return when the condition became ``status``; None when it says otherwise (stale)."""
    for condition in fields.items(fields.mapping(obj.get("status")).get("conditions")):
        condition = fields.mapping(condition)
        if condition.get("type") == kind and condition.get("status") == str(status):
            return condition.get("lastTransitionTime")
    return None


def _container_status(obj: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    status = fields.mapping(obj.get("status"))
    for key in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"):
        for entry in fields.items(status.get(key)):
            if fields.mapping(entry).get("name") == name:
                return fields.mapping(entry)
    return fields.mapping(None)


def _state_time(obj: Mapping[str, Any], name: str) -> Any:
    state = fields.mapping(_container_status(obj, name).get("state"))
    running, done = fields.mapping(state.get("running")), fields.mapping(state.get("terminated"))
    return running.get("startedAt") or done.get("finishedAt")


def _state_words(container: Container) -> str:
    words = container.state.describe()
    return (
        f"{words}, not ready"
        if container.state.name == "running" and not container.ready
        else words
    )


def _restart_moment(change: Change, before: Container, after: Container) -> Moment:
    count = after.restarts - before.restarts
    last = after.last_termination
    text = f"container {after.name}: " + (
        f"restarted (restart {after.restarts})" if count == 1 else f"restarted {count} times"
    )
    killed = last is not None and last.reason == "OOMKilled"
    if last is not None and last.reason:
        exit_text = "" if last.exit_code is None else f" (exit {last.exit_code})"
        text += f": its last run ended {last.reason}{exit_text}"
    return moment(
        change,
        "oom-killed" if killed else "restart",
        text,
        None if last is None else last.finished_at,
        container=after.name,
        reason=None if last is None else last.reason,
        exit_code=None if last is None else last.exit_code,
    )


def _container_moments(change: Change, before: Container | None, after: Container) -> list[Moment]:
    found = []
    if before is not None and after.restarts > before.restarts:
        found.append(_restart_moment(change, before, after))
    was = None if before is None else (before.state, before.ready)
    if was != (after.state, after.ready) and after.state.name != "unknown":
        killed = after.state.name == "terminated" and after.state.reason == "OOMKilled"
        found.append(
            moment(
                change,
                "oom-killed" if killed else "container",
                f"container {after.name}: {_state_words(after)}",
                _state_time(change.object, after.name),
                container=after.name,
                reason=after.state.reason,
                exit_code=after.state.exit_code,
            )
        )
    return found


def _ready_words(pod: Pod) -> tuple[bool, str]:
    ready, total = pod.ready_count, len(pod.counted_containers)
    return ready == total and total > 0, f"{ready}/{total}"


def _pod_moments(change: Change, before: Pod | None, after: Pod) -> list[Moment]:
    """Return what changed from pod ``before`` (None: a new uid) to ``after``."""
    obj = change.object
    found = []
    if before is not None and after.node_name and before.node_name != after.node_name:
        at = _condition_time(obj, "PodScheduled")
        found.append(moment(change, "scheduled", f"scheduled to {after.node_name}", at))
    if before is None or before.shown_phase != after.shown_phase:
        found.append(moment(change, "phase", after.shown_phase))
    ready, count = _ready_words(after)
    if before is None or _ready_words(before) != (ready, count):
        words = f"ready {count}" if ready else f"not ready {count}"
        found.append(moment(change, "ready", words, _condition_time(obj, "Ready", ready)))
    earlier = {} if before is None else {c.name: c for c in before.containers}
    for container in after.containers:
        found += _container_moments(change, earlier.get(container.name), container)
    if after.deletion is not None and (before is None or before.deletion is None):
        grace = after.deletion.grace_seconds
        text = "deletion asked" + ("" if grace is None else f", {grace}s of grace")
        found.append(moment(change, "deleting", text))
    return found


def _created(change: Change, renewed: bool, node: str | None) -> Moment:
    """Return the moment a (new uid of the) object appeared."""
    meta = fields.mapping(change.object.get("metadata"))
    where = f" on {node}" if node else ""
    text = f"recreated{where}: a new uid" if renewed else "created" + where
    return moment(change, "created", text, meta.get("creationTimestamp"), node=node)


def _moved(found: list[Moment], gone_node: str | None, node: str | None) -> list[Moment]:
    """Return the moments with the new uid's placement on another node told as a move."""
    if not gone_node or not node or node == gone_node:
        return found
    text = f"moved: recreated on {node} (the pod before, of the same name, was on {gone_node})"
    return [
        replace(m, what="moved", text=text, node=node)
        if m.what == "scheduled" or (m.what == "created" and m.node)
        else m
        for m in found
    ]


def _incarnation(change: Change) -> tuple[str, str | None]:
    """Return what tells a pod from an earlier one of the same name: uid, else creation time.

    Journals whose pods were kept without their uid still tell a recreated pod apart.
    """
    meta = fields.mapping(change.object.get("metadata"))
    return change.uid, fields.text(meta.get("creationTimestamp"))


def pod_versions(changes: Iterable[Change]) -> list[Version]:
    """Return each version of one pod (of every uid it had), judged, in ``seq`` order.

    A pod of the same name with a new uid, placed on another node than the one before,
    has moved.
    """
    versions: list[Version] = []
    previous: Change | None = None
    model: Pod | None = None
    gone_node: str | None = None  # the node of the uid before, until the new one is placed
    for change in changes:
        if change.change is ChangeType.DELETED:
            node = None if model is None else model.node_name
            where = f" from {node}" if node else ""
            versions.append(judged(change, [moment(change, "deleted", "deleted" + where)], None))
            previous, model, gone_node = change, None, node or gone_node
            continue
        pod = build_pod(change.object, with_volumes=False, now=change.observed_at - DELETION_SLACK)
        found = []
        if model is None or previous is None or _incarnation(previous) != _incarnation(change):
            found.append(_created(change, previous is not None, pod.node_name))
            gone_node = gone_node or (model.node_name if model is not None else None)
            model = None
        found += _pod_moments(change, model, pod)
        if gone_node is not None and pod.node_name:
            found, gone_node = _moved(found, gone_node, pod.node_name), None
        versions.append(judged(change, found, judge_pod(pod)))
        previous, model = change, pod
    return versions


def versions_of(resource: str, changes: Iterable[Change]) -> list[Version]:
    """Return the judged versions of one object of ``resource`` (pods, nodes or a workload)."""
    if resource == "pods":
        return pod_versions(changes)
    if resource == "nodes":
        return node_versions(changes)
    return workload_versions(changes)


def tell_history(
    cluster: str,
    key: ObjectKey,
    changes: Iterable[Change],
    events: Iterable[Change] = (),
    gaps: Sequence[Gap] = (),
) -> History:
    """Return the story of the object ``key``: its own changes, and the events about it.

    ``events`` are Event changes; those about another object are left out. Moments are
    in the order the journal wrote their changes (``seq``).
    """
    kind = KINDS[key.resource]
    target = (kind, key.namespace or "", key.name)
    told = event_versions(e for e in events if about(e.object) == target)
    ordered = sorted([*versions_of(key.resource, changes), *told], key=lambda v: v.change.seq)
    moments = tuple(m for v in ordered for m in v.moments)
    return History(cluster, kind, key.namespace, key.name, moments, tuple(gaps))
