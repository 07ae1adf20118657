"""Shell completion: files, rule names and kinds; and it gives up within about a second."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kube_inspect.check.rules import RULES
from kube_inspect.cli import cli
from tests.unit.test_cli import kubeconfig


def complete(*words: str, env: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Return (type, value) of what bash completion offers for the last word."""
    all_env = {
        "_KUBE_INSPECT_COMPLETE": "bash_complete",
        "COMP_WORDS": " ".join(["kube-inspect", *words]),
        "COMP_CWORD": str(len(words)),
        **(env or {}),
    }
    result = CliRunner().invoke(cli, [], env=all_env, prog_name="kube-inspect")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line]
    return [tuple(line.split(",", 1)) for line in lines]  # type: ignore[misc]


@pytest.mark.parametrize(
    "words",
    [["tree", "--kubeconfig", "con"], ["check", "--expect", "ex"], ["check", "--junit", "re"]],
)
def test_file_flags_complete_files(words: list[str]) -> None:
    assert complete(*words) == [("file", words[-1])]


def test_rule_flags_complete_rule_names() -> None:
    assert complete("check", "--rule", "node-") == [
        ("plain", name) for name in sorted(RULES) if name.startswith("node-")
    ]
    assert ("plain", "pod-pending") in complete("check", "--skip-rule", "")


def test_explain_completes_kinds() -> None:
    offered = [value for _, value in complete("explain", "po")]
    assert offered == ["pod", "pods"] or set(offered) >= {"pod", "pods"}


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Yield the port of a listener that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


@pytest.mark.parametrize("flag", ["-n", "--node"])
def test_completion_against_a_silent_server_gives_up_within_about_a_second(
    tmp_path: Path, silent_server: int, flag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    config = kubeconfig(tmp_path / "config", {"a": f"https://127.0.0.1:{silent_server}"}, "a")
    started = time.monotonic()
    offered = complete("tree", "--kubeconfig", str(config), flag, "")
    assert offered == []
    assert time.monotonic() - started < 2.0
