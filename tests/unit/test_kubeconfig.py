"""kube-inspect's own kubeconfig reader: files merged as kubectl merges them, credentials.

Exec plugins here are real programs (small shell scripts) run as kubectl would run them.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
import yaml

from kube_inspect.errors import ConfigError, ReadOnlyViolation, Unauthorized
from kube_inspect.kube import credentials as credentials_module
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.connection import Connection, read_connection
from kube_inspect.kube.credentials import TOKEN_FILE_PERIOD, Credentials
from kube_inspect.kube.transport import (
    HttpTransport,
    KubernetesTransport,
    pool_manager,
    tls_context,
)
from tests.certs import self_signed


@pytest.fixture(autouse=True)
def no_kept_answers() -> Iterator[None]:
    """Each test runs its plugins afresh (answers are kept for the process)."""
    credentials_module._ANSWERS.clear()
    yield
    credentials_module._ANSWERS.clear()


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc))
    return path


def config(
    clusters: dict[str, dict[str, Any]] | None = None,
    users: dict[str, dict[str, Any]] | None = None,
    contexts: dict[str, tuple[str, str]] | None = None,
    current: str | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": n, "cluster": c} for n, c in (clusters or {}).items()],
        "users": [{"name": n, "user": u} for n, u in (users or {}).items()],
        "contexts": [
            {"name": n, "context": {"cluster": c, "user": u}}
            for n, (c, u) in (contexts or {}).items()
        ],
    }
    if current:
        doc["current-context"] = current
    return doc


def test_the_first_file_to_name_a_context_or_current_context_wins(tmp_path: Path) -> None:
    first = write(
        tmp_path / "a" / "config",
        config(
            clusters={"c": {"server": "https://first:6443"}},
            users={"u": {"token": "first-token"}},
            contexts={"shared": ("c", "u")},
            current="shared",
        ),
    )
    second = write(
        tmp_path / "b" / "config",
        config(
            clusters={"c": {"server": "https://second:6443"}, "d": {"server": "https://d:6443"}},
            users={"u": {"token": "second-token"}, "v": {"token": "v-token"}},
            contexts={"shared": ("d", "v"), "only-second": ("c", "v")},
            current="only-second",
        ),
    )
    paths = f"{first}{os.pathsep}{second}"
    shared = read_connection(paths, None)
    assert shared is not None
    assert (shared.context, shared.server, shared.token) == (
        "shared",
        "https://first:6443",
        "first-token",
    )
    # a context of the second file, naming a cluster the first file defined first
    other = read_connection(paths, "only-second")
    assert other is not None
    assert (other.server, other.token) == ("https://first:6443", "v-token")


def test_kubeconfig_env_is_read_when_no_flag_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path / "config",
        config({"c": {"server": "https://env:6443/"}}, {"u": {}}, {"x": ("c", "u")}, "x"),
    )
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}{os.pathsep}{path}")
    connection = read_connection(None, None)
    assert connection is not None
    assert connection.server == "https://env:6443"  # the trailing slash dropped, as before


def test_relative_paths_are_resolved_against_the_file_that_names_them(tmp_path: Path) -> None:
    clusters = write(
        tmp_path / "clusters" / "config",
        config(clusters={"c": {"server": "https://c:6443", "certificate-authority": "pki/ca.crt"}}),
    )
    users = write(
        tmp_path / "users" / "config",
        config(
            users={
                "u": {
                    "client-certificate": "me.crt",
                    "client-key": "keys/me.key",
                    "tokenFile": "../token",
                }
            },
            contexts={"x": ("c", "u")},
            current="x",
        ),
    )
    connection = read_connection(f"{users}{os.pathsep}{clusters}", None)
    assert connection is not None
    assert connection.ca_file == str(tmp_path / "clusters" / "pki" / "ca.crt")
    assert connection.cert_file == str(tmp_path / "users" / "me.crt")
    assert connection.key_file == str(tmp_path / "users" / "keys" / "me.key")
    assert os.path.normpath(connection.token_file or "") == str(tmp_path / "token")


def ca_pem() -> bytes:
    return self_signed("test-ca", ca=True)[1]


def key_and_cert() -> tuple[bytes, bytes]:
    return self_signed("me", ca=False)


def test_data_fields_win_over_files_and_are_used_from_memory(tmp_path: Path) -> None:
    ca = ca_pem()
    key, cert = key_and_cert()
    path = write(
        tmp_path / "config",
        config(
            clusters={
                "c": {
                    "server": "https://c:6443",
                    "certificate-authority": "missing-ca.crt",  # never opened: data wins
                    "certificate-authority-data": base64.b64encode(ca).decode(),
                }
            },
            users={
                "u": {
                    "client-certificate-data": base64.b64encode(cert).decode(),
                    "client-key-data": base64.b64encode(key).decode(),
                }
            },
            contexts={"x": ("c", "u")},
            current="x",
        ),
    )
    connection = read_connection(str(path), None)
    assert connection is not None
    assert (connection.ca_data, connection.cert_data, connection.key_data) == (ca, cert, key)
    credentials = Credentials(connection, plugin_timeout=5)
    context = tls_context(connection, credentials.client_certificate())
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "test-ca"),),)]
    leftovers = list(Path(tempfile.gettempdir()).glob("kube-inspect-*/client.key"))
    assert leftovers == []  # the key's copy is gone once OpenSSL has read it


def test_malformed_kubeconfigs_are_config_errors_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "config"
    broken.write_text(yaml.safe_dump({"clusters": {"not": "a list"}, "current-context": "x"}))
    with pytest.raises(ConfigError, match=f"malformed kubeconfig {broken}: clusters is not a list"):
        read_connection(str(broken), None)
    dangling = write(tmp_path / "dangling", config(contexts={"x": ("nowhere", "u")}, current="x"))
    with pytest.raises(ConfigError, match="names cluster 'nowhere'"):
        read_connection(str(dangling), None)
    with pytest.raises(ConfigError, match="context 'y' not found"):
        read_connection(str(dangling), "y")
    bad_data = write(
        tmp_path / "bad-data",
        config(
            {"c": {"server": "https://c", "certificate-authority-data": "%%%"}},
            {"u": {}},
            {"x": ("c", "u")},
            "x",
        ),
    )
    with pytest.raises(ConfigError, match="certificate-authority-data is not base64"):
        read_connection(str(bad_data), None)


def one_context(tmp_path: Path, user: dict[str, Any], server: str = "https://127.0.0.1:1") -> str:
    cluster = {"server": server, "insecure-skip-tls-verify": True}
    return str(
        write(tmp_path / "config", config({"c": cluster}, {"u": user}, {"x": ("c", "u")}, "x"))
    )


def connection_of(tmp_path: Path, user: dict[str, Any], **cluster: Any) -> Connection:
    connection = read_connection(one_context(tmp_path, user, **cluster), None)
    assert connection is not None
    return connection


def test_an_auth_provider_user_goes_through_the_kubernetes_package(tmp_path: Path) -> None:
    user = {"auth-provider": {"name": "oidc", "config": {"id-token": "t", "client-id": "c"}}}
    assert read_connection(one_context(tmp_path, user), None) is None
    # a user field this reader does not know: the package, which read every context before
    assert (
        read_connection(one_context(tmp_path / "new", {"token": "t", "newer-field": 1}), None)
        is None
    )
    client = KubeClient.from_kubeconfig(one_context(tmp_path, user), None, 1.0)
    try:
        assert isinstance(client._transport, KubernetesTransport)
        assert client.target.server == "https://127.0.0.1:1"
    finally:
        client.close()


def test_a_plain_user_goes_through_kube_inspects_own_transport(tmp_path: Path) -> None:
    client = KubeClient.from_kubeconfig(one_context(tmp_path, {"token": "t"}), None, 1.0)
    try:
        assert isinstance(client._transport, HttpTransport)
    finally:
        client.close()


@pytest.mark.parametrize("method", ["DELETE", "POST", "PUT", "PATCH"])
def test_both_transports_refuse_writes_before_sending(tmp_path: Path, method: str) -> None:
    own = KubeClient.from_kubeconfig(one_context(tmp_path, {"token": "t"}), None, 1.0)
    package = KubeClient.through_kubernetes(one_context(tmp_path, {"token": "t"}), None, 1.0)
    for client in (own, package):
        with pytest.raises(ReadOnlyViolation, match=f"refused to send {method}"):
            client._transport.request(method, "/api/v1/namespaces/default")
        client.close()


def test_token_beats_basic_auth_and_basic_auth_is_encoded(tmp_path: Path) -> None:
    both = connection_of(tmp_path, {"token": "abc", "username": "me", "password": "pw"})
    assert Credentials(both, None).authorization() == "Bearer abc"
    basic = connection_of(tmp_path / "basic", {"username": "me", "password": "pw"})
    assert Credentials(basic, None).authorization() == (
        "Basic " + base64.b64encode(b"me:pw").decode()
    )
    assert Credentials(connection_of(tmp_path / "none", {}), None).authorization() is None


def test_a_token_file_is_read_again_after_a_minute(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("first\n")
    connection = connection_of(tmp_path, {"tokenFile": "token"})
    clock = [1000.0]
    credentials = Credentials(connection, None, now=lambda: clock[0])
    assert credentials.authorization() == "Bearer first"
    token.write_text("second\n")
    clock[0] += TOKEN_FILE_PERIOD - 1
    assert credentials.authorization() == "Bearer first"
    clock[0] += 1
    assert credentials.authorization() == "Bearer second"
    token.unlink()  # being rotated: the token read before stays
    clock[0] += TOKEN_FILE_PERIOD
    assert credentials.authorization() == "Bearer second"


def test_a_missing_token_file_is_a_config_error(tmp_path: Path) -> None:
    connection = connection_of(tmp_path, {"tokenFile": "nowhere"})
    with pytest.raises(ConfigError, match="cannot read the tokenFile of context 'x'"):
        Credentials(connection, None)


PLUGIN = """#!/bin/sh
echo run >> "$RUNS"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO"
cat <<EOF
{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
 "status": {"token": "token-$GREETING", "expirationTimestamp": "$EXPIRES"}}
