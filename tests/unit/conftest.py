"""Fixtures for unit tests: API JSON recorded from a real sample cluster (make record)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kube_inspect.interpret.objects import build_cluster
from kube_inspect.model.cluster import Cluster

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"


def load(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


@pytest.fixture(scope="session")
def nodes() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = load("nodes.json")["items"]
    return items


@pytest.fixture(scope="session")
def pods() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = load("pods.json")["items"]
    return items


@pytest.fixture(scope="session")
def sample(nodes: list[dict[str, Any]], pods: list[dict[str, Any]]) -> Cluster:
    return build_cluster(
        context="kwok-sample",
        server="https://127.0.0.1:6443",
        version=load("version.json")["gitVersion"],
        nodes=nodes,
        pods=pods,
        owners={"ReplicaSet": load("replicasets.json")["items"], "Job": load("jobs.json")["items"]},
    )


def pod_named(pods: list[dict[str, Any]], namespace: str, prefix: str) -> dict[str, Any]:
    return next(
        p
        for p in pods
        if p["metadata"]["namespace"] == namespace and p["metadata"]["name"].startswith(prefix)
    )


def check_input(nodes: Any = (), pods: Any = (), workloads: Any = ()) -> Cluster:
    """Return the model check's rules judge, built from API objects as the read path does."""
    from dataclasses import replace

    from kube_inspect.interpret.workloads import build_workload

    cluster = build_cluster(context="c", server="s", version="v", nodes=nodes, pods=pods)
    return replace(cluster, workloads=tuple(build_workload(w) for w in workloads))
