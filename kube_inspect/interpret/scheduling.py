"""Why a pod is pending: the scheduler's message read into causes with node counts.

The one parser of the scheduler's "0/N nodes are available: ..." message (from the pod's
PodScheduled condition or its FailedScheduling event), and of what else a pod may wait
on: a scheduling gate, an unbound claim, a missing ConfigMap or Secret (named, never read).
Every view shows what ``pending_of`` and ``pending_from_events`` build here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from kube_inspect.interpret import fields
from kube_inspect.model.cluster import Claim, Container, Event, Pending, PendingCause, Pod, Volume

# (pattern of a fragment of the message, kind, short text, plain words for `explain`).
# The short text may use the pattern's groups; the words' verb agrees with many nodes.
SCHEDULER_CAUSES: tuple[tuple[str, str, str, str], ...] = (
    (
        r"untolerated taint \{([^:}]+): ?([^}]*)\}",
        "taint",
        "untolerated taint {0}",
        "carry a taint the pod does not tolerate",
    ),
    (
        r"untolerated taint",
        "taint",
        "untolerated taint",
        "carry a taint the pod does not tolerate (reserved nodes)",
    ),
    (
        r"node affinity/selector",
        "selector",
        "node selector/affinity mismatch",
        "lack the labels the pod's nodeSelector or affinity asks for",
    ),
    (r"were unschedulable", "cordoned", "cordoned", "are cordoned (SchedulingDisabled)"),
    (
        r"Insufficient (\S+)",
        "resource",
        "insufficient {0}",
        "lack enough unrequested {0} for the pod's requests",
    ),
    (
        r"cannot allocate all claims",
        "devices",
        "cannot allocate all claims",
        "cannot have the devices the pod's claims ask for allocated",
    ),
    (r"Too many pods", "pods", "too many pods", "already run as many pods as they allow"),
    (r"free ports", "ports", "host port in use", "already use a host port the pod asks for"),
    (
        r"volume node affinity conflict",
        "volume",
        "volume node affinity conflict",
        "cannot reach the pod's volumes (wrong zone)",
    ),
    (
        r"available persistent volumes to bind",
        "volume",
        "no persistent volume to bind",
        "have no PersistentVolume the pod's claims could bind",
    ),
    (
        r"existing pods anti-affinity",
        "affinity",
        "existing pods' anti-affinity",
        "run pods whose anti-affinity rules keep this pod away",
    ),
    (
        r"pod anti-affinity",
        "affinity",
        "pod anti-affinity",
        "would break the pod's anti-affinity rules",
    ),
    (r"pod affinity", "affinity", "pod affinity", "do not match the pod's affinity rules"),
    (
        r"topology spread",
        "spread",
        "topology spread constraints",
        "would break the pod's topology spread constraints",
    ),
    (r"not-ready|were not ready", "not-ready", "not ready", "are not ready"),
)
# Causes the scheduler states without a node count (a PreFilter failure).
UNCOUNTED_CAUSES: tuple[tuple[str, str, str, str], ...] = (
    (
        r"unbound immediate PersistentVolumeClaims",
        "claim",
        "unbound PersistentVolumeClaim",
        "it waits for its PersistentVolumeClaims to be bound to a volume",
    ),
    (
        r'persistentvolumeclaim "([^"]+)" not found',
        "claim",
        "missing PersistentVolumeClaim {0}",
        "it names a PersistentVolumeClaim its namespace does not have",
    ),
    (
        r"device class (\S+) does not exist",
        "devices",
        "missing DeviceClass {0}",
        "a claim asks for a DeviceClass the cluster does not have",
    ),
    (
        r'resource claim template "([^"]+)".*not found',
        "devices",
        "missing ResourceClaimTemplate {0}",
        "it names a ResourceClaimTemplate its namespace does not have",
    ),
)
UNBOUND_CLAIMS = "unbound PersistentVolumeClaim"  # the scheduler's, naming no claim
NO_VOLUME = "no persistent volume to bind"  # a WaitForFirstConsumer claim finds none
GATE_WORDS = "the scheduler does not try to place it until its scheduling gates are removed"
_WORDS = {text: words for _p, _k, text, words in (*SCHEDULER_CAUSES, *UNCOUNTED_CAUSES)}
_AVAILABLE = re.compile(r"(\d+)/(\d+) nodes are available: (.*?)(?:\.(?: |$)|$)")
_MISSING = re.compile(r'(configmap|secret) "([^"]+)" not found', re.IGNORECASE)
_MISSING_KEY = re.compile(r"couldn't find key (\S+) in (ConfigMap|Secret) (\S+)")


def parse_scheduler_message(message: str) -> tuple[int | None, tuple[PendingCause, ...]]:
    """Return the node count N and the causes of a "0/N nodes are available: ..." message.

    ``0/5 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. preemption:
    ...`` gives 5 and (``cordoned`` on 1 node, ``insufficient cpu`` on 2). A message of
    another shape gives (None, ()).
    """
    match = _AVAILABLE.search(message)
    if not match:
        return None, ()
    causes = []
    for part in re.split(r", (?=\d|pod )", match.group(3)):
        count_match = re.match(r"(\d+) (.*)", part.strip())
        if count_match:
            causes.append(_cause(int(count_match[1]), count_match[2], SCHEDULER_CAUSES))
        elif part.strip():
            causes.append(_cause(None, part.strip(), UNCOUNTED_CAUSES))
    return int(match.group(2)), tuple(causes)


def _cause(
    count: int | None, fragment: str, table: tuple[tuple[str, str, str, str], ...]
) -> PendingCause:
    for pattern, kind, text, _words in table:
        found = re.search(pattern, fragment)
        if found:
            groups = [g.strip() for g in found.groups()]
            if kind == "taint" and groups:  # {key: value}, value empty for a bare key
                groups = [f"{groups[0]}={groups[1]}" if groups[1] else groups[0]]
            return PendingCause(text.format(*groups), count, kind)
    return PendingCause(fragment.removeprefix("node(s) "), count)


def cause_phrase(cause: PendingCause) -> str:
    """Return a cause in plain words: ``2 nodes lack enough unrequested cpu ...``."""
    words = _WORDS.get(cause.text)
    if words is None and cause.kind == "resource":
        resource = cause.text.removeprefix("insufficient ")
        words = f"lack enough unrequested {resource} for the pod's requests"
    elif words is None and cause.kind == "taint":
        taint = cause.text.removeprefix("untolerated taint ")
        words = f"carry a taint the pod does not tolerate ({taint})"
    elif words is None and cause.kind == "claim":
        return _claim_phrase(cause.text)
    elif words is None and cause.kind == "devices":
        return cause.text
    elif words is None and cause.kind == "gate":
        return f"{cause.text}: {GATE_WORDS}"
    if words is None:
        return cause.text if cause.nodes is None else f"{cause.nodes} {cause.text}"
    if cause.nodes is None:
        return words
    noun = "node" if cause.nodes == 1 else "nodes"
    return f"{cause.nodes} {noun} {_verb_for(cause.nodes, words)}"


def _claim_phrase(text: str) -> str:
    """Return a named claim cause in plain words."""
    name = text.split(" ")[2] if text.count(" ") >= 2 else text
    if text.startswith("missing "):
        return f"it names PersistentVolumeClaim {name}, which its namespace does not have"
    if text.startswith("lost "):
        return f"its PersistentVolumeClaim {name} is Lost: the volume it was bound to is gone"
    return f"it waits for PersistentVolumeClaim {name} to be bound to a volume"


def claim_cause(claim: Claim) -> PendingCause:
    """Return what a pod waits on in a claim that is not Bound, naming it.

    ``unbound PersistentVolumeClaim data-0 (Pending)``, ``lost PersistentVolumeClaim
    data-0 (Lost)``, or ``missing PersistentVolumeClaim data-0`` when it does not exist.
    """
    if claim.phase is None:
        return PendingCause(f"missing PersistentVolumeClaim {claim.name}", None, "claim")
    state = "lost" if claim.phase == "Lost" else "unbound"
    return PendingCause(
        f"{state} PersistentVolumeClaim {claim.name} ({claim.phase})", None, "claim"
    )


def name_claims(pending: Pending | None, volumes: Iterable[Volume]) -> Pending | None:
    """Return ``pending`` with the claims it waits on named, from the claims read.

    The scheduler's unnamed "unbound immediate PersistentVolumeClaims" becomes one cause
    per claim of the pod that is not Bound; "no persistent volume to bind" (a
    WaitForFirstConsumer claim) is followed by them. Without such a cause, or when every
    claim is Bound by now, ``pending`` is kept.
    """
    if pending is None or not any(c.text in (UNBOUND_CLAIMS, NO_VOLUME) for c in pending.causes):
        return pending
    named = [
        claim_cause(v.claim) for v in volumes if v.claim is not None and v.claim.phase != "Bound"
    ]
    if not named:
        return pending
    causes: list[PendingCause] = []
    for cause in pending.causes:
        if cause.text == NO_VOLUME:
            causes.append(cause)
        if cause.text in (UNBOUND_CLAIMS, NO_VOLUME):
            causes += [c for c in named if c not in causes]
        else:
            causes.append(cause)
    return Pending(tuple(causes), pending.nodes, pending.source, pending.message)


def scheduler_reasons(message: str) -> list[str]:
    """Return the scheduler's message as plain phrases, one per cause (kept whole if unread).

    ``0/5 nodes are available: 1 node(s) were unschedulable, 2 node(s) had untolerated
    taint(s). preemption: ...`` gives ``1 node is cordoned (SchedulingDisabled)`` and
    ``2 nodes carry a taint the pod does not tolerate (reserved nodes)``.
    """
    _nodes, causes = parse_scheduler_message(message)
    if not causes:
        return [message.strip()] if message.strip() else []
    return [cause_phrase(c) for c in causes]


def _verb_for(count: int, text: str) -> str:
    """Return ``text`` with its first verb agreeing with ``count`` nodes."""
    if count != 1:
        return text
    singular = {
        "are ": "is ",
        "carry ": "carries ",
        "lack ": "lacks ",
        "have ": "has ",
        "run ": "runs ",
        "already run ": "already runs ",
        "already use ": "already uses ",
        "do not ": "does not ",
    }
    for plural, one in singular.items():
        if text.startswith(plural):
            return one + text[len(plural) :]
    return text


def _missing_config(message: str) -> PendingCause | None:
    """Return ``missing ConfigMap NAME`` (or Secret) from a kubelet's message, else None."""
    found = _MISSING.search(message)
    if found:
        kind = "ConfigMap" if found[1].lower() == "configmap" else "Secret"
        return PendingCause(f"missing {kind} {found[2]}", None, "config")
    key = _MISSING_KEY.search(message)
    if key:
        return PendingCause(f"missing key {key[1]} in {key[2]} {key[3]}", None, "config")
    return None


