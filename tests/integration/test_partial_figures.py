"""Every figure true on the real cluster, or marked: partial reads against kubectl (issue 22).

A viewer bound to one namespace, who may not read nodes; an admin's view of that
namespace; finished pods on a node; a diff of the admin's snapshot against the viewer's
read; the watch's owners. Figures are compared with what kubectl and the API server say.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kube_inspect.model.quantity import millicores
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster, holds_within
from tests.integration.restricted_users import issue_user
from tests.integration.test_rbac import wait_ready
from tests.integration.test_watch import start_watching, stop

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]
FINISHED = ("Succeeded", "Failed")


@dataclass(frozen=True)
class Viewer:
    namespace: str
    kubeconfig: Path  # bound to the view ClusterRole in ``namespace`` only
    name: str


@pytest.fixture(scope="module")
def viewer(cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Viewer]:
    """A namespace of its own with a Deployment whose pods request CPU, and its viewer."""
    suffix = uuid.uuid4().hex[:6]
    namespace, name = f"figures-{suffix}", f"viewer-{suffix}"
    cluster.kubectl("create", "namespace", namespace)
    manifest = tmp_path_factory.mktemp("figures") / "web.yaml"
    manifest.write_text(f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {namespace}}}
spec:
  replicas: 3
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: app
        image: localhost/busybox:1.35
        command: ["sleep", "3600"]
        resources: {{requests: {{cpu: 150m, memory: 32Mi}}}}
""")
    cluster.kubectl("apply", "-f", str(manifest))
    cluster.kubectl(
        "create", "rolebinding", "viewer-view", "--clusterrole=view", f"--user={name}",
        "-n", namespace,
    )  # fmt: skip
    wait_ready(cluster, namespace, "web")
    kubeconfig = issue_user(cluster, name, tmp_path_factory.mktemp("viewer") / "viewer.yaml")
    yield Viewer(namespace, kubeconfig, name)
    cluster.kubectl("delete", "namespace", namespace, "--timeout=120s", timeout=150)


