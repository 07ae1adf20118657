"""`kube-inspect history` through CliRunner, on a journal of the recorded incident."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kube_inspect.cli import cli
from kube_inspect.interpret.problems import journal_problems
from kube_inspect.journal.store import open_journal
from kube_inspect.schema import load_history_schema
from tests.unit.story import story_changes
from tests.unit.test_journal_both_stores import fill


@pytest.fixture(scope="module")
def journal_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("journal") / "story.sqlite")
    journal = open_journal(path, create=True)
    fill(journal, "story", story_changes())
    journal.close()
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_history_tells_the_pods_story_in_the_trees_words(journal_file: str) -> None:
    code, out, err = run("history", "pod/web", "-n", "story", "--from", journal_file)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("pod story/web in story: ")
    body = "\n".join(lines[1:])
    assert "failing  container app: waiting: CrashLoopBackOff" in body
    assert "its last run ended OOMKilled (exit 137)" in body
    assert "moved: recreated on kwok-worker-2" in body
    assert body.index("CrashLoopBackOff") < body.index("OOMKilled") < body.index("moved")


def test_history_json_follows_its_schema(journal_file: str) -> None:
    code, out, _ = run("history", "po/web", "-n", "story", "--from", journal_file, "-o", "json")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, load_history_schema())
    assert document["object"] == {"kind": "Pod", "namespace": "story", "name": "web"}
    assert [m["exit_code"] for m in document["moments"] if m["what"] == "oom-killed"] == [137]


def test_node_history_tells_cordon_and_taint(journal_file: str) -> None:
    code, out, _ = run("history", "node/kwok-worker-1", "--from", journal_file)
    assert code == 0
    assert "cordoned" in out and "tainted incident=oom:NoSchedule" in out


def test_problems_name_when_and_why(journal_file: str) -> None:
    code, out, _ = run("history", "--problems", "--from", journal_file)
    assert code == 0
    count = len(journal_problems(story_changes()))
    assert out.splitlines()[0] == f"{count} problems in story in the whole journal"
    assert "pod story/web: container app: CrashLoopBackOff" in out
    code, out, _ = run("history", "--problems", "--from", journal_file, "-o", "json")
    jsonschema.validate(json.loads(out), load_history_schema())


def test_problems_since_now_are_none(journal_file: str) -> None:
    code, out, _ = run("history", "--problems", "--since", "-1s", "--from", journal_file)
    assert (code, out.splitlines()[0].split(" in ")[0]) == (0, "0 problems")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("history", "web"), "history wants KIND/NAME"),
        (("history", "secret/x"), "history wants KIND/NAME"),
        (("history",), "or --problems"),
        (("history", "pod/web", "--since", "yesterday"), "invalid --since 'yesterday'"),
        (("history", "pod/nobody", "-n", "story"), "holds nothing about pod nobody"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(
    journal_file: str, args: tuple[str, ...], said: str
) -> None:
    code, out, err = run(*args, "--from", journal_file)
    assert code == 2 and out == ""
    assert said in err and len(err.strip().splitlines()) == 1


def test_a_missing_journal_is_one_line(tmp_path: Path) -> None:
    code, _, err = run("history", "pod/web", "--from", str(tmp_path / "none.sqlite"))
    assert code == 2 and "no such file" in err


def test_check_since_fails_on_what_appeared_and_passes_after(journal_file: str) -> None:
    first = story_changes()[0].observed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    code, out, _ = run("check", "--from", journal_file, "--since", first, "--rule", "pod-pending")
    assert code == 1
    assert "FAIL  appeared-since" in out and "OOMKilled (exit 137)" in out
    code, out, _ = run("check", "--from", journal_file, "--since", "-1s", "--rule", "pod-pending")
    assert code == 0, out
    assert "ok    appeared-since" in out


def test_check_since_needs_a_journal(tmp_path: Path) -> None:
    code, _, err = run("check", "--since", "-1h")
    assert code == 2 and "--since asks a journal" in err


def test_history_reads_where_record_writes_by_default() -> None:
    from kube_inspect.cli.history import history
    from kube_inspect.cli.record import record

    read = next(p for p in history.params if p.name == "source")
    written = next(p for p in record.params if p.name == "path")
    assert read.default == written.default == "kube-inspect-journal.sqlite"


def test_history_reads_kubectls_o_equals_json(journal_file: str) -> None:
    """-o=json, as kubectl and tree read it, is -o json."""
    asked = ("history", "po/web", "-n", "story", "--from", journal_file)
    assert run(*asked, "-o=json") == run(*asked, "-o", "json")
    assert run(*asked, "-o=json")[0] == 0