EOF
"""


def plugin_user(tmp_path: Path, expires: str, **extra: Any) -> dict[str, Any]:
    script = tmp_path / "bin" / "plugin"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(PLUGIN)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    env = {"RUNS": str(tmp_path / "runs"), "INFO": str(tmp_path / "info"), "GREETING": "hi"}
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "./bin/plugin",  # relative to the kubeconfig's directory, as in kubectl
            "env": [{"name": k, "value": v} for k, v in {**env, "EXPIRES": expires}.items()],
            "interactiveMode": "Never",
            **extra,
        }
    }


def runs(tmp_path: Path) -> int:
    return len((tmp_path / "runs").read_text().splitlines())


def test_an_exec_plugins_token_is_sent_and_kept_until_it_expires(tmp_path: Path) -> None:
    user = plugin_user(tmp_path, "2999-01-01T00:00:00Z", provideClusterInfo=True)
    connection = connection_of(tmp_path, user)
    assert Credentials(connection, 5).authorization() == "Bearer token-hi"
    assert Credentials(connection, 5).authorization() == "Bearer token-hi"
    assert runs(tmp_path) == 1  # the second client reused the first one's answer
    info = json.loads((tmp_path / "info").read_text())
    assert info["apiVersion"] == "client.authentication.k8s.io/v1"
    assert info["kind"] == "ExecCredential"
    assert info["spec"]["interactive"] is False
    assert info["spec"]["cluster"]["server"] == "https://127.0.0.1:1"
    assert info["spec"]["cluster"]["insecure-skip-tls-verify"] is True


def test_an_expired_plugin_answer_runs_the_plugin_again(tmp_path: Path) -> None:
    connection = connection_of(tmp_path, plugin_user(tmp_path, "2026-01-01T00:00:00Z"))
    before = datetime.datetime(2025, 12, 31, tzinfo=datetime.UTC).timestamp()
    clock = [before]
    credentials = Credentials(connection, 5, now=lambda: clock[0])
    assert credentials.authorization() == "Bearer token-hi"
    assert runs(tmp_path) == 1
    clock[0] = before + 2 * 86400  # past the expirationTimestamp
    assert credentials.authorization() == "Bearer token-hi"
    assert runs(tmp_path) == 2
    info = json.loads((tmp_path / "info").read_text())
    assert "cluster" not in info["spec"]  # no provideClusterInfo: nothing said of it


def test_an_exec_plugin_may_answer_with_a_client_certificate(tmp_path: Path) -> None:
    key, cert = key_and_cert()
    status = {"clientCertificateData": cert.decode(), "clientKeyData": key.decode()}
    answer = {"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential"}
    script = tmp_path / "cert-plugin"
    script.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps({**answer, 'status': status})}\nEOF\n")
    script.chmod(0o700)
    user = {"exec": {"apiVersion": answer["apiVersion"], "command": str(script)}}
    connection = connection_of(tmp_path, user)
    credentials = Credentials(connection, 5)
    assert credentials.authorization() is None
    certificate = credentials.client_certificate()
    assert certificate is not None and (certificate.cert_data, certificate.key_data) == (cert, key)
    tls_context(connection, certificate)  # OpenSSL takes the pair


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("echo 'session expired: run corp-login' >&2; exit 1", "exec: process returned 1. session"),
        ("echo not-json", "exec: failed to decode process output"),
        (
            'echo \'{"apiVersion": "client.authentication.k8s.io/v1beta1",'
            ' "kind": "ExecCredential", "status": {"token": "t"}}\'',
            "does not match client.authentication.k8s.io/v1",
        ),
        ("exec sleep 30", "did not answer within 1s (--request-timeout)"),
    ],
)
def test_a_failing_plugin_is_unauthorized_in_its_own_words(
    tmp_path: Path, script: str, message: str
) -> None:
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "sh",
            "args": ["-c", script],
            "interactiveMode": "Never",
        }
    }
    with pytest.raises(Unauthorized, match="the credential plugin of context 'x' failed") as e:
        Credentials(connection_of(tmp_path, user), 1.0)
    assert message in str(e.value)
    assert str(e.value).endswith("log in again, or fix users[].user.exec in the kubeconfig")


def test_a_plugin_that_is_not_installed_says_so_with_its_hint(tmp_path: Path) -> None:
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "kube-inspect-no-such-plugin",
            "installHint": "install it with: brew install no-such-plugin",
            "interactiveMode": "Never",
        }
    }
    with pytest.raises(Unauthorized, match="executable kube-inspect-no-such-plugin not found"):
        Credentials(connection_of(tmp_path, user), 1.0)


def test_an_always_interactive_plugin_without_a_terminal_fails_before_running(
    tmp_path: Path,
) -> None:
    user = plugin_user(tmp_path, "2999-01-01T00:00:00Z")
    user["exec"]["interactiveMode"] = "Always"
    with pytest.raises(Unauthorized, match="standard input is not a terminal"):
        Credentials(connection_of(tmp_path, user), 1.0)
    assert not (tmp_path / "runs").exists()


def test_a_proxy_url_with_a_user_sends_proxy_authorization(tmp_path: Path) -> None:
    doc = config(
        {"c": {"server": "https://c:6443", "proxy-url": "http://me:s%40cret@127.0.0.1:3128"}},
        {"u": {}},
        {"x": ("c", "u")},
        "x",
    )
    connection = read_connection(str(write(tmp_path / "config", doc)), None)
    assert connection is not None
    pool = pool_manager(connection, None)
    assert isinstance(pool, urllib3.ProxyManager)
    assert pool.proxy_headers == {
        "proxy-authorization": "Basic " + base64.b64encode(b"me:s@cret").decode()
    }
