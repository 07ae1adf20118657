"""A moment of a journal: is it in the journal, and the snapshot its rows make (pure).

Both stores (SQLite, PostgreSQL) read their rows and hand them here, so a moment is
judged and drawn the same whatever holds the journal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from kube_inspect.journal.store import JournalError, shown_time
from kube_inspect.model.journal import Gap, JournalSpan
from kube_inspect.offline.checked import Failure
from kube_inspect.offline.document import Snapshot
from kube_inspect.offline.routes import KINDS


def one_span(target: str, spans: tuple[JournalSpan, ...], cluster: str | None) -> JournalSpan:
    """Return the span of ``cluster`` (None: the only one); JournalError otherwise."""
    if not spans:
        raise JournalError(f"{target}: the journal holds no cluster yet")
    if cluster is None:
        if len(spans) > 1:
            names = ", ".join(s.cluster for s in spans)
            raise JournalError(
                f"{target} holds several clusters ({names}): name one with --context"
            )
        return spans[0]
    for span in spans:
        if span.cluster == cluster:
            return span
    names = ", ".join(s.cluster for s in spans)
    raise JournalError(f"{target} holds no cluster {cluster!r} (it holds {names})")


def check_moment(target: str, span: JournalSpan, at: datetime) -> None:
    """Raise a one-line JournalError when ``at`` is outside the journal or in one of its gaps."""
    covered = f"{shown_time(span.first_at)} to {shown_time(span.last_at)}"
    if at < span.first_at or at > span.last_at:
        raise JournalError(
            f"{shown_time(at)} is outside the journal {target} of {span.cluster} "
            f"(it covers {covered})"
        )
    for gap in span.gaps:
        if gap_holds(gap, at):
            until = "still open" if gap.ended_at is None else f"to {shown_time(gap.ended_at)}"
            raise JournalError(
                f"{shown_time(at)} is in a gap of the journal {target}: the recorder could not "
                f"see {span.cluster} from {shown_time(gap.started_at)} {until} ({gap.reason})"
            )


def gap_holds(gap: Gap, at: datetime) -> bool:
    """Return True when ``at`` falls in ``gap`` (its start in, its end out)."""
    return gap.started_at <= at and (gap.ended_at is None or at < gap.ended_at)


def snapshot_of(
    span: JournalSpan,
    version: str,
    selection: Mapping[str, Any],
    at: datetime,
    objects: Iterable[tuple[str, dict[str, Any]]],
    failures: Mapping[str, Failure | None],
) -> Snapshot:
    """Return the snapshot of the cluster at ``at``: its objects, and the reads that failed.

    ``failures`` holds, for each resource the recorder tried to read by then, None (read)
    or why it could not; a resource read has its list, empty when none of its objects
    lived at ``at``.
    """
    items: dict[str, list[dict[str, Any]]] = {
        resource: [] for resource, failure in failures.items() if failure is None
    }
    for resource, obj in objects:
        if resource in KINDS and resource in items:
            items[resource].append(obj)
    return Snapshot(
        taken_at=at,
        context=span.cluster,
        server=span.server,
        version=version,
        items=items,
        failures={r: f for r, f in failures.items() if f is not None and r in KINDS},
        selection=dict(selection),
    )


def read_moment(target: str, cluster: str | None, at: datetime | None) -> Snapshot:
    """Return the cluster as the journal ``target`` holds it at ``at`` (None: its last moment)."""
    from kube_inspect.journal.store import open_journal

    journal = open_journal(target)
    try:
        if at is None:
            at = one_span(target, journal.spans(), cluster).last_at
        return journal.snapshot_at(cluster, at)
    finally:
        journal.close()
