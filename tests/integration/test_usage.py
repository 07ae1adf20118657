"""Live usage against a real metrics.k8s.io: the figures kube-inspect shows are the ones the
API server serves (both backends run metrics-server: on kind it scrapes real kubelets, on
the local backend the resource metrics kwok's simulated kubelets serve, where usage is
set exactly by annotation), and a cluster without it reads n/a."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml

from kube_inspect.model.quantity import format_bytes, format_cpu, millicores, whole
from tests.clusters.local import LocalCluster, build_binaries
from tests.clusters.sample import SAMPLE
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster

pytestmark = [pytest.mark.integration]

METRICS_API = "/apis/metrics.k8s.io/v1beta1"
# Usage each pod reports, set by kwok's annotations (kwok's default ClusterResourceUsage).
USAGE = {"heavy": ("600m", "300Mi"), "medium": ("200m", "150Mi"), "light": ("20m", "40Mi")}
# On kind the pods really work: a busy loop held to a CPU limit, or sleep.
WORK = {
    "heavy": ("while :; do :; done", "300m"),
    "medium": ("while :; do :; done", "100m"),
    "light": ("sleep 3600", None),
}


def nodes_of(cluster: TestCluster) -> tuple[str, str]:
    """Return the tainted node that runs no sample pod, and a sample worker."""
    if cluster.kind is not None:
        return f"{cluster.kind.name}-worker2", f"{cluster.kind.name}-worker"
    return "kwok-gpu-1", "kwok-worker-1"


def wait_for(what: str, ready: Callable[[], bool], timeout: float = 150) -> None:
    """Wait until ``ready()`` (metrics-server needs two scrapes, 15 s apart, per pod)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(1)
    raise AssertionError(f"not within {timeout} s: {what}")


def served(cluster: TestCluster, resource: str) -> dict[str, Any]:
    """Return what the API server itself serves under metrics.k8s.io, keyed by object."""
    items = json.loads(cluster.kubectl("get", "--raw", f"{METRICS_API}/{resource}"))["items"]
    return {
        "/".join(filter(None, (i["metadata"].get("namespace"), i["metadata"]["name"]))): i
        for i in items
    }


