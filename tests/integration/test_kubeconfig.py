"""Kubeconfig features against the real API server, through kube-inspect's own reader.

Each test writes a kubeconfig that reaches the cluster in one way kubectl supports (files
merged with relative paths, certificates as data, an exec plugin's certificate, a proxy)
and compares the nodes kube-inspect shows with those kubectl lists. An auth-provider
user goes through the kubernetes package instead, and must work as well.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.clusters.faultproxy import free_port
from tests.clusters.httpfaults import MITMDUMP
from tests.clusters.local import stop_pids
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration


def admin(cluster: TestCluster) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Return the admin kubeconfig's document, its cluster entry and its user entry."""
    doc = yaml.safe_load(cluster.kubeconfig.read_text())
    context = next(c for c in doc["contexts"] if c["name"] == doc["current-context"])
    entry = next(c for c in doc["clusters"] if c["name"] == context["context"]["cluster"])
    user = next(u for u in doc["users"] if u["name"] == context["context"]["user"])
    return doc, entry["cluster"], user["user"]


def pem(entry: dict[str, Any], key: str) -> bytes:
    """Return a certificate or key of a kubeconfig entry, whether a file or data."""
    if entry.get(f"{key}-data"):
        return base64.b64decode(entry[f"{key}-data"])
    return Path(entry[key]).read_bytes()


def single(server: str, cluster: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server, **cluster}}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }


def shows_the_nodes(cluster: TestCluster, kubeconfig: str | Path) -> None:
    """Assert `tree` through ``kubeconfig`` (as $KUBECONFIG) shows the nodes kubectl lists."""
    result = run("tree", "-o", "json", kubeconfig=Path(kubeconfig))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    shown = [f"node/{n['name']}" for n in json.loads(result.stdout)["cluster"]["nodes"]]
    assert sorted(shown) == sorted(cluster.kubectl("get", "nodes", "-o", "name").split())


def test_files_merged_with_paths_relative_to_each_file(
    cluster: TestCluster, tmp_path: Path
) -> None:
    _, entry, user = admin(cluster)
    (tmp_path / "a" / "pki").mkdir(parents=True)
    (tmp_path / "b" / "me").mkdir(parents=True)
    (tmp_path / "a" / "pki" / "ca.crt").write_bytes(pem(entry, "certificate-authority"))
    (tmp_path / "b" / "me" / "tls.crt").write_bytes(pem(user, "client-certificate"))
    (tmp_path / "b" / "me" / "tls.key").write_bytes(pem(user, "client-key"))
    clusters = single(entry["server"], {"certificate-authority": "pki/ca.crt"}, {})
    clusters["users"], clusters["contexts"] = [], []
    clusters["current-context"] = "not-this-one"  # the first file's current-context wins
    users = single("https://unused.invalid", {}, {})
    users["clusters"] = []
    users["users"] = [
        {"name": "u", "user": {"client-certificate": "me/tls.crt", "client-key": "me/tls.key"}}
    ]
    (tmp_path / "a" / "config").write_text(yaml.safe_dump(clusters))
    (tmp_path / "b" / "config").write_text(yaml.safe_dump(users))
    shows_the_nodes(cluster, f"{tmp_path / 'b' / 'config'}{os.pathsep}{tmp_path / 'a' / 'config'}")


def test_certificates_given_as_data(cluster: TestCluster, tmp_path: Path) -> None:
    _, entry, user = admin(cluster)
    data = {
        "certificate-authority-data": base64.b64encode(pem(entry, "certificate-authority")),
        "client-certificate-data": base64.b64encode(pem(user, "client-certificate")),
        "client-key-data": base64.b64encode(pem(user, "client-key")),
    }
    text = {k: v.decode() for k, v in data.items()}
    doc = single(
        entry["server"],
        {"certificate-authority-data": text["certificate-authority-data"]},
        {k: text[k] for k in ("client-certificate-data", "client-key-data")},
    )
    (tmp_path / "config").write_text(yaml.safe_dump(doc))
    shows_the_nodes(cluster, tmp_path / "config")


@pytest.mark.parametrize(
    "api_version", ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
)
def test_an_exec_plugin_that_answers_a_client_certificate(
    cluster: TestCluster, tmp_path: Path, api_version: str
) -> None:
    _, entry, user = admin(cluster)
    answer = {
        "apiVersion": api_version,
        "kind": "ExecCredential",
        "status": {
            "clientCertificateData": pem(user, "client-certificate").decode(),
            "clientKeyData": pem(user, "client-key").decode(),
        },
    }
    (tmp_path / "answer.json").write_text(json.dumps(answer))
    plugin = tmp_path / "plugin.sh"
    plugin.write_text('#!/bin/sh\ntest -n "$KUBERNETES_EXEC_INFO" && cat answer.json\n')
    plugin.chmod(0o700)
    ca = base64.b64encode(pem(entry, "certificate-authority")).decode()
    exec_entry = {"apiVersion": api_version, "command": "./plugin.sh", "interactiveMode": "Never"}
    doc = single(entry["server"], {"certificate-authority-data": ca}, {"exec": exec_entry})
    (tmp_path / "config").write_text(yaml.safe_dump(doc))
    shows_the_nodes(cluster, tmp_path / "config")


@pytest.fixture
def forward_proxy(tmp_path: Path) -> Iterator[int]:
    """Yield the port of a real HTTP proxy (mitmdump) that tunnels TLS without opening it."""
    port = free_port()
    log = open(tmp_path / "mitmdump.log", "wb")  # noqa: SIM115 - lives with the process
    process = subprocess.Popen(
        [
            *(str(MITMDUMP), "--mode", "regular", "--listen-host", "127.0.0.1"),
            *("--listen-port", str(port), "--set", f"confdir={tmp_path / 'mitm'}"),
            *("--ignore-hosts", ".*", "-v"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert process.poll() is None and time.monotonic() < deadline, "mitmdump did not start"
        time.sleep(0.1)
    try:
        yield port
    finally:
        stop_pids({"mitmdump": process.pid}, grace=2)
        process.wait(timeout=5)
        log.close()


def test_proxy_url_is_used(cluster: TestCluster, tmp_path: Path, forward_proxy: int) -> None:
    doc, _, _ = admin(cluster)
    for entry in doc["clusters"]:
        entry["cluster"]["proxy-url"] = f"http://127.0.0.1:{forward_proxy}"
    (tmp_path / "config").write_text(yaml.safe_dump(doc))
    shows_the_nodes(cluster, tmp_path / "config")
    tunnels = (tmp_path / "mitmdump.log").read_text(errors="replace")
    assert "CONNECT" in tunnels or "client connect" in tunnels, tunnels[-2000:]
    for entry in doc["clusters"]:
        entry["cluster"]["proxy-url"] = f"http://127.0.0.1:{free_port()}"  # nothing listens
    (tmp_path / "dead-proxy").write_text(yaml.safe_dump(doc))
    result = run("tree", kubeconfig=tmp_path / "dead-proxy")
    assert result.returncode == 3, result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_an_auth_provider_user_goes_through_the_kubernetes_package(
    cluster: TestCluster, tmp_path: Path
) -> None:
    doc, _, user = admin(cluster)
    # an oidc id-token that is no JWT: the package sends none, the client certificate does
    user["auth-provider"] = {"name": "oidc", "config": {"id-token": "not-a-jwt"}}
    for entry in doc["users"]:
        entry["user"].update(user)
    (tmp_path / "config").write_text(yaml.safe_dump(doc))
    shows_the_nodes(cluster, tmp_path / "config")
