"""`kube-inspect explain` and `tree --explain` through the CLI, on recorded API JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kube_inspect.cli import cli
from tests.unit.recorded import factory
from tests.unit.test_cli import kubeconfig


@pytest.fixture
def config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A kubeconfig whose cluster answers with the recorded sample (see recorded_get)."""
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")


def invoke(config: Path, *args: str) -> Any:
    return CliRunner().invoke(
        cli, [*args, "--kubeconfig", str(config)], obj={"client_factory": factory()}
    )


def test_explain_with_no_argument_is_the_tour(config: Path) -> None:
    result = invoke(config, "explain")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Cluster a at https://127.0.0.1:1, Kubernetes v")
    assert "What needs attention (5):" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["node", "kwok-gpu-1"], "Node kwok-gpu-1 is"),
        (["pod", "shop/multi"], "Pod shop/multi is"),
        (["po", "-n", "shop", "multi"], "Pod shop/multi is"),
        (["container", "shop/multi/app"], "Container app of pod shop/multi is"),
        (["container", "-n", "shop", "multi/app"], "Container app of pod shop/multi is"),
        (["pod/shop/multi"], "Pod shop/multi is"),
        (["node/kwok-gpu-1"], "Node kwok-gpu-1 is"),
    ],
)
def test_explain_one_object(config: Path, args: list[str], first: str) -> None:
    result = invoke(config, "explain", *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(first)
    assert "\nNext: kubectl " in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deployment", "web"], "error: cannot explain 'deployment': use node NAME"),
        (["pod"], "error: explain pod needs a name, e.g. explain pod shop/web-1"),
        # no namespace in the context: kubectl's "default", where there is no such pod
        (["pod", "multi"], "error: pod default/multi not found: see kube-inspect tree -n default"),
        (["pod", "a/b/c"], "error: explain pod wants a name like explain pod shop/web-1"),
        (["pod", "shop/nope"], "error: pod shop/nope not found: see kube-inspect tree -n shop"),
        (["container", "shop/multi/x"], "error: container x not found in pod shop/multi"),
    ],
)
def test_explain_mistakes_are_one_line_and_exit_2(
    config: Path, args: list[str], message: str
) -> None:
    result = invoke(config, "explain", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1


def test_tree_explain_annotates_the_tree(config: Path) -> None:
    result = invoke(config, "tree", "--explain")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# cluster ")
    assert any("↳ CrashLoopBackOff:" in line for line in lines)


def test_explain_help_has_examples(config: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", "--help"])
    assert result.exit_code == 0
    assert "  kube-inspect explain container batch/crasher/worker\n" in result.stdout