def usage_of(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Return metrics.k8s.io usage entries added up, as kube-inspect's JSON spells them.

    metrics.k8s.io serves cpu and memory only: no other resource (``other`` stays empty).
    """
    return {
        "cpu_m": sum(millicores(i["usage"]["cpu"]) or 0 for i in items),
        "memory_bytes": sum(whole(i["usage"]["memory"]) or 0 for i in items),
        "other": {},
    }


def figures(metrics: dict[str, Any]) -> dict[str, Any]:
    """Return the scraped part of metrics (metrics-server stamps creationTimestamp per read)."""
    return {
        key: (i["timestamp"], i["window"], i.get("usage"), i.get("containers"))
        for key, i in metrics.items()
    }


def read_steady(
    cluster: TestCluster, resource: str, *args: str
) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """Run kube-inspect between two identical reads of the metrics (no scrape between)."""
    for _ in range(5):
        before = served(cluster, resource)
        result = run(*args, kubeconfig=cluster.kubeconfig)
        if figures(served(cluster, resource)) == figures(before):
            return before, result
    raise AssertionError("metrics-server changed its figures during every try")


@pytest.fixture(scope="module")
def metered(cluster: TestCluster) -> Iterator[str]:
    """Yield a namespace of pods with known usage, once metrics.k8s.io reports all of it."""
    namespace = f"ki-usage-{uuid.uuid4().hex[:6]}"
    empty_node, worker = nodes_of(cluster)
    pods = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "annotations": {"kwok.x-k8s.io/usage-cpu": cpu, "kwok.x-k8s.io/usage-memory": mem},
            },
            "spec": {
                "nodeName": empty_node if name == "heavy" else worker,
                "tolerations": [{"operator": "Exists"}],
                "terminationGracePeriodSeconds": 0,
                "containers": [
                    {
                        "name": "app",
                        "image": "localhost/busybox:1.35",
                        "command": ["sh", "-c", WORK[name][0]],
                        "resources": {"limits": {"cpu": WORK[name][1]}} if WORK[name][1] else {},
                    }
                ],
            },
        }
        for name, (cpu, mem) in USAGE.items()
    ]
    cluster.kubectl("create", "namespace", namespace)
    try:
        subprocess.run(
            [cluster.kubectl_bin, "--kubeconfig", str(cluster.kubeconfig), "apply", "-f", "-"],
            input=yaml.safe_dump_all([{"apiVersion": "v1", "kind": "List", "items": pods}]),
            text=True,
            check=True,
            capture_output=True,
        )
        wanted = {f"{namespace}/{name}" for name in USAGE}

        def reported() -> bool:
            return wanted <= set(served(cluster, "pods")) and empty_node in served(cluster, "nodes")

        wait_for(f"metrics.k8s.io reports {sorted(wanted)} and node {empty_node}", reported)
        yield namespace
    finally:
        cluster.kubectl("delete", "namespace", namespace, "--timeout=120s", timeout=150)


@pytest.mark.local_backend
def test_the_usage_set_by_annotation_is_what_metrics_server_serves(
    cluster: TestCluster, metered: str
) -> None:
    pods = served(cluster, f"namespaces/{metered}/pods")
    for name, (cpu, memory) in USAGE.items():
        usage = usage_of(pods[f"{metered}/{name}"]["containers"])
        assert usage["memory_bytes"] == whole(memory)
        # CPU is a rate of kwok's cumulative counter over the scrape window: near, not exact
        assert abs(usage["cpu_m"] - (millicores(cpu) or 0)) <= 2, usage


def test_node_usage_equals_what_metrics_k8s_io_serves(cluster: TestCluster, metered: str) -> None:
    metrics, result = read_steady(cluster, "nodes", "nodes", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert "notice:" not in result.stderr
    nodes = json.loads(result.stdout)["nodes"]
    assert {n["name"] for n in nodes} >= set(metrics)
    for node in nodes:
        found = metrics.get(node["name"])
        assert node["usage"] == (usage_of([found]) if found else None), node["name"]


def test_pod_and_container_usage_equal_what_metrics_k8s_io_serves(
    cluster: TestCluster, metered: str
) -> None:
    metrics, result = read_steady(cluster, "pods", "pods", "-A", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert "notice:" not in result.stderr
    pods = json.loads(result.stdout)["pods"]
    assert {f"{metered}/{name}" for name in USAGE} <= set(metrics)
    with_usage = 0
    for pod in pods:
        found = metrics.get(f"{pod['namespace']}/{pod['name']}")
        if found is None:  # not running, or not scraped twice yet: no figures to show
            assert pod["usage"] is None, pod["name"]
            continue
        with_usage += 1
        assert pod["usage"] == usage_of(found["containers"]), pod["name"]
        by_name = {c["name"]: c for c in found["containers"]}
        for container in pod["containers"]:
            entry = by_name.get(container["name"])
            assert container["usage"] == (usage_of([entry]) if entry else None)
    assert with_usage >= len(USAGE)


def test_wide_tree_shows_the_served_usage_without_a_notice(
    cluster: TestCluster, metered: str
) -> None:
    metrics, result = read_steady(
        cluster, f"namespaces/{metered}/pods", "tree", "-o", "wide", "-n", metered
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    header, *lines = result.stdout.splitlines()[1:]
    assert "CPU-USE" in header and "MEM-USE" in header
    for name in USAGE:
        usage = usage_of(metrics[f"{metered}/{name}"]["containers"])
        line = next(line for line in lines if f"pod/{metered}/{name}" in line)
        cells = line.split()
        assert format_cpu(usage["cpu_m"]) in cells, line
        assert format_bytes(usage["memory_bytes"]) in cells, line
        assert "n/a" not in cells


def test_sort_cpu_orders_by_served_usage(cluster: TestCluster, metered: str) -> None:
    # the order metrics.k8s.io serves at that moment: on a real kubelet (kind) a throttled
    # busy loop's usage moves, so the expected order is read, not written by hand
    served_pods, pods = read_steady(
        cluster, f"namespaces/{metered}/pods", "pods", "-n", metered, "--sort", "cpu", "-o", "json"
    )
    assert pods.returncode == 0, pods.stderr
    expected = sorted(
        USAGE, key=lambda n: (-usage_of(served_pods[f"{metered}/{n}"]["containers"])["cpu_m"], n)
    )
    assert [p["name"] for p in json.loads(pods.stdout)["pods"]] == expected

    metrics, nodes = read_steady(cluster, "nodes", "nodes", "--sort", "cpu", "-o", "json")
    assert nodes.returncode == 0, nodes.stderr
    shown = [n["name"] for n in json.loads(nodes.stdout)["nodes"] if n["name"] in metrics]
    by_usage = sorted(metrics, key=lambda n: (-usage_of([metrics[n]])["cpu_m"], n))
    assert shown == by_usage
    if cluster.kind is None:  # on kind the control plane's own work may outweigh it
        assert shown[0] == nodes_of(cluster)[0]  # the heavy pod's 600m outweighs every node


@pytest.fixture(scope="module")
def unmetered() -> Iterator[LocalCluster]:
    """Yield a second, small local cluster with the sample's nodes and no metrics-server."""
    local = LocalCluster(f"ki-nometrics-{uuid.uuid4().hex[:8]}", build_binaries())
    try:
        local.start()
        local.kubectl("apply", "-f", str(SAMPLE / "kwok"))
        yield local
    finally:
        survivors = local.stop()
        assert not survivors, f"processes left behind: {survivors}"


@pytest.mark.local_backend
def test_usage_reads_na_with_one_notice_without_metrics_server(unmetered: LocalCluster) -> None:
    with pytest.raises(subprocess.CalledProcessError) as absent:
        unmetered.kubectl("get", "--raw", f"{METRICS_API}/nodes")
    assert "NotFound" in absent.value.stderr
    result = run("tree", "-o", "wide", kubeconfig=unmetered.kubeconfig)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "notice: metrics.k8s.io is not served by this cluster: usage reads n/a\n"
    )
    assert " n/a " in result.stdout
    nodes = run("nodes", "--sort", "cpu", "-o", "json", kubeconfig=unmetered.kubeconfig)
    assert nodes.returncode == 0, nodes.stderr
    doc = json.loads(nodes.stdout)  # json carries its notices in the document
    assert doc["notices"] == ["metrics.k8s.io is not served by this cluster: usage reads n/a"]
    node_count = len(json.loads(unmetered.kubectl("get", "nodes", "-o", "json"))["items"])
    assert [n["usage"] for n in doc["nodes"]] == [None] * node_count