def pods_of(cluster: TestCluster, *args: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(cluster.kubectl("get", "pods", *args, "-o", "json"))[
        "items"
    ]
    return items


def cpu_requests_m(pod: dict[str, Any]) -> int:
    """Return a pod's cpu requests (app containers: the Deployment here has no init ones)."""
    return sum(
        millicores(c.get("resources", {}).get("requests", {}).get("cpu")) or 0
        for c in pod["spec"]["containers"]
    )


def describe_node(cluster: TestCluster, node: str) -> tuple[int, int]:
    """Return (non-terminated pods, cpu requests in millicores) as kubectl describe node says."""
    text = cluster.kubectl("describe", "node", node)
    pods = re.search(r"^Non-terminated Pods:\s+\((\d+) in total\)", text, re.MULTILINE)
    allocated = text.split("Allocated resources:", 1)[1]
    cpu = re.search(r"^\s+cpu\s+(\S+)", allocated, re.MULTILINE)
    assert pods is not None and cpu is not None, text
    return int(pods.group(1)), millicores(cpu.group(1)) or 0


def test_viewer_json_has_no_figure_for_what_it_could_not_read(
    cluster: TestCluster, viewer: Viewer
) -> None:
    result = run("nodes", "-n", viewer.namespace, "-o", "json", kubeconfig=viewer.kubeconfig)
    assert result.returncode == 4, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    pods = pods_of(cluster, "-n", viewer.namespace)
    assert {n["name"] for n in doc["nodes"]} == {p["spec"]["nodeName"] for p in pods}
    for node in doc["nodes"]:
        assert node["status"] is None and node["allocatable"] is None, node
        assert node["requests"] is None and node["non_terminated_pod_count"] is None, node
        mine = [p for p in pods if p["spec"]["nodeName"] == node["name"]]
        assert node["selected_requests"]["cpu_m"] == sum(map(cpu_requests_m, mine))
    for picture in ("dot", "mermaid"):
        drawn = run("tree", "-n", viewer.namespace, "-o", picture, kubeconfig=viewer.kubeconfig)
        assert "(not listed)" in drawn.stdout and "Unknown" not in drawn.stdout


def test_viewer_table_marks_its_share_and_leaves_the_rest_unknown(
    cluster: TestCluster, viewer: Viewer
) -> None:
    result = run("nodes", "-n", viewer.namespace, "-o", "csv", kubeconfig=viewer.kubeconfig)
    assert result.returncode == 4, result.stdout + result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    pods = pods_of(cluster, "-n", viewer.namespace)
    assert rows
    for row in rows:
        mine = [p for p in pods if p["spec"]["nodeName"] == row["NAME"]]
        assert row["STATUS"] == "(not listed)", row
        assert row["PODS"] == f"{len(mine)}*/?", row  # its share; the capacity unknown
        assert row["CPU-REQ"] == f"{sum(map(cpu_requests_m, mine))}m*", row
    assert f"(-n {viewer.namespace}), not the node's totals" in result.stderr


def test_admin_view_of_one_namespace_is_marked_and_the_whole_view_matches_describe(
    cluster: TestCluster, viewer: Viewer
) -> None:
    shop = run("nodes", "-n", viewer.namespace, "-o", "json", kubeconfig=cluster.kubeconfig)
    assert shop.returncode == 0, shop.stderr
    pods = pods_of(cluster, "-n", viewer.namespace)
    nodes = json.loads(shop.stdout)["nodes"]
    assert nodes
    for node in nodes:
        mine = [p for p in pods if p["spec"]["nodeName"] == node["name"]]
        assert node["requests"] is None  # the namespace's share is not the node's total
        assert node["selected_requests"]["cpu_m"] == sum(map(cpu_requests_m, mine))

    def whole_view_matches_describe() -> None:
        result = run("nodes", "-o", "json", kubeconfig=cluster.kubeconfig)
        for node in json.loads(result.stdout)["nodes"]:
            described = describe_node(cluster, node["name"])
            shown = (node["non_terminated_pod_count"], node["requests"]["cpu_m"] or 0)
            assert shown == described, node["name"]

    holds_within(whole_view_matches_describe)


def test_pods_column_counts_the_pods_kubectl_describe_counts(cluster: TestCluster) -> None:
    finished = [p for p in pods_of(cluster, "-A") if p["status"].get("phase") in FINISHED]
    assert any(p["spec"].get("nodeName") for p in finished), "the sample's finished pods"

    def pods_column_matches_describe() -> None:
        result = run("nodes", "-o", "csv", kubeconfig=cluster.kubeconfig)
        for row in csv.DictReader(io.StringIO(result.stdout)):
            described, _ = describe_node(cluster, row["NAME"])
            assert row["PODS"].split("/")[0] == str(described), row

    holds_within(pods_column_matches_describe)


def test_viewer_explain_tells_what_it_cannot_see(cluster: TestCluster, viewer: Viewer) -> None:
    result = run("explain", "-n", viewer.namespace, kubeconfig=viewer.kubeconfig)
    assert result.returncode == 4, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    assert "This one has" not in text and "may not list nodes" in text
    assert "kubectl describe node" not in result.stdout
    node = pods_of(cluster, "-n", viewer.namespace)[0]["spec"]["nodeName"]
    as_viewer = [cluster.kubectl_bin, "--kubeconfig", str(viewer.kubeconfig)]
    refused = subprocess.run([*as_viewer, "describe", "node", node], capture_output=True, text=True)
    assert refused.returncode != 0 and "forbidden" in refused.stderr  # what it used to advise
    advised = subprocess.run([*as_viewer, "auth", "can-i", "get", "nodes"], capture_output=True)
    assert advised.stdout.strip() == b"no"  # runs, and answers


def test_diff_of_an_admin_snapshot_against_a_viewer_compares_what_both_read(
    cluster: TestCluster, viewer: Viewer, tmp_path: Path
) -> None:
    before = tmp_path / "admin.json"
    taken = run(
        "snapshot", "-n", viewer.namespace, "-o", str(before), kubeconfig=cluster.kubeconfig
    )
    assert taken.returncode == 0, taken.stderr
    result = run("diff", str(before), "-n", viewer.namespace, kubeconfig=viewer.kubeconfig)
    assert result.returncode == 4, result.stdout + result.stderr  # nothing changed; partial
    assert "not compared: nodes: AFTER may not list them" in result.stdout
    assert "removed" not in result.stdout and "Unknown" not in result.stdout


def test_watch_names_the_owner_tree_names(cluster: TestCluster, viewer: Viewer) -> None:
    tree = run("tree", "-n", viewer.namespace, kubeconfig=cluster.kubeconfig)
    owners = set(re.findall(r"owner=(\S+)", tree.stdout))
    assert owners == {"Deployment/web"}, tree.stdout
    watching = start_watching(cluster.kubeconfig, viewer.namespace)
    try:
        line = watching.wait_for(lambda text: f"pod/{viewer.namespace}/web-" in text, "a pod")
        assert "owner=Deployment/web" in line, line
    finally:
        stop(watching)
