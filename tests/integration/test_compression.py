"""gzip on the real API server: asked for and received, or not asked at all.

The API server gzips an answer over 128 KiB when asked to (Accept-Encoding: gzip); the
test's LIST is made bigger than that. The client counts the answers that came with
``Content-Encoding: gzip``: the server's own word that they were compressed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.compression import COMPRESSION_ENV
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

CONFIGMAPS = 3
DATA_BYTES = 100_000  # each: the LIST is over the server's 128 KiB threshold for gzip


@pytest.fixture(scope="module")
def big_namespace(cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield a namespace holding a few big ConfigMaps (a LIST of ~300 KB of JSON)."""
    name = f"ki-gzip-{tmp_path_factory.mktemp('gzip').name[-6:]}".lower().replace("_", "-")
    cluster.kubectl("create", "namespace", name)
    manifest = tmp_path_factory.mktemp("manifests") / "configmaps.yaml"
    docs = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"big-{i}", "namespace": name},
            "data": {"payload": f"{i}" * DATA_BYTES},
        }
        for i in range(CONFIGMAPS)
    ]
    manifest.write_text(yaml.safe_dump_all(docs))
    cluster.kubectl("apply", "-f", str(manifest))
    try:
        yield name
    finally:
        cluster.kubectl("delete", "namespace", name, "--timeout=120s", timeout=150)


def listed(kubeconfig: Path, namespace: str) -> tuple[dict[str, str], int]:
    """Return the ConfigMaps' payloads read by kube-inspect's client, and its gzip count."""
    client = KubeClient.from_kubeconfig(str(kubeconfig), None, 30.0)
    try:
        items = client.list_all(f"/api/v1/namespaces/{namespace}/configmaps")
        payloads = {
            i["metadata"]["name"]: i["data"]["payload"]
            for i in items
            if i["metadata"]["name"].startswith("big-")
        }
        return payloads, client.gzipped
    finally:
        client.close()


def expected(cluster: TestCluster, namespace: str) -> dict[str, str]:
    doc = json.loads(cluster.kubectl("get", "configmaps", "-n", namespace, "-o", "json"))
    return {
        i["metadata"]["name"]: i["data"]["payload"]
        for i in doc["items"]
        if i["metadata"]["name"].startswith("big-")
    }


def test_gzip_asked_for_comes_gzipped_and_reads_the_same(
    cluster: TestCluster, big_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COMPRESSION_ENV, "gzip")
    payloads, gzipped = listed(cluster.kubeconfig, big_namespace)
    assert gzipped >= 1  # the server said Content-Encoding: gzip
    assert payloads == expected(cluster, big_namespace)
    assert len(payloads) == CONFIGMAPS


def test_no_compression_asked_comes_plain(
    cluster: TestCluster, big_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COMPRESSION_ENV, "none")
    payloads, gzipped = listed(cluster.kubeconfig, big_namespace)
    assert gzipped == 0
    assert payloads == expected(cluster, big_namespace)


def test_disable_compression_in_the_kubeconfig_is_honoured(
    cluster: TestCluster, big_namespace: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    doc = yaml.safe_load(cluster.kubeconfig.read_text())
    for entry in doc["clusters"]:
        entry["cluster"]["disable-compression"] = True
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(doc))
    monkeypatch.setenv(COMPRESSION_ENV, "gzip")  # the kubeconfig wins, as with kubectl
    payloads, gzipped = listed(kubeconfig, big_namespace)
    assert gzipped == 0
    assert payloads == expected(cluster, big_namespace)