def pending_of(
    status: Mapping[str, Any], spec: Mapping[str, Any], containers: Iterable[Container]
) -> Pending | None:
    """Return why a Pending pod has not started, from its own status; None when unknown.

    The PodScheduled condition gives the scheduler's causes or a scheduling gate; a
    container waiting on a missing ConfigMap or Secret gives that.
    """
    if status.get("phase") != "Pending":
        return None
    for condition in map(fields.mapping, fields.items(status.get("conditions"))):
        if condition.get("type") != "PodScheduled" or condition.get("status") == "True":
            continue
        reason, message = (
            fields.text(condition.get("reason")),
            fields.text(condition.get("message")),
        )
        if reason == "SchedulingGated":
            gates = [
                str(fields.mapping(g).get("name", ""))
                for g in fields.items(spec.get("schedulingGates"))
            ]
            text = f"scheduling gate {','.join(gates)}" if gates else "scheduling gate"
            return Pending((PendingCause(text, None, "gate"),), None, "condition", message)
        if message:
            nodes, causes = parse_scheduler_message(message)
            return Pending(causes, nodes, "condition", message)
    for container in containers:
        cause = _missing_config(container.state.message or "")
        if cause is not None:
            return Pending((cause,), None, "container", container.state.message)
    return None


def pending_from_events(pending: Pending | None, events: Iterable[Event]) -> Pending | None:
    """Return ``pending`` completed from the pod's Warning events, latest first.

    The latest FailedScheduling event gives the causes when the condition gave none; a
    FailedMount naming a missing ConfigMap or Secret says what the pod waits on.
    """
    if pending is not None and pending.causes:
        return pending
    for event in events:
        if event.reason == "FailedScheduling":
            nodes, causes = parse_scheduler_message(event.message)
            if causes:
                return Pending(causes, nodes, "event", event.message)
        elif event.reason == "FailedResourceClaimCreation":
            made = _cause(None, event.message, UNCOUNTED_CAUSES)
            if made.kind == "devices":
                return Pending((made,), None, "event", event.message)
        elif event.reason in ("FailedMount", "Failed"):
            cause = _missing_config(event.message)
            if cause is not None:
                return Pending((cause,), None, "event", event.message)
    return pending


def pending_summary(pods: Iterable[Pod]) -> list[tuple[str, int]]:
    """Return each cause of the pending pods with how many pods it holds back, most first."""
    counts: Counter[str] = Counter()
    for pod in pods:
        if pod.pending is not None:
            counts.update({c.text for c in pod.pending.causes})
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def pending_phrases(pending: Pending | None) -> list[str]:
    """Return why a pod is pending in plain words, one phrase per cause."""
    if pending is None:
        return []
    if not pending.causes:
        return [pending.message] if pending.message else []
    return [cause_phrase(c) for c in pending.causes]
