"""Opening a journal, and what every journal store answers (SQLite here, PostgreSQL beside).

A journal holds, per recorded cluster, each change of each object the recorder saw (as a
snapshot keeps it), the times it could not see the cluster (gaps), which reads it could
not make (forbidden), and when it last looked (heartbeat). ``snapshot_at`` turns a moment
into the ``Snapshot`` that ``--from SNAPSHOT`` reads, so every view reads a journal
through the same read path as a snapshot file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from kube_inspect.errors import SnapshotError
from kube_inspect.model.journal import Change, Gap, JournalSpan, ObjectKey
from kube_inspect.offline.checked import Failure
from kube_inspect.offline.document import Snapshot

SCHEMA_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class JournalError(SnapshotError):
    """A journal cannot be opened or read, or a moment asked of it is not in it (exit 2)."""


class Journal(Protocol):
    """What the recorder writes to, and every reading command reads from, whatever the store.

    Times are aware datetimes (UTC). ``cluster=None`` in a reading method means the only
    cluster of the journal (a JournalError when it holds several). The writing methods are
    not committed until ``commit``: the recorder commits a batch at a time, so a killed
    recorder loses at most the batch it had not committed.
    """

    target: str

    def begin(
        self, cluster: str, server: str, version: str, selection: Mapping[str, Any], at: datetime
    ) -> None:
        """Register (or update) a recorded cluster: its server, version and selection."""

    def reads(self, cluster: str, at: datetime, outcomes: Mapping[str, Failure | None]) -> None:
        """Record, from ``at``, which resources could be read (None) and which failed."""

    def append(self, changes: Sequence[Change]) -> None:
        """Append changes (their ``seq`` is ignored: the journal numbers them)."""

    def open_gap(self, cluster: str, started_at: datetime, reason: str) -> None:
        """Open a gap: from ``started_at`` the recorder does not see the cluster."""

    def close_gap(self, cluster: str, ended_at: datetime) -> None:
        """Close the cluster's open gap, if there is one, at ``ended_at``."""

    def heartbeat(self, cluster: str, at: datetime) -> None:
        """Say the recorder saw the cluster as the journal holds it until ``at``."""

    def commit(self) -> None:
        """Make what was written since the last commit durable."""

    def current(self, cluster: str, resource: str) -> dict[ObjectKey, Change]:
        """Return the last change of each object of ``resource`` that is not deleted."""

    def forget_before(self, cluster: str, cutoff: datetime) -> int:
        """Drop what only a time before ``cutoff`` needs; return the changes dropped."""

    def spans(self) -> tuple[JournalSpan, ...]:
        """Return what each recorded cluster's journal covers, by cluster name."""

    def snapshot_at(self, cluster: str | None, at: datetime) -> Snapshot:
        """Return the cluster as it was at ``at``; JournalError outside the journal or in a gap."""

    def changes(
        self,
        cluster: str | None,
        *,
        key: ObjectKey | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[Change]:
        """Yield the changes (of one object, between two times, if asked), in ``seq`` order."""

    def gaps(self, cluster: str | None) -> tuple[Gap, ...]:
        """Return the cluster's gaps, oldest first."""

    def close(self) -> None:
        """Release the journal (what was not committed is dropped)."""


def is_journal(target: str) -> bool:
    """Return True when ``target`` names a journal: a PostgreSQL URL, or an SQLite file."""
    if target.startswith(POSTGRES_SCHEMES):
        return True
    try:
        with open(target, "rb") as file:
            return file.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def open_journal(target: str, *, create: bool = False) -> Journal:
    """Return the journal ``target`` names: a ``postgresql://`` URL, else an SQLite file.

    With ``create``, a file that does not exist is made (the recorder); without, a target
    that is not a journal is a JournalError in one line.
    """
    if target.startswith(POSTGRES_SCHEMES):
        try:
            from kube_inspect.journal import postgres  # type: ignore[attr-defined,unused-ignore]
        except ImportError as e:  # pragma: no cover - the history helper's module
            raise JournalError(f"{_shown(target)}: PostgreSQL journals are not supported") from e
        journal: Journal = postgres.open_postgres(target, create=create)
        return journal
    from kube_inspect.journal.sqlite import SqliteJournal

    if not create and not Path(target).exists():
        raise JournalError(f"{target}: no such file")
    return SqliteJournal(target, create=create)


def _shown(target: str) -> str:
    """Return a URL without its password, to be shown."""
    scheme, _, rest = target.partition("://")
    if "@" in rest:
        rest = "…@" + rest.split("@", 1)[1]
    return f"{scheme}://{rest}"


def time_text(when: datetime) -> str:
    """Return a time as the journal stores it: UTC, microseconds, sortable as text."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def time_of(text: str) -> datetime:
    """Return the time the journal stored as ``text``."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def shown_time(when: datetime) -> str:
    """Return a time as the user reads it: UTC, to the second."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
