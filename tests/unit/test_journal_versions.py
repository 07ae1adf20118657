"""A journal written by the previous schema version is still read, on SQLite and PostgreSQL.

tests/fixtures/history/journal-v1.sql is a version-1 journal of the recorded incident
(sqlite3 .dump): loaded into each store as it was written, it must tell the same story
as the changes it was written from. Schemas only grow.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from kube_inspect.interpret.history import tell_history
from kube_inspect.interpret.problems import journal_problems
from kube_inspect.journal.store import open_journal
from kube_inspect.model.journal import ObjectKey
from tests.unit.story import NAMESPACE

V1 = Path(__file__).resolve().parents[1] / "fixtures" / "history" / "journal-v1.sql"
POD = ObjectKey("pods", NAMESPACE, "web")


def load_sqlite(tmp_path: Path) -> str:
    path = tmp_path / "v1.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(V1.read_text())
    return str(path)


def load_postgresql(url: str) -> str:
    # the dump's one SQLite-only word; its INSERTs are plain SQL (no parameter: sent as is)
    script = V1.read_text().replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY")
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(script.encode())
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def v1_journal(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return load_sqlite(tmp_path)
    return load_postgresql(request.getfixturevalue("postgres_url"))


def test_a_version_1_journal_tells_the_story_it_was_written_from(v1_journal: str) -> None:
    journal = open_journal(v1_journal)
    try:
        own = list(journal.changes(None, key=POD))
        events = [c for c in journal.changes(None) if c.key.resource == "events"]
        told = tell_history("story", POD, own, events)
        problems = journal_problems(journal.changes(None))
    finally:
        journal.close()
    # the incident as it was recorded then (story.json may be re-recorded since)
    what = [m.what for m in told.moments]
    assert what.index("created") < what.index("oom-killed") < what.index("moved")
    killed = next(m for m in told.moments if m.what == "oom-killed")
    assert (killed.reason, killed.exit_code, killed.container) == ("OOMKilled", 137, "app")
    assert [p.verdict for p in problems] == ["failing", "failing"]
    assert "CrashLoopBackOff" in problems[0].reason and "OOMKilled" in problems[1].reason
