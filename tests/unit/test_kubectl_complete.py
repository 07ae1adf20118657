"""`kubectl_complete-inspect`: what kubectl 1.26+ asks a plugin for, in cobra's format."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from kube_inspect.cli import kubectl_complete_main
from tests.unit.test_cli import kubeconfig

SCRIPT = Path(sys.executable).parent / "kubectl_complete-inspect"


def complete(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> list[str]:
    """Return the lines ``kubectl_complete-inspect ARGS`` prints, called in-process."""
    monkeypatch.setattr(sys, "argv", ["kubectl_complete-inspect", *args])
    kubectl_complete_main()
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out.splitlines()


def test_package_installs_the_completion_script_beside_the_plugin() -> None:
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts["kubectl-inspect"] == "kube_inspect.launch:main"
    assert scripts["kubectl_complete-inspect"] == "kube_inspect.cli:kubectl_complete_main"


def test_real_script_completes_a_command_prefix_in_cobra_format() -> None:
    # kubectl runs it as `kubectl_complete-inspect ARGS... WORD`, with no __complete
    result = subprocess.run(
        [str(SCRIPT), "tr"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["tree", ":4"]
    assert lines[0].startswith("tree\tPrint the cluster")


def test_empty_word_offers_every_command_then_no_file_directive(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = complete(monkeypatch, capsys, "")
    names = [line.split("\t")[0] for line in lines]
    assert names[-1] == ":4"
    assert {"tree", "nodes", "pods", "containers", "check", "explain"} <= set(names[:-1])


def test_leading_cobra_complete_word_is_accepted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert complete(monkeypatch, capsys, "__complete", "tree", "-o", "ya") == ["yaml", ":4"]


def test_flags_of_a_subcommand_are_offered(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = complete(monkeypatch, capsys, "tree", "--dep")
    assert [line.split("\t")[0] for line in lines] == ["--depth", ":4"]


def test_contexts_come_from_the_kubeconfig_named_on_the_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = kubeconfig(
        tmp_path / "config",
        {"dev": "https://127.0.0.1:1", "prod-eu": "https://127.0.0.1:2", "prod-us": "x"},
        "dev",
    )
    lines = complete(monkeypatch, capsys, "tree", "--kubeconfig", str(config), "--context", "prod")
    assert lines == ["prod-eu", "prod-us", ":4"]


def test_unreachable_cluster_completes_nothing_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # port 1 on loopback refuses at once: namespaces cannot be read, nothing is offered
    config = kubeconfig(tmp_path / "config", {"dev": "https://127.0.0.1:1"}, "dev")
    lines = complete(monkeypatch, capsys, "pods", "--kubeconfig", str(config), "-n", "")
    assert lines == [":4"]
