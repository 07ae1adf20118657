"""The journal in PostgreSQL: the same tables and the same SQL as the SQLite store.

``--journal postgresql://USER@HOST/DB``: several recorders (one per cluster) write to one
database, and every reading command reads it. The SQL is sqlite.py's own, sent through
``Dialect``, which rewrites the few places where the two dialects differ (placeholders,
AUTOINCREMENT, INSERT OR IGNORE, rowid): one text, no twin code. psycopg 3 is an optional
dependency: ``pip install 'kube-inspect[postgresql]'``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kube_inspect.journal.sqlite import SqliteJournal
from kube_inspect.journal.store import JournalError

if TYPE_CHECKING:
    import psycopg

# sqlite.py's SQL -> PostgreSQL's, for the only places the dialects differ
_REWRITES = (
    (re.compile(r"INTEGER PRIMARY KEY AUTOINCREMENT"), "BIGSERIAL PRIMARY KEY"),
    (re.compile(r"INSERT OR IGNORE INTO (.*)$", re.S), r"INSERT INTO \1 ON CONFLICT DO NOTHING"),
    # reads has no key: its rows are only ever appended, so their place keeps their order
    (re.compile(r"\browid\b"), "ctid"),
    (re.compile(r"\?"), "%s"),
)
# two recorders starting at once must not both create the tables: one waits for the other
_CREATE_LOCK = "SELECT pg_advisory_xact_lock(7262657374)"  # any fixed number, ours


def postgres_sql(statement: str) -> str:
    """Return an SQLite statement of the journal as PostgreSQL takes it."""
    for pattern, replacement in _REWRITES:
        statement = pattern.sub(replacement, statement)
    return statement


class Dialect:
    """A psycopg connection that takes the SQLite store's SQL and calls, as sqlite3 does.

    ``with dialect:`` commits (or rolls back) as an sqlite3 connection does, where a
    psycopg connection would close.
    """

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        """Wrap an open connection."""
        self.connection = connection

    def execute(self, statement: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """Run one statement; return its cursor (fetchone, fetchall, rowcount, iteration)."""
        return self.connection.execute(postgres_sql(statement), params)

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> psycopg.Cursor[Any]:
        """Run one statement for each row."""
        cursor = self.connection.cursor()
        cursor.executemany(postgres_sql(statement), rows)
        return cursor

    def commit(self) -> None:
        """Commit the transaction under way."""
        self.connection.commit()

    def close(self) -> None:
        """Close the connection (what was not committed is dropped)."""
        self.connection.close()

    def __enter__(self) -> Dialect:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.connection.commit()
        else:
            self.connection.rollback()


def shown_url(url: str) -> str:
    """Return a URL without its password, to be shown."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:…@", url)


class PostgresJournal(SqliteJournal):
    """A journal kept in a PostgreSQL database: SqliteJournal's queries, through ``Dialect``."""

    def __init__(self, url: str, *, create: bool = False) -> None:
        # the parent's __init__ opens a file: this one opens a connection instead
        self.target = shown_url(url)
        try:
            import psycopg
        except ImportError as e:
            raise JournalError(
                f"{self.target}: PostgreSQL journals need psycopg: "
                "pip install 'kube-inspect[postgresql]'"
            ) from e
        try:
            connection = psycopg.connect(url, connect_timeout=10)
        except psycopg.Error as e:
            first = (str(e).strip().splitlines() or ["cannot connect"])[0]
            raise JournalError(f"{self.target}: {first}") from e
        self._db: Any = Dialect(connection)
        try:
            if create:
                self._create()
            self._check_version()
        except psycopg.Error as e:
            connection.close()
            raise JournalError(f"{self.target} is not a kube-inspect journal ({e})") from e
        except BaseException:
            connection.close()
            raise

    def _create(self) -> None:
        self._db.execute(_CREATE_LOCK)  # held until _create's transaction commits
        super()._create()

    def _check_version(self) -> None:
        found = self._db.execute("SELECT to_regclass('meta')").fetchone()[0]
        self._db.commit()  # readers must not hold a transaction open from here on
        if found is None:
            raise JournalError(
                f"{self.target} holds no kube-inspect journal: "
                "record into it first (kube-inspect record --journal URL)"
            )
        super()._check_version()


def open_postgres(url: str, *, create: bool = False) -> PostgresJournal:
    """Return the journal in the PostgreSQL database ``url`` (``postgresql://...``)."""
    return PostgresJournal(url, create=create)
