"""The reads beside nodes and pods: claims, Warning events and workloads, from the answers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kube_inspect.errors import NotFound
from kube_inspect.interpret.events import events_by_object, with_events
from kube_inspect.interpret.workloads import build_workload
from kube_inspect.model.cluster import Cluster, Workload
from kube_inspect.read.gather import Answers, gathered, items, optional
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.plan import WORKLOAD_KINDS, ReadPlan
from kube_inspect.read.selection import Selection
from kube_inspect.read.sending import Sender


def read_claims(
    answers: Answers, plan: ReadPlan, selection: Selection, forbidden: ForbiddenReads | None
) -> tuple[list[dict[str, Any]] | None, list[str]]:
    """Return the PersistentVolumeClaims (one LIST per namespace of the pods), when wanted.

    None when not wanted or not read: forbidden (noted as a partial result), or not
    served (a file of nodes and pods only), which the notices returned say.
    """
    if not plan.claims:
        return None, []
    effect = (
        "claims shown by name only, without phase, volume or capacity"
        if selection.with_volumes
        else "pods' claims are not judged (Pending, Lost or missing)"
    )
    try:
        found, _ = gathered(
            forbidden,
            "persistentvolumeclaims",
            plan.claims,
            lambda reads: items(answers, reads),
            None,
            effect,
        )
    except NotFound as e:  # "persistentvolumeclaims are not in the file"
        why = str(e).removeprefix("not found: ")
        if forbidden is not None and selection.with_claims:  # check: the rule is not checked
            forbidden.unavailable("persistentvolumeclaims", why, effect)
            return None, []
        return None, [f"{why}: {effect}"]
    if any(claims is None for claims in found):  # a claim not read is unknown, not missing
        return None, []
    return [claim for claims in found if claims is not None for claim in claims], []


def _any_pending(cluster: Cluster) -> bool:
    """Return True when some pod is Pending (without copying 30,000 pods into one tuple)."""
    if any(p.phase == "Pending" for p in cluster.unscheduled):
        return True
    return any(p.phase == "Pending" for n in cluster.nodes for p in n.pods)


def read_events(
    sender: Sender,
    answers: Answers,
    plan: ReadPlan,
    selection: Selection,
    cluster: Cluster,
    forbidden: ForbiddenReads | None,
) -> Cluster:
    """Return the cluster with Warning events (one LIST per namespace), when they are wanted.

    They are when the view shows them (--events, explain: sent with the rest), or when a
    pod is Pending: its FailedScheduling or FailedMount event may say why (sent now).
    With no pod pending and no events shown, nothing is sent (the fast path). Asked for,
    a forbidden read is a partial result; read only for pending pods, it is a notice.
    """
    if plan.events_when == "pending":
        if not _any_pending(cluster):
            return cluster
        answers.update({read: sender.send(read) for read in plan.events})
    objects: list[dict[str, Any]] | None
    if selection.with_events:
        found, allowed = gathered(
            forbidden,
            "events",
            plan.events,
            lambda reads: items(answers, reads),
            None,
            "Warning events not shown",
        )
        objects = [e for events in found if events is not None for e in events]
        if not allowed:
            return cluster
    else:
        notices: list[str] = []
        effect = "pending pods are explained from their own status only"
        objects = optional(lambda: items(answers, plan.events), "events", effect, notices)
        cluster = replace(cluster, notices=(*cluster.notices, *notices))
    if objects is None:
        return cluster
    return with_events(
        cluster,
        events_by_object(objects),
        show=selection.with_events,
        nodes_read=selection.scopes == (None,),  # node events live in the default namespace
    )


def read_workloads(
    answers: Answers, plan: ReadPlan, forbidden: ForbiddenReads | None
) -> tuple[Workload, ...] | None:
    """Return the Deployments, StatefulSets and DaemonSets read, when the view wants them."""
    if not plan.workloads:
        return None
    found: list[Workload] = []
    for resource, _ in WORKLOAD_KINDS:
        reads = tuple(r for r in plan.workloads if r.resource == resource)
        none: list[dict[str, Any]] = []
        listed, _ = gathered(
            forbidden, resource, reads, lambda r: items(answers, r), none, f"{resource} not shown"
        )
        found += [build_workload(w) for objects in listed for w in objects]
    return tuple(sorted(found, key=lambda w: (w.kind, w.namespace, w.name)))
