"""The journal in one SQLite file (WAL): the recorder appends, any number of readers read.

WAL lets readers read while the recorder writes, and a recorder killed with -9 leaves
every committed batch readable: SQLite rolls back the one it had not committed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from kube_inspect.journal.moment import check_moment, one_span, snapshot_of
from kube_inspect.journal.schema import TABLES
from kube_inspect.journal.store import SCHEMA_VERSION, JournalError, time_of, time_text
from kube_inspect.model.journal import Change, ChangeType, Gap, JournalSpan, ObjectKey
from kube_inspect.offline.checked import Failure
from kube_inspect.offline.document import Snapshot

_CHANGE_COLUMNS = (
    "seq, cluster, observed_at, change, resource, namespace, name, uid, resource_version, object"
)
_LAST_OF_EACH = """
    SELECT MAX(seq) FROM changes WHERE cluster = ? AND seq <= ?
    GROUP BY resource, namespace, name"""


class SqliteJournal:
    """A journal kept in one SQLite file (see journal/store.py for what each method means)."""

    def __init__(self, path: str, *, create: bool = False) -> None:
        """Open the journal at ``path``; with ``create``, make its tables if it is new."""
        self.target = path
        try:
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level="DEFERRED")
            if create:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._create()
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._check_version()
        except sqlite3.DatabaseError as e:
            raise JournalError(f"{path} is not a kube-inspect journal ({e})") from e

    def _create(self) -> None:
        with self._db:
            for statement in TABLES:
                self._db.execute(statement)
            self._db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    def _check_version(self) -> None:
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError as e:
            raise JournalError(
                f"{self.target} is an SQLite file, not a kube-inspect journal"
            ) from e
        version = int(row[0]) if row else 0
        if version < 1:
            raise JournalError(f"{self.target}: a journal without a schema version")
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"{self.target} was written by a newer kube-inspect (journal schema version "
                f"{version}; this one reads up to {SCHEMA_VERSION}): upgrade kube-inspect"
            )

    # what the recorder writes

    def begin(
        self, cluster: str, server: str, version: str, selection: Mapping[str, Any], at: datetime
    ) -> None:
        """Register (or update) a recorded cluster: its server, version and selection."""
        chosen = msgspec.json.encode(dict(selection)).decode()
        self._db.execute(
            "INSERT INTO clusters (name, server, version, selection, first_at, last_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
            "server = excluded.server, version = excluded.version, selection = excluded.selection",
            (cluster, server, version, chosen, time_text(at), time_text(at)),
        )

    def reads(self, cluster: str, at: datetime, outcomes: Mapping[str, Failure | None]) -> None:
        """Record, from ``at``, which resources could be read (None) and which failed."""
        self._db.executemany(
            "INSERT INTO reads (cluster, resource, recorded_at, ok, status, message) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (cluster, resource, time_text(at), int(failure is None))
                + ((None, None) if failure is None else (failure.status, failure.message))
                for resource, failure in outcomes.items()
            ],
        )

    def append(self, changes: Sequence[Change]) -> None:
        """Append changes (their ``seq`` is ignored: the journal numbers them)."""
        self._db.executemany(
            "INSERT INTO changes (cluster, observed_at, change, resource, namespace, name, uid, "
            "resource_version, object) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c.cluster,
                    time_text(c.observed_at),
                    c.change.value,
                    c.key.resource,
                    c.key.namespace or "",
                    c.key.name,
                    c.uid,
                    c.resource_version,
                    msgspec.json.encode(c.object).decode(),
                )
                for c in changes
            ],
        )

    def open_gap(self, cluster: str, started_at: datetime, reason: str) -> None:
        """Open a gap: from ``started_at`` the recorder does not see the cluster."""
        if not self._db.execute(
            "SELECT 1 FROM gaps WHERE cluster = ? AND ended_at IS NULL", (cluster,)
        ).fetchone():
            self._db.execute(
                "INSERT INTO gaps (cluster, started_at, reason) VALUES (?, ?, ?)",
                (cluster, time_text(started_at), reason),
            )

    def close_gap(self, cluster: str, ended_at: datetime) -> None:
        """Close the cluster's open gap, if there is one, at ``ended_at``."""
        self._db.execute(
            "UPDATE gaps SET ended_at = ? WHERE cluster = ? AND ended_at IS NULL",
            (time_text(ended_at), cluster),
        )

    def heartbeat(self, cluster: str, at: datetime) -> None:
        """Say the recorder saw the cluster as the journal holds it until ``at``."""
        self._db.execute(
            "UPDATE clusters SET last_at = ? WHERE name = ? AND last_at < ?",
            (time_text(at), cluster, time_text(at)),
        )

    def commit(self) -> None:
        """Make what was written since the last commit durable."""
        self._db.commit()

    def current(self, cluster: str, resource: str) -> dict[ObjectKey, Change]:
        """Return the last change of each object of ``resource`` that is not deleted."""
        rows = self._db.execute(
            f"SELECT {_CHANGE_COLUMNS} FROM changes WHERE seq IN ("
            "SELECT MAX(seq) FROM changes WHERE cluster = ? AND resource = ? "
            "GROUP BY namespace, name) AND change != 'deleted'",
            (cluster, resource),
        )
        found = (_change_of(row) for row in rows)
        return {change.key: change for change in found}

    def forget_before(self, cluster: str, cutoff: datetime) -> int:
        """Drop what only a time before ``cutoff`` needs; return the changes dropped.

        Each object keeps its last change before ``cutoff`` (its state then), unless it
        was deleted; the journal then begins at ``cutoff``.
        """
        when = time_text(cutoff)
        with self._db:
            base = self._db.execute(
                "SELECT MAX(seq) FROM changes WHERE cluster = ? AND observed_at < ?",
                (cluster, when),
            ).fetchone()[0]
            if base is None:
                return 0
            dropped = self._db.execute(
                "DELETE FROM changes WHERE cluster = ? AND seq <= ? AND "
                f"(change = 'deleted' OR seq NOT IN ({_LAST_OF_EACH}))",
                (cluster, base, cluster, base),
            ).rowcount
            self._db.execute("DELETE FROM gaps WHERE cluster = ? AND ended_at < ?", (cluster, when))
            self._db.execute(
                "UPDATE clusters SET first_at = ? WHERE name = ? AND first_at < ?",
                (when, cluster, when),
            )
        return int(dropped)

    # what the reading commands read

    def spans(self) -> tuple[JournalSpan, ...]:
        """Return what each recorded cluster's journal covers, by cluster name."""
        rows = self._db.execute(
            "SELECT name, server, first_at, last_at FROM clusters ORDER BY name"
        ).fetchall()
        return tuple(
            JournalSpan(name, server, time_of(first), time_of(last), self._gaps(name))
            for name, server, first, last in rows
        )

    def snapshot_at(self, cluster: str | None, at: datetime) -> Snapshot:
        """Return the cluster as it was at ``at``; JournalError outside the journal or in a gap."""
        span = one_span(self.target, self.spans(), cluster)
        check_moment(self.target, span, at)
        when = time_text(at)
        version, selection = self._db.execute(
            "SELECT version, selection FROM clusters WHERE name = ?", (span.cluster,)
        ).fetchone()
        last = self._db.execute(
            "SELECT MAX(seq) FROM changes WHERE cluster = ? AND observed_at <= ?",
            (span.cluster, when),
        ).fetchone()[0]
        rows = self._db.execute(
            "SELECT resource, object FROM changes WHERE seq IN ("
            f"{_LAST_OF_EACH}) AND change != 'deleted' ORDER BY resource, namespace, name",
            (span.cluster, last or 0),
        )
        objects = ((resource, msgspec.json.decode(body)) for resource, body in rows)
        return snapshot_of(
            span, version, msgspec.json.decode(selection), at, objects, self._reads(span, when)
        )

    def _reads(self, span: JournalSpan, when: str) -> dict[str, Failure | None]:
        rows = self._db.execute(
            "SELECT resource, ok, status, message FROM reads WHERE cluster = ? "
            "AND recorded_at <= ? ORDER BY recorded_at, rowid",
            (span.cluster, when),
        )
        found: dict[str, Failure | None] = {}
        for resource, ok, status, message in rows:  # the last outcome of each wins
            found[resource] = None if ok else Failure(status, message or "")
        return found

    def changes(
        self,
        cluster: str | None,
        *,
        key: ObjectKey | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[Change]:
        """Yield the changes (of one object, between two times, if asked), in ``seq`` order."""
        name = one_span(self.target, self.spans(), cluster).cluster
        where, params = ["cluster = ?"], [name]
        if key is not None:
            where.append("resource = ? AND namespace = ? AND name = ?")
            params += [key.resource, key.namespace or "", key.name]
        if since is not None:
            where.append("observed_at >= ?")
            params.append(time_text(since))
        if until is not None:
            where.append("observed_at <= ?")
            params.append(time_text(until))
        query = f"SELECT {_CHANGE_COLUMNS} FROM changes WHERE {' AND '.join(where)} ORDER BY seq"
        for row in self._db.execute(query, params):
            yield _change_of(row)

    def gaps(self, cluster: str | None) -> tuple[Gap, ...]:
        """Return the cluster's gaps, oldest first."""
        return one_span(self.target, self.spans(), cluster).gaps

    def _gaps(self, cluster: str) -> tuple[Gap, ...]:
        rows = self._db.execute(
            "SELECT started_at, ended_at, reason FROM gaps WHERE cluster = ? ORDER BY started_at",
            (cluster,),
        )
        return tuple(
            Gap(cluster, time_of(start), None if end is None else time_of(end), reason)
            for start, end, reason in rows
        )

    def close(self) -> None:
        """Release the journal (what was not committed is dropped)."""
        self._db.close()


def _change_of(row: tuple[Any, ...]) -> Change:
    seq, cluster, observed, change, resource, namespace, name, uid, version, body = row
    return Change(
        seq=seq,
        cluster=cluster,
        observed_at=time_of(observed),
        change=ChangeType(change),
        key=ObjectKey(resource, namespace or None, name),
        uid=uid,
        resource_version=version,
        object=msgspec.json.decode(body),
    )


def now() -> datetime:
    """Return the time now, as the journal stamps it."""
    return datetime.now(UTC)
