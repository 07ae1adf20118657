"""Cluster text with ESC sequences and line breaks reaches no terminal and no CI runner raw.

The recorded cluster, its crash-looping container given a reason and a message that
hold ESC sequences (clear the screen, set the title), a line break followed by a GitHub
workflow command, a carriage return and a Unicode line separator; its Warning events and
a node's kubelet version too. Every text output shows them escaped, as ``-o wide`` shows
a message (``printable``): no ESC but the colours kube-inspect paints itself, and no line
of its own.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kube_inspect.cli import cli
from kube_inspect.interpret.words import printable
from kube_inspect.model.checks import CheckReport, Finding
from kube_inspect.render.checks_text import render_check_text
from kube_inspect.render.github import render_github_annotations, render_github_summary
from kube_inspect.render.junit import render_junit
from tests.unit.recorded import RecordedClient, recorded_answer

HOSTILE = "Bad\x1b[2J\x1b]0;pwned\x07\n::warning file=x::injected\r\u2028end"
SHOWN = printable(HOSTILE)
OUR_COLOURS = re.compile(r"\x1b\[(?:31|32|33|0)m")


def hostile(path: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Return the recorded answer with HOSTILE in the crash-looping container, events, nodes."""
    for item in answer.get("items", [answer]):
        meta = item.get("metadata", {})
        if path.endswith("/pods") and meta.get("name") == "crasher":
            status = item["status"]["containerStatuses"][0]
            status["state"]["waiting"]["message"] = HOSTILE
            status["lastState"]["terminated"]["reason"] = HOSTILE
        if path.endswith("/pods") and meta.get("name") == "hog":  # its reason reaches check
            status = item["status"]["containerStatuses"][0]
            status["state"]["terminated"] |= {"reason": HOSTILE, "message": HOSTILE}
        if path.endswith("/events"):
            item["reason"], item["message"] = HOSTILE, HOSTILE
        if "/nodes" in path:
            item["status"]["nodeInfo"]["kubeletVersion"] = HOSTILE
    return answer


class HostileClient(RecordedClient):
    """The recorded cluster with HOSTILE in the texts a kubelet or a controller writes."""

    def _get_once(
        self, path: str, query: Any, decode: Callable[[bytes], Any], accept: str = ""
    ) -> Any:
        answer = hostile(path.split("?")[0], recorded_answer(path, query, self.forbidden))
        return decode(json.dumps(answer).encode())


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    factory = {"client_factory": lambda flags: HostileClient()}
    return CliRunner().invoke(cli, list(args), obj=factory, env=env)


def assert_escaped(text: str) -> None:
    """Assert ``text`` holds HOSTILE only escaped: no raw control character, no own line."""
    assert SHOWN in text or "Bad\\x1b" in text, text
    bare = OUR_COLOURS.sub("", text)
    assert not [c for c in bare if not c.isprintable() and c != "\n"], repr(bare)
    for line in text.splitlines():
        assert not line.startswith("::warning"), line


VIEWS = [
    ["tree"],
    ["tree", "-o", "wide", "--events"],
    ["tree", "--color", "always"],
    ["tree", "--explain"],
    ["tree", "--problems", "--ascii"],
    ["tree", "-o", "table"],
    ["tree", "-o", "mermaid"],
    ["containers"],
    ["containers", "-o", "wide", "--color", "always"],
    ["pods", "-o", "wide", "--events"],
    ["nodes", "-o", "wide"],
    ["check"],
    ["explain"],
    ["explain", "pod", "batch/hog"],
    ["explain", "container", "batch/crasher/worker"],
    ["explain", "container", "batch/hog/hog"],
    ["explain", "node", "kwok-worker-1"],
]


@pytest.mark.parametrize("args", VIEWS, ids=" ".join)
def test_every_text_view_shows_cluster_text_escaped(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code in (0, 1, 4), result.output
    assert_escaped(result.stdout)


def test_the_views_did_read_the_hostile_text() -> None:
    # the test could fail: the JSON output holds it raw, as JSON escapes it for itself
    result = run("containers", "-o", "json", "-n", "batch")
    containers = json.loads(result.stdout)["containers"]
    assert HOSTILE in {c["reason"] for c in containers}


def test_check_under_github_actions_starts_no_line_with_cluster_text(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run("check", env=env)
    assert result.exit_code == 1, result.output
    assert "::error title=" in result.stdout
    assert_escaped(result.stdout)
    assert_escaped(summary.read_text())
    junit = tmp_path / "junit.xml"
    assert run("check", "--junit", str(junit)).exit_code == 1
    assert_escaped(junit.read_text())


def test_printable_escapes_as_repr_does() -> None:
    assert printable("CrashLoopBackOff") == "CrashLoopBackOff"
    assert printable(HOSTILE) == repr(HOSTILE)[1:-1]
    assert printable("tab\there, é ├── ok") == "tab\\there, é ├── ok"


REPORT = CheckReport(
    rules=("pod-ready",),
    findings=(Finding("pod-ready", "pod/ns/p", False, HOSTILE),),
)


@pytest.mark.parametrize(
    "render", [render_check_text, render_github_annotations, render_github_summary, render_junit]
)
def test_check_renderers_escape_a_hostile_message(render: Callable[..., None]) -> None:
    out = io.StringIO()
    render(REPORT, out)
    assert_escaped(out.getvalue())


def test_an_error_quoting_a_line_break_stays_one_line(tmp_path: Path) -> None:
    path = tmp_path / "a\nerror: forged"
    result = run("tree", "--from", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"error: {printable(str(path))}: no such file\n"
