from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from kube_inspect.cli import cli
from kube_inspect.cli.options import parse_request_timeout
from kube_inspect.errors import UsageError
from tests.unit.conftest import load
from tests.unit.recorded import invoke as recorded


def kubeconfig(path: Path, contexts: dict[str, str], current: str | None) -> Path:
    """Write a kubeconfig with one cluster per context, each at the given server."""
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": f"{c}-cluster", "cluster": {"server": s, "insecure-skip-tls-verify": True}}
            for c, s in contexts.items()
        ],
        "users": [{"name": f"{c}-user", "user": {"token": "t"}} for c in contexts],
        "contexts": [
            {"name": c, "context": {"cluster": f"{c}-cluster", "user": f"{c}-user"}}
            for c in contexts
        ],
    }
    if current:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return CliRunner()


def walk(group: click.Group) -> list[str]:
    return sorted(group.commands)


@pytest.mark.parametrize("command", [[], *([name] for name in walk(cli))])
def test_every_command_has_help_with_exit_codes(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Exit codes:" in result.output


def test_tree_help_has_examples(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["tree", "--help"])
    lines = [line.strip() for line in result.output.splitlines()]
    assert "Examples:" in lines  # each example on its own line, not rewrapped into prose
    assert any(line.startswith("kube-inspect tree -n shop") for line in lines)


def test_missing_context_is_one_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    result = runner.invoke(cli, ["tree", "--kubeconfig", str(config), "--context", "nope"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: context 'nope' not found")
    assert result.stderr.count("\n") == 1


def test_no_kubeconfig_at_all_says_how_to_give_one(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["tree"])
    assert result.exit_code == 2
    assert "pass --kubeconfig or set KUBECONFIG" in result.stderr


def test_malformed_kubeconfig_is_a_config_error(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "config"
    bad.write_text("clusters: [ {name: \n")
    result = runner.invoke(cli, ["tree", "--kubeconfig", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot read kubeconfig")
    assert "not valid YAML at line 2, column 1" in result.stderr
    assert "Traceback" not in result.output


def test_refused_connection_is_exit_3(runner: CliRunner, tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    result = runner.invoke(cli, ["tree", "--kubeconfig", str(config)])
    assert result.exit_code == 3
    assert result.stderr == (
        "error: cannot connect to https://127.0.0.1:1 (context 'a'): is the cluster running?\n"
    )


def test_kubeconfig_list_merges_and_first_current_context_wins(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = kubeconfig(tmp_path / "one", {"one": "https://127.0.0.1:1"}, "one")
    second = kubeconfig(tmp_path / "two", {"two": "https://127.0.0.1:2"}, "two")
    monkeypatch.setenv("KUBECONFIG", f"{first}:{tmp_path / 'missing'}:{second}")
    result = runner.invoke(cli, ["tree"])
    assert "https://127.0.0.1:1 (context 'one')" in result.stderr
    result = runner.invoke(cli, ["tree", "--context", "two"])
    assert "https://127.0.0.1:2 (context 'two')" in result.stderr


def test_bad_request_timeout_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    result = runner.invoke(cli, ["tree", "--kubeconfig", str(config), "--request-timeout", "soon"])
    assert result.exit_code == 2
    assert "invalid --request-timeout 'soon'" in result.stderr


def test_unknown_flag_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["tree", "--bogus"])
    assert result.exit_code == 2
    assert "No such option '--bogus'" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30", 30.0), ("5s", 5.0), ("1m30s", 90.0), ("250ms", 0.25), ("2h", 7200.0), ("0", None)],
)
def test_request_timeout_reads_kubectl_durations(text: str, seconds: float | None) -> None:
    assert parse_request_timeout(text) == seconds


def test_request_timeout_rejects_garbage() -> None:
    with pytest.raises(UsageError):
        parse_request_timeout("5 minutes")


def test_tree_json_through_the_cli() -> None:
    result = recorded("tree", "-o", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["cluster"]["context"] == "kwok-sample"
    assert doc["cluster"]["pod_count"] == len(load("pods.json")["items"])


def test_namespace_flag_and_all_namespaces_override() -> None:
    shop = recorded("tree", "-n", "shop")
    assert shop.exit_code == 0
    assert "pod/shop/" in shop.stdout and "pod/batch/" not in shop.stdout
    everything = recorded("tree", "-n", "shop", "-A")
    assert "pod/batch/" in everything.stdout
