"""An object's story, read from a journal: what happened to it, when, in the tree's words.

``kube-inspect history KIND/NAME`` tells a ``History``; ``history --problems`` and
``check --from JOURNAL --since`` list ``Problem`` values: when an object became unhealthy,
and why. Built by interpret/history.py from the journal's changes (model/journal.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from kube_inspect.model.journal import Gap

# What kind of moment: the JSON output's ``what`` (kube_inspect/schema/history-v1.json)
MomentKind = Literal[
    "created",  # the object appeared (its creationTimestamp)
    "scheduled",  # a pod was bound to a node
    "moved",  # a pod of the same name came back with a new uid on another node
    "phase",  # a pod's phase (as kubectl's STATUS shows it) changed
    "ready",  # a pod's readiness changed (READY n/m)
    "container",  # a container's state changed (waiting/running/terminated, reason, exit)
    "restart",  # a container restarted; its last run's end is the time
    "oom-killed",  # a container was killed for using more memory than its limit
    "deleting",  # deletion was asked (deletionTimestamp set)
    "deleted",  # the object is gone
    "event",  # an Event about the object (kept here when the API server forgot it)
    "status",  # a node's status words (Ready, NotReady, Unknown, pressures)
    "cordoned",
    "uncordoned",
    "tainted",
    "untainted",
    "replicas",  # a workload's ready replicas changed
    "rollout",  # a workload's spec changed (generation) or its rollout's progress
]
# Where the time comes from: a field the API server wrote, or when the recorder saw it
TimeSource = Literal["api", "observed"]


@dataclass(frozen=True, slots=True)
class Moment:
    """One thing that happened to an object.

    ``text`` is in the tree's words (``container app: waiting: CrashLoopBackOff``);
    ``verdict`` is the object's health after it (healthy, warning, failing; None where
    there is no judgement, as for events); ``uid`` tells a recreated pod from the one
    before (for an event, the uid of the object it is about); ``gone_at`` is, for an
    event, when the API server deleted it (its hour was up).
    """

    at: datetime
    what: MomentKind
    text: str
    time_source: TimeSource = "observed"
    observed_at: datetime | None = None
    verdict: str | None = None
    uid: str | None = None
    node: str | None = None
    container: str | None = None
    reason: str | None = None
    exit_code: int | None = None
    gone_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class History:
    """The story of one object (pod, node or workload) in a journal, oldest first."""

    cluster: str
    kind: str  # Pod, Node, Deployment, StatefulSet, DaemonSet, Job
    namespace: str | None
    name: str
    moments: tuple[Moment, ...]
    gaps: tuple[Gap, ...] = ()  # the times the recorder did not see the cluster

    @property
    def found(self) -> bool:
        """Return True when the journal holds anything about the object."""
        return bool(self.moments)


@dataclass(frozen=True, slots=True)
class Problem:
    """An object became unhealthy at ``at``, for ``reason`` (healthy again at ``cleared_at``)."""

    at: datetime
    kind: str
    namespace: str | None
    name: str
    verdict: str  # warning or failing
    reason: str
    cleared_at: datetime | None = None

    @property
    def reference(self) -> str:
        """Return ``kind/name`` as kubectl takes it: ``pod/web``."""
        return f"{self.kind.lower()}/{self.name}"
