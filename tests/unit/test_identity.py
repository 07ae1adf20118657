"""Impersonation and kubectl's connection flags: headers as client-go sends them, flags first.

The header escaping is checked against client-go's own cases (transport/round_trippers_test.go);
the precedence against client-go's tools/clientcmd (client_config.go getAuthInfo/getCluster).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import urllib3
from click.testing import CliRunner

from kube_inspect.cli import cli
from kube_inspect.errors import ConfigError
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.connection import read_connection
from kube_inspect.kube.identity import (
    Impersonation,
    escape_extra_key,
    impersonation_headers,
    read_impersonation,
)
from kube_inspect.kube.overrides import ConnectionOverrides
from kube_inspect.kube.transport import HttpTransport, KubernetesTransport
from tests.unit.recorded import factory
from tests.unit.test_kubeconfig import config, write

# client-go's TestHeaderEscapeRoundTrip keys: each must come back from the server's unescaping
CLIENT_GO_KEYS = [
    "alphabetical",
    "alph4num3r1c",
    "percent%20encoded",
    "almost%zzpercent%xxencoded",
    "example.com/percent%20encoded",
    "example.com/ᛒᚥᛏᛖᚥᚢとロビン",
    "abc123!#$+.-_*\\^`~|'",
    "@=:",
]


@pytest.mark.parametrize("key", CLIENT_GO_KEYS)
def test_extra_keys_come_back_from_the_servers_unescaping(key: str) -> None:
    escaped = escape_extra_key(key)
    assert unquote(escaped) == key
    assert all(c.isascii() and c not in ' "(),/:;<=>?@[\\]{}' for c in escaped)


def test_extra_keys_are_escaped_byte_by_byte_as_client_go_does() -> None:
    assert escape_extra_key("scopes") == "scopes"
    assert escape_extra_key("example.com/percent%20encoded") == "example.com%2Fpercent%2520encoded"
    assert escape_extra_key("ä") == "%C3%A4"  # UTF-8 bytes, upper-case hex


def test_headers_of_every_field_one_line_per_group_and_extra_value() -> None:
    impersonation = read_impersonation(
        {
            "as": "user",
            "as-uid": "uid-a",
            "as-groups": ["one", "two"],
            "as-user-extra": {"second": ["B", "b"], "first": ["A", "a"]},
        }
    )
    assert impersonation_headers(impersonation) == (
        ("Impersonate-User", "user"),
        ("Impersonate-Uid", "uid-a"),
        ("Impersonate-Group", "one"),
        ("Impersonate-Group", "two"),
        ("Impersonate-Extra-first", "A"),
        ("Impersonate-Extra-first", "a"),
        ("Impersonate-Extra-second", "B"),
        ("Impersonate-Extra-second", "b"),
    )
    assert impersonation_headers(None) == ()


@pytest.mark.parametrize(
    "user", [{"as-groups": ["g"]}, {"as-uid": "1"}, {"as-user-extra": {"k": ["v"]}}]
)
def test_groups_uid_or_extra_without_a_user_are_refused_as_kubectl_refuses(
    tmp_path: Path, user: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="without impersonating a user"):
        read_impersonation(user)
    path = write(
        tmp_path / "c",
        config({"c": {"server": "https://s:1"}}, {"u": user}, {"x": ("c", "u")}, "x"),
    )
    with pytest.raises(ConfigError, match=r"without impersonating a user.*pass --as"):
        read_connection(str(path), None)


def kubeconfig(tmp_path: Path) -> str:
    """Two clusters and two users; context x: cluster c (CA data, tls-server-name), user u."""
    clusters: dict[str, dict[str, Any]] = {
        "c": {
            "server": "https://c:6443",
            "certificate-authority-data": "Y2E=",
            "tls-server-name": "c.internal",
        },
        "d": {"server": "https://d:6443", "insecure-skip-tls-verify": True},
    }
    users: dict[str, dict[str, Any]] = {
        "u": {"token": "u-token", "as": "qa-viewer", "as-groups": ["qa"]},
        "v": {"username": "v", "password": "p"},
    }
    doc = config(clusters, users, {"x": ("c", "u")}, "x")
    doc["contexts"][0]["context"]["namespace"] = "qa-a"
    return str(write(tmp_path / "config", doc))


def connection(tmp_path: Path, **flags: Any) -> Any:
    found = read_connection(kubeconfig(tmp_path), None, ConnectionOverrides(**flags))
    assert found is not None
    return found


def test_the_kubeconfig_alone_decides_without_flags(tmp_path: Path) -> None:
    c = connection(tmp_path)
    assert c.impersonation == Impersonation("qa-viewer", None, ("qa",))
    assert (c.server, c.ca_data, c.tls_server_name, c.token) == (
        "https://c:6443",
        b"ca",
        "c.internal",
        "u-token",
    )
    assert c.namespace == "qa-a"


def test_as_replaces_the_user_and_keeps_the_kubeconfigs_groups(tmp_path: Path) -> None:
    # client-go merges the flags field by field: --as alone keeps as-groups
    assert connection(tmp_path, impersonate="admin").impersonation == Impersonation(
        "admin", None, ("qa",)
    )
    assert connection(
        tmp_path, impersonate_groups=("a", "b"), impersonate_uid="7"
    ).impersonation == Impersonation("qa-viewer", "7", ("a", "b"))


def test_server_flag_wins_and_drops_the_kubeconfigs_tls_server_name(tmp_path: Path) -> None:
    c = connection(tmp_path, server="https://elsewhere:443")
    assert (c.server, c.tls_server_name, c.ca_data) == ("https://elsewhere:443", None, b"ca")
    c = connection(tmp_path, server="https://elsewhere:443", tls_server_name="n")
    assert c.tls_server_name == "n"


def test_ca_or_insecure_flag_replaces_the_kubeconfigs_whole_ca_choice(tmp_path: Path) -> None:
    c = connection(tmp_path, certificate_authority="/etc/ca.crt")
    assert (c.ca_file, c.ca_data, c.insecure) == ("/etc/ca.crt", None, False)
    c = connection(tmp_path, insecure_skip_tls_verify=True)
    assert (c.ca_file, c.ca_data, c.insecure) == (None, None, True)


def test_user_and_cluster_flags_pick_other_entries(tmp_path: Path) -> None:
    c = connection(tmp_path, user="v", cluster="d")
    assert (c.server, c.insecure, c.username, c.token, c.impersonation) == (
        "https://d:6443",
        True,
        "v",
        None,
        None,
    )
    assert c.namespace == "qa-a"  # still the context's
    assert connection(tmp_path, token="flag-token").token == "flag-token"
    with pytest.raises(ConfigError, match=r"user 'nobody' not found.*--user"):
        connection(tmp_path, user="nobody")
    with pytest.raises(ConfigError, match=r"cluster 'nowhere' not found.*--cluster"):
        connection(tmp_path, cluster="nowhere")


def test_own_transport_sends_each_group_as_a_header_line(tmp_path: Path) -> None:
    client = KubeClient.from_kubeconfig(
        kubeconfig(tmp_path),
        None,
        1.0,
        ConnectionOverrides(impersonate_groups=("a", "b"), insecure_skip_tls_verify=True),
    )
    transport = client._transport
    assert isinstance(transport, HttpTransport)
    sent: list[Any] = []

    class Pool:
        def request(self, method: str, url: str, headers: Any, **_: Any) -> Any:
            sent.append(headers)
            return None

    transport._pool = Pool()  # type: ignore[assignment]
    transport._current_pool = lambda: transport._pool  # type: ignore[method-assign]
    transport.request("GET", "/api/v1/pods")
    headers = sent[0]
    assert isinstance(headers, urllib3.HTTPHeaderDict)
    assert headers.getlist("Impersonate-Group") == ["a", "b"]
    assert headers["Impersonate-User"] == "qa-viewer"
    assert headers["Authorization"] == "Bearer u-token"


def test_kubernetes_package_path_sends_the_same_headers_and_takes_the_flags(
    tmp_path: Path,
) -> None:
    oidc = {"auth-provider": {"name": "oidc", "config": {"id-token": "t", "client-id": "c"}}}
    user = {**oidc, "as": "qa-viewer", "as-groups": ["one", "two"], "as-uid": "9"}
    doc = config({"c": {"server": "https://c:6443", "insecure-skip-tls-verify": True}}, {"u": user})
    doc["users"].append({"name": "other", "user": {**oidc, "as": "someone-else"}})
    doc["contexts"] = [{"name": "x", "context": {"cluster": "c", "user": "u", "namespace": "n"}}]
    path = str(write(tmp_path / "config", doc))
    client = KubeClient.from_kubeconfig(path, "x", 1.0)
    transport = client._transport
    assert isinstance(transport, KubernetesTransport)
    assert client.target.namespace == "n"
    sent: list[Any] = []
    pool = transport._api.rest_client.pool_manager
    pool.request = lambda method, url, headers, **_: sent.append(headers)
    with contextlib.suppress(AttributeError):  # no response came: only the headers matter
        transport.request("GET", "/api/v1/pods")
    assert sent[0].getlist("Impersonate-Group") == ["one", "two"]
    assert (sent[0]["Impersonate-User"], sent[0]["Impersonate-Uid"]) == ("qa-viewer", "9")
    flags = ConnectionOverrides(user="other", server="https://s:1", token="flag-token")
    other = KubeClient.from_kubeconfig(path, "x", 1.0, flags)
    assert isinstance(other._transport, KubernetesTransport)
    assert other._transport._identity == (("Impersonate-User", "someone-else"),)
    assert other.target.server == "https://s:1"
    assert other._transport._api.configuration.api_key["BearerToken"] == "Bearer flag-token"


def run(tmp_path: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, [*args, "--kubeconfig", kubeconfig(tmp_path)])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["tree", "--all-contexts", "--server", "https://s:1"],
            "error: --server names one cluster's connection: it does not apply to several",
        ),
        (
            ["pods", "--context", "x,x2", "--token", "t"],
            "error: --token names one cluster's connection",
        ),
        (
            ["tree", "--insecure-skip-tls-verify", "--certificate-authority", "ca.crt"],
            "error: specifying a root certificates file with the insecure flag is not allowed",
        ),
    ],
)
def test_connection_flags_that_cannot_apply_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(tmp_path, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1


def test_from_refuses_connection_flags(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["tree", "--from", "x.json", "--as", "someone"])
    assert result.exit_code == 2
    assert result.stderr == "error: --from reads a file, not a cluster: drop --as\n"


@pytest.mark.parametrize(
    "command", ["tree", "nodes", "pods", "containers", "check", "explain", "snapshot", "diff"]
)
def test_every_command_that_reads_a_cluster_takes_kubectls_connection_flags(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    for flag in ("--as ", "--as-group", "--as-uid", "--user", "--cluster", "-s, --server",
                 "--token", "--certificate-authority", "--insecure-skip-tls-verify",
                 "--tls-server-name"):  # fmt: skip
        assert flag in result.stdout, (command, flag)


def sample_config(tmp_path: Path, namespace: str | None) -> str:
    """A kubeconfig whose context names ``namespace``; its cluster answers the recording."""
    doc = config({"c": {"server": "https://127.0.0.1:1", "insecure-skip-tls-verify": True}},
                 {"u": {"token": "t"}}, {"x": ("c", "u")}, "x")  # fmt: skip
    if namespace:
        doc["contexts"][0]["context"]["namespace"] = namespace
    return str(write(tmp_path / "config", doc))


def recorded(path: str, *args: str) -> Any:
    return CliRunner().invoke(cli, [*args, "--kubeconfig", path], obj={"client_factory": factory()})


def pod_namespaces(result: Any) -> set[str]:
    assert result.exit_code == 0, result.output
    return {p["namespace"] for p in json.loads(result.stdout)["pods"]}


def test_without_n_or_a_the_contexts_namespace_is_read_as_kubectl_reads_it(
    tmp_path: Path,
) -> None:
    path = sample_config(tmp_path, "shop")
    assert pod_namespaces(recorded(path, "pods", "-o", "json")) == {"shop"}
    assert len(pod_namespaces(recorded(path, "pods", "-o", "json", "-A"))) > 1
    assert pod_namespaces(recorded(path, "pods", "-o", "json", "-n", "batch")) == {"batch"}
    tree = json.loads(recorded(path, "tree", "-o", "json").stdout)["cluster"]
    assert {p["namespace"] for n in tree["nodes"] for p in n["pods"]} == {"shop"}
    explained = recorded(path, "explain", "pod", "multi")
    assert explained.stdout.startswith("Pod shop/multi is"), explained.output


def test_a_context_without_namespace_still_reads_every_namespace(tmp_path: Path) -> None:
    path = sample_config(tmp_path, None)
    assert len(pod_namespaces(recorded(path, "pods", "-o", "json"))) > 1


def test_nodes_are_not_filtered_by_the_contexts_namespace(tmp_path: Path) -> None:
    with_namespace = recorded(sample_config(tmp_path / "a", "shop"), "nodes", "-o", "json")
    without = recorded(sample_config(tmp_path / "b", None), "nodes", "-o", "json")
    assert with_namespace.exit_code == 0, with_namespace.output
    assert json.loads(with_namespace.stdout) == json.loads(without.stdout)


def test_a_namespace_named_with_the_object_wins_over_the_contexts(tmp_path: Path) -> None:
    path = sample_config(tmp_path, "batch")
    explained = recorded(path, "explain", "pod", "shop/multi")
    assert explained.stdout.startswith("Pod shop/multi is"), explained.output
    node = recorded(path, "explain", "node", "kwok-gpu-1")
    plain = recorded(sample_config(tmp_path / "none", None), "explain", "node", "kwok-gpu-1")
    assert node.stdout == plain.stdout  # a node's pods, whatever the context's namespace
