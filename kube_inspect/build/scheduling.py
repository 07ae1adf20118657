"""Why the scheduler left a pod Pending, in plain words: its FailedScheduling message read."""

from __future__ import annotations

import re

# Phrases of the scheduler's "0/N nodes are available: ..." message, in plain words.
SCHEDULER_REASONS: tuple[tuple[str, str], ...] = (
    (r"untolerated taint", "carry a taint the pod does not tolerate (reserved nodes)"),
    (r"node affinity/selector", "lack the labels the pod's nodeSelector or affinity asks for"),
    (r"were unschedulable", "are cordoned (SchedulingDisabled)"),
    (r"Insufficient (\S+)", "lack enough unrequested {0} for the pod's requests"),
    (r"Too many pods", "already run as many pods as they allow"),
    (r"free ports", "already use a host port the pod asks for"),
    (r"volume node affinity conflict", "cannot reach the pod's volumes (wrong zone)"),
    (r"pod anti-affinity", "would break the pod's anti-affinity rules"),
    (r"pod affinity", "do not match the pod's affinity rules"),
    (r"not-ready|were not ready", "are not ready"),
)


def scheduler_reasons(message: str) -> list[str]:
    """Return the scheduler's FailedScheduling message as plain phrases, one per cause.

    ``0/5 nodes are available: 1 node(s) were unschedulable, 2 node(s) had untolerated
    taint(s). preemption: ...`` gives ``1 node is cordoned (SchedulingDisabled)`` and
    ``2 nodes carry a taint the pod does not tolerate (reserved nodes)``.
    """
    match = re.search(r"nodes are available: (.*?)(?:\.(?: |$)|$)", message)
    if not match:
        return [message.strip()] if message.strip() else []
    phrases = []
    for part in re.split(r", (?=\d)", match.group(1)):
        count_match = re.match(r"(\d+) (.*)", part.strip())
        count, rest = (int(count_match[1]), count_match[2]) if count_match else (0, part)
        phrases.append(_scheduler_phrase(count, rest))
    return phrases


def _scheduler_phrase(count: int, fragment: str) -> str:
    for pattern, words in SCHEDULER_REASONS:
        found = re.search(pattern, fragment)
        if found:
            text = words.format(*found.groups())
            if count:
                return f"{count} {'node' if count == 1 else 'nodes'} {_verb_for(count, text)}"
            return text
    return f"{count} {fragment}" if count else fragment


def _verb_for(count: int, text: str) -> str:
    """Return ``text`` with its first verb agreeing with ``count`` nodes."""
    if count != 1:
        return text
    singular = {
        "are ": "is ",
        "carry ": "carries ",
        "lack ": "lacks ",
        "already run ": "already runs ",
        "already use ": "already uses ",
        "do not ": "does not ",
    }
    for plural, one in singular.items():
        if text.startswith(plural):
            return one + text[len(plural) :]
    return text
