"""Every view reads a journal through the snapshot's read path: `--from JOURNAL --at TIME`."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from kube_inspect.cli import cli
from kube_inspect.cli.moments import parse_at
from kube_inspect.errors import ClusterUnreachable, UsageError
from kube_inspect.journal.store import open_journal
from kube_inspect.kube.client import USER_AGENT, KubeClient
from kube_inspect.offline.document import load_source
from tests.unit.test_cli import kubeconfig
from tests.unit.test_journal_store import SAMPLE, T0, filled

# recorded by `kube-inspect record` (schema version 1) from a local cluster as the
# sample was applied to it (tests/clusters/sample.py): later versions must read it
JOURNAL_V1 = Path(__file__).resolve().parents[1] / "fixtures" / "journal-v1.sqlite"
V1_MOMENT = "2026-12-06T07:04:30Z"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"KUBECONFIG": "/nonexistent"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    path = tmp_path / "sample.sqlite"
    filled(path, load_source(str(SAMPLE))).close()
    return path


@pytest.mark.parametrize("output", ["tree", "wide", "json", "yaml", "csv", "html"])
def test_a_journal_moment_draws_exactly_as_the_snapshot_of_that_moment(
    tmp_path: Path, output: str
) -> None:
    sample = load_source(str(SAMPLE))
    filled(tmp_path / "j.sqlite", sample, at=sample.taken_at).close()
    at = sample.taken_at.isoformat()
    from_journal = invoke("tree", "--from", str(tmp_path / "j.sqlite"), "--at", at, "-o", output)
    assert from_journal == invoke("tree", "--from", str(SAMPLE), "-o", output)
    assert from_journal[1]


@pytest.mark.parametrize("command", ["pods", "nodes", "containers", "check", "explain"])
def test_every_view_reads_a_journal(journal: Path, command: str) -> None:
    code, out, err = invoke(command, "--from", str(journal), "--at", "2026-12-06T03:30:00Z")
    snapshot_code = invoke(command, "--from", str(SAMPLE))[0]
    assert (code, "Traceback" in err) == (snapshot_code, False), err
    assert out


def test_without_at_a_journal_is_read_at_its_last_moment(journal: Path) -> None:
    code, out, _ = invoke("pods", "--from", str(journal), "-o", "json")
    assert code == 0
    last = invoke("pods", "--from", str(journal), "--at", "2026-12-06T04:00:00Z", "-o", "json")
    assert last[1] == out


def test_a_moment_before_the_journal_is_one_line_and_exit_2(journal: Path) -> None:
    code, out, err = invoke("tree", "--from", str(journal), "--at", "2026-12-06T02:00:00Z")
    assert (code, out) == (2, "")
    assert err == (
        f"error: 2026-12-06T02:00:00Z is outside the journal {journal} of "
        "kwok-ki-record-7ea5a321 (it covers 2026-12-06T03:00:00Z to 2026-12-06T04:00:00Z)\n"
    )


def test_a_moment_in_a_gap_is_one_line_and_exit_2(journal: Path) -> None:
    store = open_journal(str(journal))
    store.open_gap("kwok-ki-record-7ea5a321", T0 + timedelta(minutes=10), "a network cut")
    store.close_gap("kwok-ki-record-7ea5a321", T0 + timedelta(minutes=20))
    store.commit()
    store.close()
    code, _, err = invoke("check", "--from", str(journal), "--at", "2026-12-06T03:15:00Z")
    assert code == 2 and len(err.splitlines()) == 1
    assert "in a gap" in err and "(a network cut)" in err


def test_at_goes_with_a_journal_only(journal: Path) -> None:
    code, _, err = invoke("tree", "--from", str(SAMPLE), "--at", "-1h")
    assert (code, err) == (2, f"error: --at reads a journal: {SAMPLE} is not one (see record)\n")
    code, _, err = invoke("tree", "--at", "-1h")
    assert (code, err) == (2, "error: --at reads a journal: give it with --from JOURNAL\n")
    code, _, err = invoke("tree", "--from", str(journal), "--at", "-1h", "--at", "-2h")
    assert code == 2 and "diff takes two" in err
    code, _, err = invoke("tree", "--from", str(journal), "--at", "yesterday")
    assert code == 2 and "invalid --at 'yesterday'" in err


def test_diff_takes_two_moments_of_a_journal(journal: Path) -> None:
    store = open_journal(str(journal))
    snapshot = load_source(str(SAMPLE))
    pod = snapshot.items["pods"][0]
    from kube_inspect.journal.differences import change_of
    from kube_inspect.model.journal import ChangeType

    deleted = change_of(
        snapshot.context, "pods", pod, ChangeType.DELETED, T0 + timedelta(minutes=30)
    )
    store.append([deleted])
    store.commit()
    store.close()
    before, after = "2026-12-06T03:10:00Z", "2026-12-06T03:40:00Z"
    code, out, err = invoke("diff", str(journal), "--at", before, "--at", after)
    assert code == 1, err
    assert pod["metadata"]["name"] in out
    assert invoke("diff", str(journal), "--at", before, "--at", before)[0] == 0


def test_parse_at_reads_times_and_times_ago() -> None:
    now = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
    assert parse_at("-2h", now) == datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    assert parse_at("-1h30m", now) == datetime(2026, 12, 6, 3, 30, tzinfo=UTC)
    assert parse_at("-1d", now) == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
    assert parse_at("2026-12-06T03:00:00Z") == datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    assert parse_at("2026-12-06T04:00:00+01:00") == datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    assert parse_at("2026-12-06 03:00") == datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    with pytest.raises(UsageError):
        parse_at("2h")


def test_a_version_1_journal_is_still_read(tmp_path: Path) -> None:
    copy = tmp_path / "journal-v1.sqlite"
    shutil.copyfile(JOURNAL_V1, copy)  # a reader may leave files beside it: not in the repo
    code, out, err = invoke("tree", "--from", str(copy), "--at", V1_MOMENT, "-o", "json")
    assert code == 0, err
    assert '"kwok-worker-1"' in out and '"crasher"' in out
    store = open_journal(str(copy))
    (span,) = store.spans()
    assert span.cluster == "kwok-jdev" and not span.gaps
    assert next(store.changes(None)).seq == 1
    store.close()


def test_keep_reads_days_and_hours() -> None:
    from kube_inspect.cli.record import parse_keep

    assert parse_keep("7d") == timedelta(days=7)
    assert parse_keep("1d12h") == timedelta(days=1, hours=12)
    assert parse_keep("36h") == timedelta(hours=36)
    for wrong in ("0", "week", "-1d"):
        with pytest.raises(UsageError):
            parse_keep(wrong)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--from", str(SAMPLE)], "record reads a live cluster: it does not go with --from"),
        (["--context", "a,b"], "does not apply to record"),
        (["--problems"], "--problems does not apply to record"),
        (["--node", "n1"], "--node does not apply to record"),
        (["--keep", "soon"], "invalid --keep 'soon': use a duration such as 7d, 36h or 1d12h"),
    ],
)
def test_record_refuses_what_it_cannot_do_in_one_line(args: list[str], said: str) -> None:
    code, out, err = invoke("record", *args)
    assert (code, out, len(err.splitlines())) == (2, "", 1), err
    assert said in err


@pytest.mark.parametrize(
    ("args", "user_agent"),
    [(["record", "--journal", "JOURNAL"], f"{USER_AGENT} record"), (["tree"], None)],
)
def test_record_names_itself_before_its_first_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], user_agent: str | None
) -> None:
    sent_as: list[str | None] = []

    def warm_up(client: KubeClient) -> None:  # where the first request (/version) is sent
        sent_as.append(client.user_agent)
        raise ClusterUnreachable("the test stops before any request")

    monkeypatch.setattr(KubeClient, "warm_up", warm_up)
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    args = [str(tmp_path / "j.sqlite") if a == "JOURNAL" else a for a in args]
    code, _, err = invoke(*args, "--kubeconfig", str(config))
    assert code == 3, err
    assert sent_as == [user_agent]  # None: the views' own, kube-inspect/VERSION
