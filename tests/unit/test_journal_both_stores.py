"""The journal on SQLite and on PostgreSQL gives the same answers (a real PostgreSQL server).

Each test fills a journal with the recorded incident (tests/fixtures/history/story.json)
and asks it what ``history``, ``--at`` and ``check --since`` ask.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from kube_inspect.interpret.history import KINDS, tell_history
from kube_inspect.interpret.problems import journal_problems
from kube_inspect.journal.events import events_named_after
from kube_inspect.journal.postgres import postgres_sql, shown_url
from kube_inspect.journal.store import Journal, JournalError, open_journal
from kube_inspect.journal.window import window_changes
from kube_inspect.model.journal import Change, ObjectKey
from tests.unit.story import NAMESPACE, story_changes

POD = ObjectKey("pods", NAMESPACE, "web")


def fill(journal: Journal, cluster: str, changes: list[Change]) -> None:
    """Write the changes as the recorder would: begin, reads, append, heartbeat, commit."""
    first, last = changes[0].observed_at, changes[-1].observed_at
    journal.begin(cluster, "https://127.0.0.1:6443", "v1.37.0", {}, first)
    journal.reads(cluster, first, {"pods": None, "nodes": None, "events": None})
    journal.append([replace(c, cluster=cluster) for c in changes])
    journal.heartbeat(cluster, last)
    journal.commit()


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "journal.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def journal(target: str) -> Iterator[Journal]:
    found = open_journal(target, create=True)
    fill(found, "story", story_changes())
    yield found
    found.close()


def _answers(journal: Journal) -> tuple[object, ...]:
    """Return what the reading commands ask of a journal, in comparable form."""
    own = list(journal.changes(None, key=POD))
    events = [c for c in journal.changes(None) if c.key.resource == "events"]
    history = tell_history("story", POD, own, events)
    middle = own[len(own) // 2].observed_at
    snapshot = journal.snapshot_at(None, middle)
    return (
        [(m.at, m.what, m.text, m.verdict) for m in history.moments],
        journal_problems(journal.changes(None)),
        sorted(o["metadata"]["name"] for o in snapshot.items["pods"]),
        [(s.cluster, s.first_at, s.last_at) for s in journal.spans()],
    )


def test_both_stores_answer_as_the_recorded_changes(journal: Journal) -> None:
    changes = story_changes()
    told = list(journal.changes(None))
    assert [(c.key, c.uid, c.resource_version, c.object) for c in told] == [
        (c.key, c.uid, c.resource_version, c.object) for c in changes
    ]
    assert [c.observed_at for c in told] == [c.observed_at for c in changes]
    assert [c.seq for c in told] == sorted(c.seq for c in told)


def test_sqlite_and_postgresql_give_the_same_answers(tmp_path: Path, postgres_url: str) -> None:
    answers = []
    for target in (str(tmp_path / "journal.sqlite"), postgres_url):
        journal = open_journal(target, create=True)
        try:
            fill(journal, "story", story_changes())
            answers.append(_answers(journal))
        finally:
            journal.close()
    assert answers[0] == answers[1]
    assert answers[0][0] and answers[0][1]  # a story and problems were told


def test_since_and_until_cut_the_same_changes(journal: Journal) -> None:
    changes = story_changes()
    since = changes[5].observed_at
    until = changes[-5].observed_at
    cut = list(journal.changes(None, since=since, until=until))
    assert [c.resource_version for c in cut] == [
        c.resource_version for c in changes if since <= c.observed_at <= until
    ]


def test_a_moment_before_the_journal_is_refused_in_one_line(journal: Journal) -> None:
    before = story_changes()[0].observed_at - timedelta(hours=1)
    with pytest.raises(JournalError) as refused:
        journal.snapshot_at(None, before)
    assert "\n" not in str(refused.value)


def test_several_recorders_write_to_one_postgresql_database(postgres_url: str) -> None:
    first = open_journal(postgres_url, create=True)
    second = open_journal(postgres_url, create=True)  # another cluster's recorder
    try:
        changes = story_changes()
        fill(first, "east", changes[: len(changes) // 2])
        fill(second, "west", changes)
        reader = open_journal(postgres_url)
        try:
            assert [s.cluster for s in reader.spans()] == ["east", "west"]
            assert len(list(reader.changes("east"))) == len(changes) // 2
            assert len(list(reader.changes("west"))) == len(changes)
            with pytest.raises(JournalError, match="several clusters"):
                list(reader.changes(None))
        finally:
            reader.close()
    finally:
        first.close()
        second.close()


def test_an_empty_postgresql_database_is_not_a_journal(postgres_url: str) -> None:
    with pytest.raises(JournalError, match="holds no kube-inspect journal"):
        open_journal(postgres_url)


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    url = "postgresql://me:secret@127.0.0.1:1/none"
    with pytest.raises(JournalError) as refused:
        open_journal(url)
    assert "secret" not in str(refused.value) and "\n" not in str(refused.value)
    assert shown_url(url) == "postgresql://me:…@127.0.0.1:1/none"


def test_the_sqlite_statements_become_postgresql_ones() -> None:
    assert postgres_sql("SELECT a FROM t WHERE b = ? AND c = ?") == (
        "SELECT a FROM t WHERE b = %s AND c = %s"
    )
    assert postgres_sql("INSERT OR IGNORE INTO meta (k) VALUES (?)") == (
        "INSERT INTO meta (k) VALUES (%s) ON CONFLICT DO NOTHING"
    )


def test_the_events_named_after_an_object_are_those_a_full_read_finds(journal: Journal) -> None:
    everything = [
        c
        for c in journal.changes(None)
        if c.key.resource == "events" and c.key.name.startswith("web.")
    ]
    start = story_changes()[0].observed_at
    found = list(events_named_after(journal, "story", NAMESPACE, "web", start))
    assert found == everything and found
    later = list(events_named_after(journal, "story", NAMESPACE, "web", found[-1].observed_at))
    assert later == [found[-1]]


def test_problems_of_a_window_read_from_its_start_are_those_of_the_whole_journal(
    journal: Journal,
) -> None:
    changes = story_changes()
    for since in sorted({c.observed_at for c in changes})[1::3]:
        windowed = window_changes(journal, "story", since, None, KINDS)
        assert journal_problems(windowed, since) == journal_problems(
            journal.changes(None), since
        ), since
