"""The changes of a window of a journal, each object's state at its start included.

Whether a problem is new since TIME depends on each object's state at TIME, not on all
that came before: the state is the journal's moment at TIME (the snapshot ``--at``
reads), given as one change per object just before TIME; then come the window's own
changes. A day-long journal is then read from TIME on, not from its beginning.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from kube_inspect.journal.store import Journal, JournalError
from kube_inspect.model.journal import Change, ChangeType, ObjectKey

_BEFORE = timedelta(microseconds=1)  # the state at TIME is seen just before the window


def _state_at(
    journal: Journal, cluster: str, at: datetime, resources: Iterable[str]
) -> Iterator[Change]:
    snapshot = journal.snapshot_at(cluster, at)
    for resource in resources:
        for obj in snapshot.items.get(resource, ()):
            meta = obj.get("metadata") or {}
            key = ObjectKey(resource, meta.get("namespace") or None, str(meta.get("name", "")))
            uid, version = str(meta.get("uid") or ""), str(meta.get("resourceVersion") or "")
            yield Change(0, cluster, at - _BEFORE, ChangeType.ADDED, key, uid, version, obj)


def window_changes(
    journal: Journal,
    cluster: str,
    since: datetime | None,
    until: datetime | None,
    resources: Iterable[str],
) -> Iterator[Change]:
    """Yield each object's state at ``since`` (of ``resources``), then the changes after it.

    Without ``since``, or when ``since`` is before the journal or in one of its gaps (no
    state is known then), every change from the journal's beginning is read.
    """
    chosen = tuple(resources)
    start = since
    if since is not None:
        try:
            yield from _state_at(journal, cluster, since, chosen)
        except JournalError:
            start = None  # outside the journal or in a gap: read from its beginning
    for change in journal.changes(cluster, since=start, until=until):
        if change.key.resource in chosen:
            yield change
