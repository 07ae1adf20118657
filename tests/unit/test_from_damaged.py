"""--from a damaged file: one line, exit 2; an incomplete one: what it lacks is unknown.

A snapshot or List whose objects have no name was drawn as ``pod//``; one without nodes
drew every node "not listed" as if the cluster had none listed; one without events gave
every pod ``events: []`` (read, none) instead of unknown.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kube_inspect.cli import cli
from tests.unit.conftest import load
from tests.unit.recorded import invoke


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("snap") / "whole.json"
    assert invoke("snapshot", "-o", str(path)).exit_code == 0
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _written(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(document))
    return path


def _pods(document: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = document["resources"]["pods"]["items"]
    return items


DAMAGES: dict[str, Callable[[dict[str, Any]], object]] = {
    "a pod without metadata": lambda d: _pods(d)[0].pop("metadata"),
    "a pod without a name": lambda d: _pods(d)[0]["metadata"].pop("name"),
    "a pod without a namespace": lambda d: _pods(d)[0]["metadata"].pop("namespace"),
    "a pod named by a number": lambda d: _pods(d)[0]["metadata"].update(name=7),
    "no cluster": lambda d: d.pop("cluster"),
    "a context that is an object": lambda d: d["cluster"].update(context={"a": 1}),
    "taken_at a number": lambda d: d.update(taken_at=5),
    "notices a string": lambda d: d.update(notices="abc"),
    "items an object": lambda d: d["resources"]["nodes"].update(items={}),
    "a resource a list": lambda d: d["resources"].update(nodes=[]),
    "an error without message": lambda d: d["resources"].update(nodes={"error": {"status": 403}}),
    "a status that is text": lambda d: d["resources"].update(
        nodes={"error": {"status": "403", "message": "x"}}
    ),
    "no nodes and no pods": lambda d: [d["resources"].pop(k) for k in ("nodes", "pods")],
    "selection a list": lambda d: d.update(selection=["namespace"]),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=str)
def test_a_damaged_snapshot_is_one_line_and_exit_2(
    document: dict[str, Any], tmp_path: Path, damage: str
) -> None:
    damaged = json.loads(json.dumps(document))
    DAMAGES[damage](damaged)
    path = _written(tmp_path, damaged)
    for args in (["tree"], ["pods", "-o", "json"], ["check"], ["explain"]):
        result = invoke(*args, "--from", str(path))
        assert result.exit_code == 2, (args, result.output)
        assert result.stdout == ""
        assert result.stderr.startswith(f"error: {path}: a damaged snapshot (")
        assert result.stderr.count("\n") == 1, result.stderr


def test_a_list_with_an_unnamed_pod_is_refused(tmp_path: Path) -> None:
    pods = load("pods.json")
    del pods["items"][0]["metadata"]["name"]
    path = tmp_path / "pods.json"
    path.write_text(json.dumps(pods))
    result = invoke("tree", "--from", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: {path}: a damaged List (pods: an object without a name)\n"


def test_a_snapshot_without_nodes_leaves_them_unknown(
    document: dict[str, Any], tmp_path: Path
) -> None:
    cut = json.loads(json.dumps(document))
    del cut["resources"]["nodes"]
    path = _written(tmp_path, cut)
    tree = invoke("tree", "--from", str(path))
    assert tree.exit_code == 4, tree.output  # a partial picture, as for nodes not readable
    assert "warning: nodes are not in the file: nodes are shown by name only" in tree.stderr
    nodes = json.loads(invoke("nodes", "-o", "json", "--from", str(path)).stdout)
    assert "nodes" in nodes["unread"]


def test_a_snapshot_without_events_leaves_them_unknown(
    document: dict[str, Any], tmp_path: Path
) -> None:
    whole = json.loads(invoke("pods", "--events", "-o", "json").stdout)
    assert all(isinstance(p["events"], list) for p in whole["pods"])  # read: a list each
    cut = json.loads(json.dumps(document))
    del cut["resources"]["events"]
    path = _written(tmp_path, cut)
    result = invoke("pods", "--events", "-o", "json", "--from", str(path))
    assert result.exit_code == 4, result.output
    assert {p["events"] for p in json.loads(result.stdout)["pods"]} == {None}
    assert "warning: events are not in the file: Warning events not shown" in result.stderr


def test_a_yaml_file_is_named_as_yaml(tmp_path: Path) -> None:
    path = tmp_path / "l.yaml"
    path.write_text("apiVersion: v1\nkind: List\nitems: []\n")
    result = invoke("tree", "--from", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path} is YAML, not JSON: --from reads a kube-inspect snapshot or "
        "`kubectl get nodes,pods -A -o json` (-o json, not -o yaml)\n"
    )


def test_text_that_is_not_json_says_where(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    result = invoke("tree", "--from", str(path))
    assert result.exit_code == 2
    assert "is not JSON (invalid character (byte 0))" in result.stderr


def test_snapshot_to_dash_writes_stdout(tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = invoke("snapshot", "-o", "-", "-n", "shop")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "-").exists()
    assert json.loads(result.stdout)["kind"] == "KubeInspectSnapshot"


def test_a_gzipped_damaged_snapshot_is_refused_too(
    document: dict[str, Any], tmp_path: Path
) -> None:
    damaged = json.loads(json.dumps(document))
    _pods(damaged)[0]["metadata"].pop("name")
    path = tmp_path / "damaged.json.gz"
    path.write_bytes(gzip.compress(json.dumps(damaged).encode()))
    result = CliRunner().invoke(cli, ["tree", "--from", str(path)])
    assert result.exit_code == 2
    assert "a damaged snapshot (pods: an object without a name)" in result.stderr
