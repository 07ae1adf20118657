"""Pure: the versions of a node or a workload, and an object's events, as moments.

The pod's own walk is in interpret/history.py, which tells every kind's story from these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from kube_inspect.interpret import fields
from kube_inspect.interpret.events import build_event, event_words
from kube_inspect.interpret.health import judge_node
from kube_inspect.interpret.history_moments import Version, judged, moment
from kube_inspect.interpret.nodes import build_node
from kube_inspect.interpret.rollouts import judge_workload
from kube_inspect.interpret.workloads import build_workload
from kube_inspect.model.cluster import Node, Workload
from kube_inspect.model.history import Moment
from kube_inspect.model.journal import Change, ChangeType

UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable:NoSchedule"  # cordon's own taint


def _node_words(node: Node) -> str:
    ready = {True: "Ready", False: "NotReady", None: "Unknown"}[node.ready]
    return ",".join((ready, *node.pressures))


def _node_moments(change: Change, before: Node | None, after: Node) -> list[Moment]:
    found = []
    if before is None or _node_words(before) != _node_words(after):
        found.append(moment(change, "status", _node_words(after)))
    if before is not None and before.unschedulable != after.unschedulable:
        words = "cordoned: no new pod is placed here" if after.unschedulable else "uncordoned"
        found.append(moment(change, "cordoned" if after.unschedulable else "uncordoned", words))
    was = set() if before is None else set(before.taints)
    for taint in sorted(set(after.taints) - was - {UNSCHEDULABLE_TAINT}):
        found.append(moment(change, "tainted", f"tainted {taint}"))
    for taint in sorted(was - set(after.taints) - {UNSCHEDULABLE_TAINT}):
        found.append(moment(change, "untainted", f"untainted {taint}"))
    return found


def node_versions(changes: Iterable[Change]) -> list[Version]:
    """Return each version of one node, judged, in ``seq`` order."""
    versions: list[Version] = []
    model: Node | None = None
    for change in changes:
        if change.change is ChangeType.DELETED:
            versions.append(judged(change, [moment(change, "deleted", "deleted")], None))
            model = None
            continue
        node = build_node(change.object, ())
        found = []
        if model is None:
            created = fields.mapping(change.object.get("metadata")).get("creationTimestamp")
            found.append(moment(change, "created", "created", created))
        found += _node_moments(change, model, node)
        versions.append(judged(change, found, judge_node(node)))
        model = node
    return versions


def _job_words(obj: Mapping[str, Any]) -> tuple[str, str | None]:
    """Return a Job's counts (``active 1, succeeded 0, failed 2``) and its end, if over."""
    status = fields.mapping(obj.get("status"))
    counts = ", ".join(
        f"{k} {fields.count(status.get(k))}" for k in ("active", "succeeded", "failed")
    )
    for condition in map(fields.mapping, fields.items(status.get("conditions"))):
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return counts, str(condition.get("type"))
    return counts, None


def _workload_moments(change: Change, before: Workload | None, after: Workload) -> list[Moment]:
    found = []
    if change.key.resource == "jobs":
        counts, end = _job_words(change.object)
        found.append(moment(change, "replicas", counts))
        if end is not None:
            found.append(moment(change, "phase", end))
        return found
    if before is None or (before.ready, before.desired) != (after.ready, after.desired):
        found.append(moment(change, "replicas", f"ready {after.ready}/{after.desired}"))
    old, new = (None if before is None else before.rollout), after.rollout
    if old is not None and new is not None and old.generation != new.generation:
        found.append(moment(change, "rollout", f"spec changed (generation {new.generation})"))
    if (
        new is not None
        and new.progressing_reason
        and (old is None or old.progressing_reason != new.progressing_reason)
    ):
        message = f": {new.progressing_message}" if new.progressing_message else ""
        found.append(moment(change, "rollout", f"{new.progressing_reason}{message}"))
    return found


def _workload_verdict(change: Change, workload: Workload) -> tuple[str, str | None]:
    """Return the workload's verdict as every view judges it (interpret/rollouts.py), and why."""
    if change.key.resource == "jobs":
        end = _job_words(change.object)[1]
        return ("failing", "the Job failed") if end == "Failed" else ("healthy", None)
    judged = judge_workload(workload)
    if judged.verdict == "healthy":
        return "healthy", None
    return judged.verdict, f"{judged.key}: {judged.detail}" if judged.detail else judged.key


def workload_versions(changes: Iterable[Change]) -> list[Version]:
    """Return each version of one workload (Deployment, StatefulSet, DaemonSet, Job)."""
    versions: list[Version] = []
    model: Workload | None = None
    for change in changes:
        if change.change is ChangeType.DELETED:
            versions.append(judged(change, [moment(change, "deleted", "deleted")], None))
            model = None
            continue
        obj = {"kind": change.object.get("kind") or "", **change.object}
        workload = build_workload(obj)
        found = []
        if model is None:
            created = fields.mapping(change.object.get("metadata")).get("creationTimestamp")
            found.append(moment(change, "created", "created", created))
        found += _workload_moments(change, model, workload)
        verdict, reason = _workload_verdict(change, workload)
        versions.append(
            Version(change, tuple(replace(m, verdict=verdict) for m in found), verdict, reason)
        )
        model = workload
    return versions


def about(event: Mapping[str, Any]) -> tuple[str, str, str]:
    """Return the (kind, namespace, name) an Event object is about; a node's namespace is ""."""
    return build_event(event)[0]


def event_versions(changes: Iterable[Change]) -> list[Version]:
    """Return a moment for each new or repeated event; when one is deleted, say so on it.

    An event the API server deleted (its hour was up) stays in the story, with ``gone_at``.
    """
    versions: list[Version] = []
    last_seen: dict[str, tuple[int, str | None]] = {}
    where: dict[str, int] = {}  # event uid -> index of its latest version
    for change in changes:
        if change.change is ChangeType.DELETED:
            if change.uid in where:
                index = where[change.uid]
                kept = versions[index]
                gone = tuple(replace(m, gone_at=change.observed_at) for m in kept.moments)
                versions[index] = replace(kept, moments=gone)
            continue
        _, event = build_event(change.object)
        seen = (event.count, event.last_seen)
        if last_seen.get(change.uid) == seen:
            continue
        last_seen[change.uid] = seen
        kind = fields.text(change.object.get("type")) or "Normal"
        text = f"{kind} {event_words(event)}"
        found = moment(change, "event", text, event.last_seen, reason=event.reason)
        # the uid of an event's moment is its object's: which pod of that name it is about
        involved = fields.mapping(change.object.get("involvedObject"))
        found = replace(found, uid=fields.text(involved.get("uid")))
        where[change.uid] = len(versions)
        versions.append(Version(change, (found,), None, None))
    return versions
