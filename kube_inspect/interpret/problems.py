"""Pure: when objects became unhealthy, and why, from their judged versions in a journal.

A problem appears when a version is judged failing after one that was not, or when a
container is OOM killed, or restarts while its pod is not judged failing; it clears at
the next healthy version. A warning (Pending, not ready, cordoned) counts only when it
still holds at the end of the window: every new pod is Pending for a moment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from kube_inspect.interpret.history import KINDS, versions_of
from kube_inspect.interpret.history_moments import Version
from kube_inspect.model.history import Problem
from kube_inspect.model.journal import Change, ObjectKey


def _when(version: Version) -> datetime:
    return min((m.at for m in version.moments), default=version.change.observed_at)


def _instants(key: ObjectKey, version: Version, already_failing: bool) -> list[Problem]:
    """Return the OOM kills (always) and restarts (unless failing says why) of a version."""
    return [
        Problem(m.at, KINDS[key.resource], key.namespace, key.name, "failing", m.text)
        for m in version.moments
        if m.what == "oom-killed" or (m.what == "restart" and not already_failing)
    ]


def object_problems(key: ObjectKey, versions: Sequence[Version]) -> list[Problem]:
    """Return the problems of one object's versions, in the order they appeared."""
    kind = KINDS[key.resource]
    found: list[Problem] = []
    failing: int | None = None  # index in found of the problem still open
    warning: Problem | None = None
    previous: str | None = None
    for version in versions:
        at, verdict = _when(version), version.verdict
        found += _instants(key, version, "failing" in (previous, verdict))
        if verdict == "failing" and previous != "failing":
            reason = version.reason or "failing"
            found.append(Problem(at, kind, key.namespace, key.name, "failing", reason))
            failing = len(found) - 1
        elif verdict != "failing" and failing is not None:
            found[failing] = replace(found[failing], cleared_at=at)
            failing = None
        if verdict == "warning" and warning is None:
            warning = Problem(at, kind, key.namespace, key.name, "warning", version.reason or "")
        elif verdict != "warning":
            warning = None
        previous = verdict
    return found if warning is None else [*found, warning]


def journal_problems(
    changes: Iterable[Change], since: datetime | None = None, until: datetime | None = None
) -> list[Problem]:
    """Return every problem that appeared between ``since`` and ``until``, oldest first.

    ``changes`` may start before ``since``: what was already failing then is not new.
    """
    by_object: defaultdict[ObjectKey, list[Change]] = defaultdict(list)
    for change in changes:
        if change.key.resource in KINDS and (until is None or change.observed_at <= until):
            by_object[change.key].append(change)
    found = [
        problem
        for key, object_changes in by_object.items()
        # an object that did not change in the window has no new problem: not judged
        if since is None or object_changes[-1].observed_at >= since
        for problem in object_problems(key, versions_of(key.resource, object_changes))
        if since is None or problem.at >= since
    ]
    return sorted(found, key=lambda p: (p.at, p.kind, p.namespace or "", p.name, p.reason))
