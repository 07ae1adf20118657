"""Pure: which node taints a pending pod does not tolerate, named as the scheduler does not.

kube-scheduler 1.36 writes "2 node(s) had untolerated taint(s)" without naming the taint.
From the nodes' taints and the pod's tolerations, this works out, node by node as the
scheduler's filters do, which taint kept the pod off each node, and names them with
their counts ("1 untolerated taint dedicated=gpu:NoSchedule"), when they add up to the
scheduler's own number; else the scheduler's text stays (the nodes changed since).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from kube_inspect.interpret import fields
from kube_inspect.model.cluster import Pending, PendingCause

UNNAMED = "untolerated taint"  # the cause's text when the scheduler names no taint
FILTERED_EFFECTS = ("NoSchedule", "NoExecute")  # the effects the scheduler's filter obeys
UNSCHEDULABLE_TAINT = ("node.kubernetes.io/unschedulable", "", "NoSchedule")


@dataclass(frozen=True, slots=True)
class TaintedNode:
    """What the scheduler's first filters read of a node: cordoned, and its taints."""

    unschedulable: bool
    taints: tuple[tuple[str, str, str], ...]  # (key, value, effect), in the node's order


def taint_text(key: str, value: str, effect: str) -> str:
    """Return a taint as kubectl writes it: ``key=value:Effect`` (``key:Effect`` if no value)."""
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def tainted_node(spec: Mapping[str, Any]) -> TaintedNode:
    """Return what the scheduler's taint filters read of a node's spec."""
    taints = []
    for taint in map(fields.mapping, fields.items(spec.get("taints"))):
        taints.append(
            (
                str(taint.get("key") or ""),
                str(taint.get("value") or ""),
                str(taint.get("effect") or ""),
            )
        )
    return TaintedNode(spec.get("unschedulable") is True, tuple(taints))


def tolerates(toleration: Mapping[str, Any], taint: tuple[str, str, str]) -> bool:
    """Return True when one toleration tolerates the taint, as Kubernetes matches them.

    An empty effect matches every effect, an empty key (with Exists) every key; Exists
    matches any value, Equal (the default) only the same value. An operator Kubernetes
    added later is taken as not tolerating.
    """
    key, value, effect = taint
    wanted_effect = fields.text(toleration.get("effect"))
    if wanted_effect is not None and wanted_effect != effect:
        return False
    wanted_key = fields.text(toleration.get("key"))
    if wanted_key is not None and wanted_key != key:
        return False
    operator = fields.text(toleration.get("operator")) or "Equal"
    if operator == "Exists":
        return True
    if operator == "Equal":
        return str(toleration.get("value") or "") == value
    return False


def first_untolerated(
    taints: Iterable[tuple[str, str, str]], tolerations: Sequence[Mapping[str, Any]]
) -> tuple[str, str, str] | None:
    """Return the node's first NoSchedule or NoExecute taint none of ``tolerations`` tolerates."""
    for taint in taints:
        if taint[2] in FILTERED_EFFECTS and not any(tolerates(t, taint) for t in tolerations):
            return taint
    return None


def untolerated_counts(
    nodes: Iterable[TaintedNode], tolerations: Sequence[Mapping[str, Any]]
) -> Counter[str]:
    """Return each taint that kept the pod off some node, with how many nodes it did.

    A cordoned node the pod does not tolerate is ruled out before its taints are read (the
    scheduler's NodeUnschedulable filter runs first): it counts as cordoned, not here.
    """
    counts: Counter[str] = Counter()
    for node in nodes:
        if node.unschedulable and first_untolerated((UNSCHEDULABLE_TAINT,), tolerations):
            continue
        taint = first_untolerated(node.taints, tolerations)
        if taint is not None:
            counts[taint_text(*taint)] += 1
    return counts


def has_unnamed_taint(pending: Pending | None) -> bool:
    """Return True when the scheduler said some nodes had an untolerated taint, unnamed."""
    return pending is not None and any(
        c.kind == "taint" and c.text == UNNAMED for c in pending.causes
    )


def name_taints(
    pending: Pending, nodes: Iterable[TaintedNode], tolerations: Sequence[Mapping[str, Any]]
) -> Pending:
    """Return ``pending`` with its unnamed untolerated-taint cause split by taint, named.

    ``2 untolerated taint`` becomes ``1 untolerated taint dedicated=gpu:NoSchedule, 1
    untolerated taint node-role.kubernetes.io/control-plane:NoSchedule`` (most nodes
    first, then by name) when the counts add up to the scheduler's; else it is kept.
    """
    counts = untolerated_counts(nodes, [fields.mapping(t) for t in tolerations])
    causes: list[PendingCause] = []
    for cause in pending.causes:
        if cause.kind != "taint" or cause.text != UNNAMED:
            causes.append(cause)
            continue
        if cause.nodes is None or sum(counts.values()) != cause.nodes:
            return pending  # the nodes changed since the scheduler looked: keep its words
        named = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        causes += [PendingCause(f"{UNNAMED} {text}", n, "taint") for text, n in named]
    return replace(pending, causes=tuple(causes))
