"""Pods on the protobuf wire, against a real API server: it is used, and reads as JSON does.

kube-inspect asks for pods as JSON, and once a LIST's first page says it is big, for the
rest as ``application/vnd.kubernetes.protobuf`` with JSON as the fallback (``--wire auto``);
``--wire json`` (the default) and ``--wire protobuf`` ask for one encoding throughout. The
cluster it builds must not depend on the encoding, paging (limit/continue) included.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kube_inspect.kube import client as client_module
from kube_inspect.kube import paging
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.compression import COMPRESSION_ENV
from kube_inspect.kube.decode import decode_pod_list
from kube_inspect.kube.progress import Progress
from kube_inspect.kube.wires import ACCEPT, PROTOBUF
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.selection import Selection
from kube_inspect.render.progress import ProgressLine
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
    monkeypatch.setattr(paging, "STREAM_PAGE_SIZE", 3)  # many pages: continue tokens
    progress = ProgressLine(None)

    def same() -> None:
        assert read("protobuf", progress) == read("json", ProgressLine(None))

    holds_within(same)  # the sample's crash-looping pod may change between the two reads
    pages, pods = progress.counts["pods"]
    assert pods > 3 * 2 and pages >= pods // 3, progress.counts


def test_auto_switches_to_protobuf_after_a_first_page_that_says_the_list_is_big(
    kube_env: TestCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "STREAM_PAGE_SIZE", 3)
    seen: list[bool] = []  # each page of pods: protobuf?
    decode = decode_pod_list

    def spying(body: bytes, **options: Any) -> dict[str, Any]:
        seen.append(body.startswith(b"k8s\x00"))
        return decode(body, **options)

    monkeypatch.setattr(client_module, "decode_pod_list", spying)

    def same() -> None:
        seen.clear()
        monkeypatch.setattr(client_module, "AUTO_PROTOBUF_ABOVE", 10_000)
        small = read("auto", ProgressLine(None))
        assert seen and not any(seen), seen  # the sample is small: JSON throughout
        seen.clear()
        monkeypatch.setattr(client_module, "AUTO_PROTOBUF_ABOVE", 3)
        big = read("auto", ProgressLine(None))
        # the first page is JSON and says more than 3 remain: the rest come as protobuf
        assert seen[0] is False and seen[1] is True, seen
        assert big == small == read("json", ProgressLine(None))

    holds_within(same)  # the sample's crash-looping pod may change between the reads


@pytest.mark.parametrize("wire", ["json", "protobuf"])
@pytest.mark.parametrize("why", ["big list", "distant server"])
def test_pages_grow_after_the_first_for_a_big_list_or_a_distant_server(
    kube_env: TestCluster, monkeypatch: pytest.MonkeyPatch, wire: str, why: str
) -> None:
    """Pages grow after the first when it says the list is big, or gzip was asked for.

    A server not on loopback is asked for gzip; its every page costs a round trip.
    """
    monkeypatch.setattr(paging, "STREAM_PAGE_SIZE", 3)
    monkeypatch.setattr(paging, "BIG_LIST_PAGE_SIZE", 5)
    monkeypatch.setattr(paging, "DISTANT_GROW_ABOVE", 3)
    monkeypatch.setattr(paging, "BIG_LIST_ABOVE", 10_000)  # the sample is small
    monkeypatch.setenv(COMPRESSION_ENV, "none")

    def pages_and_model(grow: bool) -> tuple[int, int, Cluster]:
        if why == "big list":
            monkeypatch.setattr(paging, "BIG_LIST_ABOVE", 3 if grow else 10_000)
        else:
            monkeypatch.setenv(COMPRESSION_ENV, "gzip" if grow else "none")
        progress = ProgressLine(None)
        model = read(wire, progress)
        pages, pods = progress.counts["pods"]
        return pages, pods, model

    def same() -> None:
        small_pages, pods, small = pages_and_model(grow=False)  # pages of 3 throughout
        assert pods > 3 + 5 and small_pages == -(-pods // 3)
        # the first page of 3 says more than 3 remain: the rest come in pages of 5
        big_pages, big_pods, big = pages_and_model(grow=True)
        assert big_pods == pods and big_pages == 1 + -(-(pods - 3) // 5)
        assert big == small

    holds_within(same)  # the sample's crash-looping pod may change between the reads


def without_usage(value: Any) -> Any:
    """Return a JSON document without its live usage figures (metrics-server's, changing)."""
    if isinstance(value, dict):
        return {k: without_usage(v) for k, v in value.items() if k != "usage"}
    if isinstance(value, list):
        return [without_usage(v) for v in value]
    return value


def test_the_cli_shows_the_same_cluster_on_either_wire(cluster: TestCluster) -> None:
    def same() -> None:
        shown = []
        for wire in ("protobuf", "json", "auto"):
            done = run("tree", "-A", "-o", "json", "--wire", wire, kubeconfig=cluster.kubeconfig)
            assert done.returncode == 0, done.stderr
            shown.append(without_usage(json.loads(done.stdout)))
        assert shown[0] == shown[1] == shown[2]
        assert shown[0]["cluster"]["nodes"]

    holds_within(same)
