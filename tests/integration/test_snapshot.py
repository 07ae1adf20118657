"""Snapshots against a real API server: taken from the cluster, read back with --from.

A snapshot read back draws what the live view draws. The cluster keeps living between
the two reads (ages tick, metrics-server scrapes), so each comparison takes a snapshot
and reads the live view right after it, ages masked, and tries again when the cluster
changed in between (a new scrape); a wrong playback differs every time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.integration.cli_runner import invoke, run
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

VIEWS = [
    ["tree"],
    ["tree", "-o", "wide"],
    ["tree", "-o", "json"],
    ["tree", "-o", "yaml"],
    ["tree", "-o", "table"],
    ["tree", "-o", "csv"],
    ["tree", "-o", "html"],
    ["tree", "-o", "dot"],
    ["tree", "-o", "mermaid"],
    ["tree", "--explain"],
    ["nodes", "-o", "wide"],
    ["pods", "-o", "wide"],
    ["containers", "-o", "wide"],
    ["explain"],
    ["explain", "pod", "shop/multi"],
    ["check"],
    ["tree", "-n", "shop", "-l", "app=web", "-o", "wide"],
    ["pods", "--field-selector", "status.phase=Running"],
]
AGE = re.compile(r"\b\d+(?:\.\d+)?[smhdy](?:\d+[smh])?\b")
TRIES = 5


def masked(text: str) -> list[str]:
    """Return the lines of ``text`` with ages masked and column padding collapsed."""
    return [re.sub(r"\s+", " ", AGE.sub("<age>", line)).rstrip() for line in text.splitlines()]


Drawn = tuple[int, str, list[str]]  # exit code, stderr, stdout's lines masked


def snapshot_and_live(cluster: TestCluster, path: Path, args: list[str]) -> tuple[Drawn, Drawn]:
    """Return what the view draws from a snapshot taken now, and live right after.

    The exit code and stderr are compared with the drawing, on each try: they come from the
    same two reads (metrics-server not answering for a moment is a notice in one of them).
    """
    taken = invoke("snapshot", "-o", str(path), kubeconfig=cluster.kubeconfig)
    assert taken.returncode == 0, taken.stderr
    live = invoke(*args, kubeconfig=cluster.kubeconfig)
    offline = invoke(*args, "--from", str(path), kubeconfig=cluster.kubeconfig)
    return (
        (offline.returncode, offline.stderr, masked(offline.stdout)),
        (live.returncode, live.stderr, masked(live.stdout)),
    )


@pytest.mark.parametrize("args", VIEWS, ids=" ".join)
def test_a_snapshot_draws_what_the_live_view_draws(
    cluster: TestCluster, tmp_path: Path, args: list[str]
) -> None:
    for _ in range(TRIES):
        offline, live = snapshot_and_live(cluster, tmp_path / "now.json.gz", args)
        if offline == live:
            break
    assert offline == live
    assert len(offline[2]) > 3


def test_from_needs_no_kubeconfig_and_no_network(cluster: TestCluster, tmp_path: Path) -> None:
    path = tmp_path / "sample.json"
    taken = run("snapshot", "-o", str(path), kubeconfig=cluster.kubeconfig)
    assert taken.returncode == 0, taken.stderr
    # a kubeconfig that does not exist: reading it, or the network, would fail
    offline = run("tree", "--from", str(path), kubeconfig=tmp_path / "no-such-kubeconfig")
    assert offline.returncode == 0, offline.stderr
    pods = json.loads(cluster.kubectl("get", "pods", "-A", "-o", "json"))["items"]
    for pod in pods:
        assert f"pod/{pod['metadata']['namespace']}/{pod['metadata']['name']}" in offline.stdout


def test_a_kubectl_list_draws_the_clusters_tree(cluster: TestCluster, tmp_path: Path) -> None:
    for _ in range(TRIES):
        path = tmp_path / "kubectl.json"
        path.write_text(cluster.kubectl("get", "nodes,pods,replicasets,jobs", "-A", "-o", "json"))
        live = invoke("tree", kubeconfig=cluster.kubeconfig)
        offline = invoke("tree", "--from", str(path), kubeconfig=cluster.kubeconfig)
        assert offline.returncode == 0, offline.stderr
        # the first line names the cluster: a List holds no context, server or version
        if masked(offline.stdout)[1:] == masked(live.stdout)[1:]:
            break
    assert masked(offline.stdout)[1:] == masked(live.stdout)[1:]
    assert offline.stdout.startswith("cluster kubectl.json at file ")


def test_a_directory_of_kubectl_lists_is_one_cluster(cluster: TestCluster, tmp_path: Path) -> None:
    for _ in range(TRIES):
        for kind in ("nodes", "pods", "replicasets", "jobs"):
            (tmp_path / f"{kind}.json").write_text(cluster.kubectl("get", kind, "-A", "-o", "json"))
        live = invoke("tree", kubeconfig=cluster.kubeconfig)
        offline = invoke("tree", "--from", str(tmp_path), kubeconfig=cluster.kubeconfig)
        assert offline.returncode == 0, offline.stderr
        if masked(offline.stdout)[1:] == masked(live.stdout)[1:]:
            break
    assert masked(offline.stdout)[1:] == masked(live.stdout)[1:]
