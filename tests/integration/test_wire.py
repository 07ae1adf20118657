"""Pods on the protobuf wire, against a real API server: it is used, and reads as JSON does.

kube-inspect asks for pods as ``application/vnd.kubernetes.protobuf`` with JSON as the
fallback (``--wire auto``, the default); the cluster it builds must not depend on the
encoding, paging (limit/continue) included.
"""

from __future__ import annotations

import pytest

from kube_inspect.kube import client as client_module
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.progress import Progress
from kube_inspect.kube.wires import ACCEPT, PROTOBUF
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.selection import Selection
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster, holds_within

pytestmark = pytest.mark.integration


def answer(cluster: TestCluster, path: str, accept: str) -> tuple[str, bytes]:
    """Return the Content-Type and body the API server answers a GET with ``accept``."""
    client = KubeClient.from_kubeconfig(str(cluster.kubeconfig), None, 30.0)
    try:
        response = client._send(path, [("limit", 2)], timeout=30.0, headers={"Accept": accept})
        return str(response.headers.get("Content-Type")), bytes(response.data)
    finally:
        client.close()


def test_the_api_server_answers_pods_as_protobuf(cluster: TestCluster) -> None:
    content_type, body = answer(cluster, "/api/v1/pods", ACCEPT["auto"])
    assert content_type == PROTOBUF
    assert body.startswith(b"k8s\x00")


def test_an_aggregated_api_answers_json_to_the_same_accept(cluster: TestCluster) -> None:
    # metrics.k8s.io (metrics-server, on both backends) does not speak protobuf: the
    # fallback in the Accept header is what lets usage be read at all
    def json_answer() -> None:
        content_type, body = answer(cluster, "/apis/metrics.k8s.io/v1beta1/nodes", ACCEPT["auto"])
        assert content_type.startswith("application/json"), content_type
        assert body.lstrip().startswith(b"{")

    holds_within(json_answer, timeout=150)


def read(wire: str, progress: Progress) -> Cluster:
    client = KubeClient.from_kubeconfig(None, None, 30.0)
    client.wire = wire
    try:
        return read_cluster(client, Selection(with_usage=False, with_volumes=True), None, progress)
    finally:
        client.close()


def test_protobuf_and_json_read_the_same_cluster_page_by_page(
    kube_env: TestCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "STREAM_PAGE_SIZE", 3)  # many pages: continue tokens
    progress = Progress(None)

    def same() -> None:
        assert read("protobuf", progress) == read("json", Progress(None))

    holds_within(same)  # the sample's crash-looping pod may change between the two reads
    pages, pods = progress.counts["pods"]
    assert pods > 3 * 2 and pages >= pods // 3, progress.counts


def test_the_cli_shows_the_same_tree_on_either_wire(cluster: TestCluster) -> None:
    def same() -> None:
        outputs = []
        for wire in ("protobuf", "json", "auto"):
            done = run("tree", "-A", "-o", "json", "--wire", wire, kubeconfig=cluster.kubeconfig)
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout)
        assert outputs[0] == outputs[1] == outputs[2]

    holds_within(same)
