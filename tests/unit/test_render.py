from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from kube_inspect.model.cluster import Cluster
from kube_inspect.render.age import human_duration
from kube_inspect.render.json import SCHEMA_VERSION, render_json
from kube_inspect.render.tree import render_tree

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def tree_text(cluster: Cluster, *, ascii_only: bool = False) -> str:
    out = io.StringIO()
    render_tree(cluster, out, now=NOW, ascii_only=ascii_only)
    return out.getvalue()


def test_tree_names_every_node_pod_and_container(sample: Cluster) -> None:
    text = tree_text(sample)
    for node in sample.nodes:
        assert f"node/{node.name}" in text
    for pod in sample.pods:
        assert f"pod/{pod.namespace}/{pod.name}" in text
    assert text.count("container/") == sample.container_count


def test_tree_first_line_counts_the_cluster(sample: Cluster) -> None:
    first = tree_text(sample).splitlines()[0]
    assert first == (
        f"cluster kwok-sample at https://127.0.0.1:6443, Kubernetes {sample.version}: "
        f"{len(sample.nodes)} nodes, {len(sample.pods)} pods, {sample.container_count} containers"
    )


def test_tree_is_deterministic(sample: Cluster) -> None:
    assert tree_text(sample) == tree_text(sample)


def test_unscheduled_group_comes_last_with_its_pods_indented(sample: Cluster) -> None:
    lines = tree_text(sample).splitlines()
    group = next(i for i, line in enumerate(lines) if "(unscheduled)" in line)
    assert lines[group].startswith("└── (unscheduled)")
    assert lines[group + 1].startswith("    └── pod/shop/stuck")
    assert lines[group + 2].startswith("        ↳ pending: 5 nodes: 1 cordoned, ")  # why, below
    assert lines[group + 3].startswith("        └── container/app")
    assert group + 4 == len(lines)


def test_ascii_tree_has_no_box_drawing_characters(sample: Cluster) -> None:
    text = tree_text(sample, ascii_only=True)
    assert text.isascii()
    assert "`-- (unscheduled)" in text


def test_tree_shows_states_of_failing_and_init_containers(sample: Cluster) -> None:
    text = tree_text(sample)
    assert "waiting: CrashLoopBackOff" in text
    assert "container/init-config (init)" in text
    assert "Ready,SchedulingDisabled" in text


def test_json_has_the_stable_shape(sample: Cluster) -> None:
    out = io.StringIO()
    render_json(sample, out)
    doc = json.loads(out.getvalue())
    assert doc["schema_version"] == SCHEMA_VERSION == 1
    cluster = doc["cluster"]
    assert {"context", "server", "version", "nodes", "unscheduled"} <= cluster.keys()
    pod = cluster["nodes"][0]["pods"][0]
    assert {"namespace", "name", "phase", "containers"} <= pod.keys()
    assert {"name", "type", "image", "state", "ready", "restarts"} <= pod["containers"][0].keys()
    types = {c["type"] for n in cluster["nodes"] for p in n["pods"] for c in p["containers"]}
    assert types == {"init", "sidecar", "app"}
    assert sum(len(n["pods"]) for n in cluster["nodes"]) + len(cluster["unscheduled"]) == len(
        sample.pods
    )


def test_human_duration_matches_kubectl() -> None:
    cases = {
        timedelta(seconds=45): "45s",
        timedelta(minutes=5, seconds=10): "5m10s",
        timedelta(minutes=42): "42m",
        timedelta(hours=3, minutes=5): "3h5m",
        timedelta(hours=20): "20h",
        timedelta(days=3, hours=4): "3d4h",
        timedelta(days=40): "40d",
        timedelta(days=800): "2y70d",
    }
    assert {d: human_duration(d.total_seconds()) for d in cases} == cases
