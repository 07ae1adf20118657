"""gzip on the real API server: asked for and received, or not asked at all.

The API server gzips an answer over 128 KiB when asked to (Accept-Encoding: gzip); the
test's LIST is made bigger than that. The client counts the answers that came with
``Content-Encoding: gzip``: the server's own word that they were compressed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kube_inspect.cli.options import ClusterFlags
from kube_inspect.cli.reading import kubeconfig_client
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.compression import COMPRESSION_ENV
from kube_inspect.kube.connection import read_connection
from kube_inspect.kube.decode import decode_json
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


def test_a_streamed_list_waits_gzipped_and_reads_the_same(
    cluster: TestCluster, big_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A streamed page is kept as it came (gzipped) until it is decoded, then read whole."""
    monkeypatch.setenv(COMPRESSION_ENV, "gzip")
    client = KubeClient.from_kubeconfig(str(cluster.kubeconfig), None, 30.0)
    try:
        path = f"/api/v1/namespaces/{big_namespace}/configmaps"
        items = list(client.stream(path, "configmaps", decode=decode_json))
        assert client.gzipped >= 1
    finally:
        client.close()
    payloads = {
        i["metadata"]["name"]: i["data"]["payload"] for i in items if "payload" in i["data"]
    }
    assert payloads == expected(cluster, big_namespace)


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


@pytest.fixture(scope="module")
def oidc_kubeconfig(
    cluster: TestCluster, big_namespace: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    """Yield a kubeconfig whose user is an oidc auth-provider (the kubernetes package's path).

    Its id-token is a service account's token, which the API server takes; the account
    may view the big namespace. Also yields the account's user name, for the audit log.
    """
    account = "oidc-reader"
    cluster.kubectl("create", "serviceaccount", account, "-n", big_namespace)
    cluster.kubectl(
        "create", "rolebinding", account, "--clusterrole=view",
        f"--serviceaccount={big_namespace}:{account}", "-n", big_namespace,
    )  # fmt: skip
    token = cluster.kubectl("create", "token", account, "-n", big_namespace).strip()
    doc = yaml.safe_load(cluster.kubeconfig.read_text())
    oidc = {"id-token": token, "client-id": "kube-inspect", "idp-issuer-url": "https://idp.invalid"}
    doc["users"] = [{"name": "oidc", "user": {"auth-provider": {"name": "oidc", "config": oidc}}}]
    for entry in doc["contexts"]:
        entry["context"] = {**entry["context"], "user": "oidc"}
    path = tmp_path_factory.mktemp("oidc") / "kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    assert read_connection(str(path), None) is None  # left to the kubernetes package
    yield path, f"system:serviceaccount:{big_namespace}:{account}"


def test_an_auth_provider_context_asks_for_gzip_as_the_token_path(
    cluster: TestCluster,
    big_namespace: str,
    oidc_kubeconfig: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(COMPRESSION_ENV, "gzip")
    payloads, gzipped = listed(oidc_kubeconfig[0], big_namespace)
    assert gzipped >= 1  # before: never asked on the kubernetes package's path
    assert payloads == expected(cluster, big_namespace)


def test_an_auth_provider_context_honours_disable_compression(
    cluster: TestCluster,
    big_namespace: str,
    oidc_kubeconfig: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    doc = yaml.safe_load(oidc_kubeconfig[0].read_text())
    for entry in doc["clusters"]:
        entry["cluster"]["disable-compression"] = True
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(doc))
    monkeypatch.setenv(COMPRESSION_ENV, "gzip")
    payloads, gzipped = listed(kubeconfig, big_namespace)
    assert gzipped == 0
    assert payloads == expected(cluster, big_namespace)


@pytest.mark.local_backend  # the kind backend keeps no audit log
@pytest.mark.parametrize("user", ["oidc", "admin"])
def test_the_cli_client_opens_its_connection_before_the_first_read(
    cluster: TestCluster, oidc_kubeconfig: tuple[Path, str], user: str
) -> None:
    """The CLI's client asks for /version as soon as it is made, whatever the credentials."""
    assert cluster.audit_log is not None
    kubeconfig = oidc_kubeconfig[0] if user == "oidc" else cluster.kubeconfig
    started = time.time()
    client = kubeconfig_client(ClusterFlags(str(kubeconfig), None, 30.0))
    try:

        def asked(event: dict[str, object]) -> bool:
            return (
                event.get("requestURI") == "/version"
                and str(event.get("userAgent", "")).startswith("kube-inspect")
                and event.get("stage") == "ResponseComplete"
            )

        deadline = time.time() + 10
        while time.time() < deadline:
            lines = cluster.audit_log.read_text().splitlines()
            events = [json.loads(line) for line in lines if '"/version"' in line]
            if any(asked(e) and _after(e, started) for e in events):
                break
            time.sleep(0.2)
        else:
            pytest.fail("no /version request was sent before any read")  # before: none
        version = json.loads(cluster.kubectl("version", "-o", "json"))["serverVersion"]
        assert client.version() == version["gitVersion"]  # the warm-up's answer
    finally:
        client.close()


def _after(event: dict[str, object], started: float) -> bool:
    """Return True when the audit event was received at or after ``started`` (epoch)."""
    from datetime import datetime

    received = str(event.get("requestReceivedTimestamp", ""))
    return datetime.fromisoformat(received.replace("Z", "+00:00")).timestamp() >= started - 1
