from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from kube_inspect.build.label_selector import parse_selector
from kube_inspect.cli import cli
from kube_inspect.cli.options import parse_request_timeout
from kube_inspect.errors import NotFound, UsageError
from kube_inspect.kube.client import KubeClient
from tests.unit.conftest import load


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


RECORDED_PATHS = {
    "/version": "version.json",
    "/api/v1/nodes": "nodes.json",
    "/api/v1/pods": "pods.json",
    "/api/v1/namespaces": "namespaces.json",
    "/apis/apps/v1/replicasets": "replicasets.json",
    "/apis/batch/v1/jobs": "jobs.json",
    "/apis/apps/v1/deployments": "deployments.json",
    "/apis/apps/v1/statefulsets": "statefulsets.json",
    "/apis/apps/v1/daemonsets": "daemonsets.json",
}


NAMESPACED = re.compile(r"^(?P<prefix>.*)/namespaces/(?P<namespace>[^/]+)/(?P<resource>[^/]+)$")
ONE_NODE = re.compile(r"^/api/v1/nodes/(?P<name>[^/]+)$")
FIELDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "spec.nodeName": lambda o: (o.get("spec") or {}).get("nodeName"),
    "metadata.name": lambda o: o["metadata"]["name"],
    "metadata.namespace": lambda o: o["metadata"].get("namespace"),
    "status.phase": lambda o: (o.get("status") or {}).get("phase"),
}


def _selected(items: list[dict[str, Any]], query: Any) -> list[dict[str, Any]]:
    """Return the items the query's label and field selectors pick, as the API server would."""
    params = dict(query or [])
    labels = parse_selector(params.get("labelSelector"))
    items = [o for o in items if labels(o["metadata"].get("labels") or {})]
    for term in filter(None, str(params.get("fieldSelector") or "").split(",")):
        key, negated, value = re.fullmatch(r"([\w.]+)(!?)==?(.*)", term).groups()  # type: ignore[union-attr]
        items = [o for o in items if (FIELDS[key](o) == value) != bool(negated)]
    return items


def recorded_get(
    self: KubeClient, path: str, query: Any = None, decode: Any = None, policy: Any = None
) -> dict[str, Any]:
    """Answer a GET from JSON recorded from the real sample cluster; 404 for the rest."""
    if match := ONE_NODE.match(path):
        for node in load("nodes.json")["items"]:
            if node["metadata"]["name"] == match["name"]:
                return node  # type: ignore[no-any-return]
        raise NotFound(f'not found: nodes "{match["name"]}" not found')
    namespace = None
    if match := NAMESPACED.match(path):
        namespace = match["namespace"]
        path = f"{match['prefix']}/{match['resource']}"
    if path not in RECORDED_PATHS:
        raise NotFound(f"not found: {path}")
    doc: dict[str, Any] = load(RECORDED_PATHS[path])
    if "items" in doc:
        items = doc["items"]
        if namespace is not None:
            items = [o for o in items if o["metadata"]["namespace"] == namespace]
        doc = {**doc, "items": _selected(items, query)}
    if decode is None:
        return doc
    return decode(json.dumps(doc).encode())  # type: ignore[no-any-return]  # the client's


@pytest.fixture
def recorded_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answer the client's reads with JSON recorded from a real server."""
    monkeypatch.setattr(KubeClient, "get", recorded_get)


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


def test_tree_json_through_the_cli(
    runner: CliRunner, tmp_path: Path, recorded_client: None
) -> None:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    result = runner.invoke(cli, ["tree", "--kubeconfig", str(config), "-o", "json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["cluster"]["context"] == "a"
    assert doc["cluster"]["pod_count"] == len(load("pods.json")["items"])


def test_namespace_flag_and_all_namespaces_override(
    runner: CliRunner, tmp_path: Path, recorded_client: None
) -> None:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    shop = runner.invoke(cli, ["tree", "--kubeconfig", str(config), "-n", "shop"])
    assert shop.exit_code == 0
    assert "pod/shop/" in shop.stdout and "pod/batch/" not in shop.stdout
    everything = runner.invoke(cli, ["tree", "--kubeconfig", str(config), "-n", "shop", "-A"])
    assert "pod/batch/" in everything.stdout
