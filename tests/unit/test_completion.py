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


def hanging_plugin_kubeconfig(path: Path, marker: Path) -> Path:
    """Write a kubeconfig whose credential plugin never answers (it sleeps a minute)."""
    import yaml

    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [
            {
                "name": "u",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1",
                        "command": "sh",
                        "args": ["-c", f"echo $$ > {marker}; exec sleep 60"],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
        "contexts": [{"name": "a", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "a",
    }
    path.write_text(yaml.safe_dump(doc))
    return path


def gone(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie has been killed but not reaped yet: read its state
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def test_a_credential_plugin_that_never_answers_is_cut_at_the_request_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    marker = tmp_path / "plugin.pid"
    config = hanging_plugin_kubeconfig(tmp_path / "config", marker)
    started = time.monotonic()
    result = CliRunner().invoke(
        cli, ["tree", "--kubeconfig", str(config), "--request-timeout", "1s"]
    )
    assert time.monotonic() - started < 5.0
    assert result.exit_code == 3
    assert "did not answer within 1s" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert gone(int(marker.read_text()))  # the plugin was stopped, not left behind


def test_completion_behind_a_hanging_plugin_gives_up_within_about_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    marker = tmp_path / "plugin.pid"
    config = hanging_plugin_kubeconfig(tmp_path / "config", marker)
    started = time.monotonic()
    assert complete("tree", "--kubeconfig", str(config), "-n", "") == []
    assert time.monotonic() - started < 2.5
    assert gone(int(marker.read_text()))
