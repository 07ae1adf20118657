"""The SQLite journal: moments, changes, gaps and retention, on the recorded sample cluster."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kube_inspect.journal.sqlite import SqliteJournal
from kube_inspect.journal.store import Journal, JournalError, is_journal, open_journal
from kube_inspect.model.journal import Change, ChangeType, ObjectKey
from kube_inspect.offline.document import Snapshot, load_source

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample-snapshot.json"
T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
CLUSTER = "kwok-ki-record-7ea5a321"


def change_of(resource: str, obj: dict[str, Any], kind: ChangeType, at: datetime) -> Change:
    """Return the change the recorder would write for ``obj`` of ``resource`` at ``at``."""
    meta = obj["metadata"]
    key = ObjectKey(resource, meta.get("namespace"), meta["name"])
    version = meta.get("resourceVersion", "")
    return Change(0, CLUSTER, at, kind, key, meta.get("uid", ""), version, obj)


def filled(path: Path, sample: Snapshot, at: datetime = T0) -> Journal:
    """Return a journal that saw the sample cluster listed at ``at``, and nothing for an hour."""
    journal = open_journal(str(path), create=True)
    journal.begin(CLUSTER, sample.server, sample.version, sample.selection, at)
    journal.reads(CLUSTER, at, {r: None for r in sample.items} | dict(sample.failures))
    journal.append(
        [
            change_of(resource, obj, ChangeType.ADDED, at)
            for resource, objects in sample.items.items()
            for obj in objects
        ]
    )
    journal.heartbeat(CLUSTER, at + timedelta(hours=1))
    journal.commit()
    return journal


@pytest.fixture
def sample() -> Snapshot:
    return load_source(str(SAMPLE))


@pytest.fixture
def journal(tmp_path: Path, sample: Snapshot) -> Iterator[Journal]:
    found = filled(tmp_path / "j.sqlite", sample)
    yield found
    found.close()


def test_a_moment_after_the_list_is_the_snapshot_listed(journal: Journal, sample: Snapshot) -> None:
    at = T0 + timedelta(minutes=5)
    found = journal.snapshot_at(None, at)
    assert (found.context, found.server, found.version, found.taken_at) == (
        sample.context,
        sample.server,
        sample.version,
        at,
    )
    assert dict(found.items) == dict(sample.items)


def test_a_deleted_pod_is_there_before_and_gone_after(journal: Journal, sample: Snapshot) -> None:
    pod = sample.items["pods"][0]
    journal.append([change_of("pods", pod, ChangeType.DELETED, T0 + timedelta(minutes=10))])
    journal.commit()
    before = journal.snapshot_at(None, T0 + timedelta(minutes=9))
    after = journal.snapshot_at(CLUSTER, T0 + timedelta(minutes=10))
    assert pod in before.items["pods"]
    assert pod not in after.items["pods"]
    assert len(after.items["pods"]) == len(sample.items["pods"]) - 1


def test_a_changed_pod_is_its_last_version_at_each_moment(
    journal: Journal, sample: Snapshot
) -> None:
    pod = sample.items["pods"][0]
    failed = {**pod, "status": {**pod["status"], "phase": "Failed"}}
    journal.append([change_of("pods", failed, ChangeType.MODIFIED, T0 + timedelta(minutes=20))])
    journal.commit()
    phases = {
        minute: {
            p["status"]["phase"]
            for p in journal.snapshot_at(None, T0 + timedelta(minutes=minute)).items["pods"]
            if p["metadata"]["name"] == pod["metadata"]["name"]
        }
        for minute in (19, 20, 21)
    }
    assert phases == {19: {pod["status"]["phase"]}, 20: {"Failed"}, 21: {"Failed"}}
    story = list(journal.changes(None, key=change_of("pods", pod, ChangeType.ADDED, T0).key))
    assert [c.change for c in story] == [ChangeType.ADDED, ChangeType.MODIFIED]
    assert story[0].seq < story[1].seq


def test_a_moment_outside_the_journal_says_what_it_covers(journal: Journal) -> None:
    with pytest.raises(JournalError) as raised:
        journal.snapshot_at(None, T0 - timedelta(seconds=1))
    assert str(raised.value) == (
        f"2026-12-06T02:59:59Z is outside the journal {journal.target} of {CLUSTER} "
        "(it covers 2026-12-06T03:00:00Z to 2026-12-06T04:00:00Z)"
    )
    assert raised.value.exit_code == 2
    with pytest.raises(JournalError):
        journal.snapshot_at(None, T0 + timedelta(hours=2))


def test_a_moment_in_a_gap_is_refused_and_the_gap_is_kept(journal: Journal) -> None:
    journal.open_gap(CLUSTER, T0 + timedelta(minutes=30), "the watch broke: connection refused")
    journal.open_gap(CLUSTER, T0 + timedelta(minutes=31), "a second open is the same gap")
    journal.commit()
    assert journal.gaps(None)[0].ended_at is None
    journal.close_gap(CLUSTER, T0 + timedelta(minutes=35))
    journal.commit()
    (gap,) = journal.gaps(None)
    assert (gap.started_at, gap.ended_at) == (
        T0 + timedelta(minutes=30),
        T0 + timedelta(minutes=35),
    )
    with pytest.raises(JournalError, match=r"in a gap .* from 2026-12-06T03:30:00Z to "):
        journal.snapshot_at(None, T0 + timedelta(minutes=32))
    journal.snapshot_at(None, T0 + timedelta(minutes=35))  # the relist closed it


def test_a_forbidden_read_is_replayed_as_forbidden(tmp_path: Path, sample: Snapshot) -> None:
    from kube_inspect.offline.checked import Failure

    journal = filled(tmp_path / "j.sqlite", sample)
    journal.reads(CLUSTER, T0, {"nodes": Failure(403, 'nodes is forbidden: User "x"')})
    journal.commit()
    found = journal.snapshot_at(None, T0)
    assert found.failures["nodes"] == Failure(403, 'nodes is forbidden: User "x"')
    assert "nodes" not in found.items


def test_retention_keeps_each_objects_state_at_the_cutoff(
    journal: Journal, sample: Snapshot
) -> None:
    pods = sample.items["pods"]
    journal.append(
        [
            change_of("pods", pods[0], ChangeType.DELETED, T0 + timedelta(minutes=1)),
            change_of("pods", pods[1], ChangeType.MODIFIED, T0 + timedelta(minutes=2)),
        ]
    )
    journal.commit()
    at = T0 + timedelta(minutes=40)
    before = journal.snapshot_at(None, at)
    dropped = journal.forget_before(CLUSTER, T0 + timedelta(minutes=30))
    assert dropped == 3  # the deleted pod's two rows, and pods[1]'s first version
    assert journal.snapshot_at(None, at).items == before.items
    assert journal.spans()[0].first_at == T0 + timedelta(minutes=30)
    with pytest.raises(JournalError, match="outside the journal"):
        journal.snapshot_at(None, T0 + timedelta(minutes=29))


def test_current_holds_what_lives_now(journal: Journal, sample: Snapshot) -> None:
    pod = sample.items["pods"][0]
    journal.append([change_of("pods", pod, ChangeType.DELETED, T0 + timedelta(minutes=1))])
    journal.commit()
    found = journal.current(CLUSTER, "pods")
    assert len(found) == len(sample.items["pods"]) - 1
    assert all(c.change is not ChangeType.DELETED for c in found.values())


def test_a_journal_is_told_from_a_snapshot_by_its_content(tmp_path: Path, journal: Journal) -> None:
    assert is_journal(journal.target)
    assert is_journal("postgresql://u@db/journal")
    assert not is_journal(str(SAMPLE))
    assert not is_journal(str(tmp_path / "none"))


def test_an_sqlite_file_that_is_no_journal_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(JournalError, match="is an SQLite file, not a kube-inspect journal"):
        open_journal(str(other))
    with pytest.raises(JournalError, match="no such file"):
        open_journal(str(tmp_path / "none.sqlite"))


def test_a_journal_of_a_newer_version_says_upgrade(tmp_path: Path, sample: Snapshot) -> None:
    filled(tmp_path / "j.sqlite", sample).close()
    db = sqlite3.connect(tmp_path / "j.sqlite")
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    with pytest.raises(JournalError, match=r"newer kube-inspect .* version 99"):
        SqliteJournal(str(tmp_path / "j.sqlite"))


def test_several_clusters_need_a_name(journal: Journal, sample: Snapshot) -> None:
    journal.begin("other", "https://other", "v1.30.0", {}, T0)
    journal.commit()
    with pytest.raises(JournalError, match="holds several clusters"):
        journal.snapshot_at(None, T0)
    assert journal.snapshot_at(CLUSTER, T0).context == CLUSTER
