"""Issue 14, every resource a node advertises: GPUs, MIG profiles, hugepages, ephemeral
storage, checked against `kubectl describe node` on the real API server.

A simulated (kwok) node may advertise any capacity, so the test makes one of its own;
a kind node's kubelet would overwrite the hugepages, hence local only.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import yaml

from kube_inspect.model.quantity import whole
from kube_inspect.schema import load_schema
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster, holds_within

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]

ADVERTISED = {
    "cpu": "8",
    "memory": "32Gi",
    "pods": "110",
    "nvidia.com/gpu": "4",
    "nvidia.com/mig-1g.10gb": "7",
    "amd.com/gpu": "2",
    "hugepages-2Mi": "1Gi",
    "ephemeral-storage": "100Gi",
}
# (pod, requests, limits beyond the requests); extended resources and hugepages need
# limits equal to requests, ephemeral-storage may differ
ASKED = [
    (
        "trainer",
        {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "2", "hugepages-2Mi": "256Mi"},
        {"ephemeral-storage": "2Gi"},
    ),
    (
        "notebook",
        {"cpu": "500m", "nvidia.com/mig-1g.10gb": "3", "ephemeral-storage": "1Gi"},
        {"ephemeral-storage": "3Gi"},
    ),
    ("inference", {"cpu": "250m", "nvidia.com/gpu": "1", "amd.com/gpu": "1"}, {}),
]
EXTENDED = ("nvidia.com/gpu", "nvidia.com/mig-1g.10gb", "amd.com/gpu", "hugepages-2Mi")


def _node(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake"},
            "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
        },
        "spec": {"taints": [{"key": "ki-test", "value": "gpu", "effect": "NoSchedule"}]},
        "status": {"allocatable": ADVERTISED, "capacity": ADVERTISED},
    }


def _pod(
    name: str, namespace: str, node: str, requests: dict[str, str], more: dict[str, str]
) -> dict[str, Any]:
    limits = {k: v for k, v in requests.items() if k not in ("cpu", "memory")} | more
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "nodeSelector": {"kubernetes.io/hostname": node},
            "tolerations": [{"key": "ki-test", "operator": "Exists"}],
            "containers": [
                {
                    "name": "main",
                    "image": "busybox:1.36",
                    "resources": {"requests": requests, "limits": limits},
                }
            ],
        },
    }


@pytest.fixture
def gpu_node(cluster: TestCluster, scratch_namespace: str, tmp_path: Any) -> Iterator[str]:
    """Yield a kwok node advertising GPUs, MIG profiles and hugepages, running the pods."""
    name = f"ki-gpu-{uuid.uuid4().hex[:6]}"
    docs = [_node(name)] + [
        _pod(pod, scratch_namespace, name, req, more) for pod, req, more in ASKED
    ]
    manifest = tmp_path / "gpu.yaml"
    manifest.write_text(yaml.safe_dump_all(docs))
    cluster.kubectl("apply", "-f", str(manifest))
    try:

        def scheduled() -> None:
            pods = json.loads(cluster.kubectl("get", "pods", "-n", scratch_namespace, "-o", "json"))
            assert all(p["spec"].get("nodeName") == name for p in pods["items"]), pods
            assert len(pods["items"]) == len(ASKED)

        holds_within(scheduled)
        yield name
    finally:
        cluster.kubectl("delete", "pods", "--all", "-n", scratch_namespace, "--force")
        cluster.kubectl("delete", "node", name, "--ignore-not-found")


def described(cluster: TestCluster, node: str) -> dict[str, tuple[str, str]]:
    """Return `kubectl describe node`'s Allocated resources: name -> (requests, limits)."""
    text = cluster.kubectl("describe", "node", node)
    section = text.split("Allocated resources:", 1)[1].split("Events:", 1)[0]
    found = {}
    for line in section.splitlines():
        words = line.split()
        # "  nvidia.com/gpu  3  3" or "  cpu  1750m (21%)  0 (0%)"
        if words and words[0] not in ("(Total", "Resource", "--------"):
            amounts = [w for w in words[1:] if not w.startswith("(")]
            if len(amounts) == 2:
                found[words[0]] = (amounts[0], amounts[1])
    return found


def inspect(cluster: TestCluster, *args: str) -> dict[str, Any]:
    result = run(*args, "-o", "json", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(doc, load_schema())
    return doc


def test_node_figures_match_kubectl_describe_node(cluster: TestCluster, gpu_node: str) -> None:
    kubectl = described(cluster, gpu_node)
    (node,) = inspect(cluster, "nodes", "--node", gpu_node)["nodes"]
    assert node["allocatable"]["other"] == {
        k: whole(v) for k, v in ADVERTISED.items() if k not in ("cpu", "memory", "pods")
    }
    for name in (*EXTENDED, "ephemeral-storage"):
        requests, limits = kubectl[name]
        assert node["requests"]["other"].get(name, 0) == whole(requests), name
        assert node["limits"]["other"].get(name, 0) == whole(limits), name
    assert node["requests"]["cpu_m"] == 1750  # and cpu still as before


def test_node_table_has_a_column_per_resource(cluster: TestCluster, gpu_node: str) -> None:
    table = run("nodes", "--node", gpu_node, kubeconfig=cluster.kubeconfig)
    assert table.returncode == 0, table.stderr
    assert "NVIDIA.COM/GPU  " in table.stdout.splitlines()[0]
    result = run("nodes", "--node", gpu_node, "-o", "csv", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert cells["NVIDIA.COM/GPU"] == "3/4"
    assert cells["NVIDIA.COM/MIG-1G.10GB"] == "3/7"
    assert cells["AMD.COM/GPU"] == "1/2"
    assert cells["HUGEPAGES-2MI"] == "256Mi/1Gi"
    assert cells["EPHEMERAL-STORAGE"] == "3Gi/100Gi"  # trainer's request defaults to its limit


def test_pods_show_their_requests_and_limits_of_every_resource(
    cluster: TestCluster, gpu_node: str, scratch_namespace: str
) -> None:
    result = run("pods", "-n", scratch_namespace, "-o", "csv", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = lines[0].split(",")
    rows = {r.split(",")[1]: dict(zip(header, r.split(","), strict=True)) for r in lines[1:]}
    assert rows["trainer"]["NVIDIA.COM/GPU-REQ"] == "2"
    assert rows["trainer"]["EPHEMERAL-STORAGE-LIM"] == "2Gi"
    assert rows["notebook"]["EPHEMERAL-STORAGE-REQ"] == "1Gi"
    assert rows["trainer"]["EPHEMERAL-STORAGE-REQ"] == "2Gi"  # defaulted to the limit
    assert rows["notebook"]["EPHEMERAL-STORAGE-LIM"] == "3Gi"
    assert rows["inference"]["AMD.COM/GPU-LIM"] == "1"
    assert rows["inference"]["HUGEPAGES-2MI-REQ"] == "-"


def test_sort_takes_any_resource_name(
    cluster: TestCluster, gpu_node: str, scratch_namespace: str
) -> None:
    doc = inspect(cluster, "pods", "-n", scratch_namespace, "--sort", "nvidia.com/gpu")
    assert [p["name"] for p in doc["pods"]] == ["trainer", "inference", "notebook"]
    doc = inspect(cluster, "pods", "-n", scratch_namespace, "--sort", "ephemeral-storage")
    # trainer's ephemeral-storage request defaults to its 2Gi limit: more than notebook's 1Gi
    assert [p["name"] for p in doc["pods"]] == ["trainer", "notebook", "inference"]


def test_sort_by_a_resource_the_cluster_lacks_is_a_usage_error(
    cluster: TestCluster, gpu_node: str
) -> None:
    result = run("nodes", "--sort", "example.com/fpga", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 2, result.stderr
    assert "example.com/fpga" in result.stderr and "nvidia.com/gpu" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = run("nodes", "--sort", "not a key!", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 2 and "--sort" in result.stderr


def test_explain_node_says_what_is_requested_of_each_resource(
    cluster: TestCluster, gpu_node: str
) -> None:
    result = run("explain", "node", gpu_node, kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "nvidia.com/gpu 3/4" in text and "hugepages-2Mi 256Mi/1Gi" in text
