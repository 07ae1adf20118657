"""In-cluster configuration: a pod with no kubeconfig reads as its service account."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube_inspect.errors import ConfigError
from kube_inspect.kube.connection import read_connection
from kube_inspect.kube.incluster import in_cluster_connection, in_cluster_namespace
from kube_inspect.kube.overrides import ConnectionOverrides

POD_ENV = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}


@pytest.fixture
def mount(tmp_path: Path) -> Path:
    """Return a directory laid out as a pod's service account mount."""
    (tmp_path / "token").write_text("sa-token\n")
    (tmp_path / "ca.crt").write_text("not read here")
    (tmp_path / "namespace").write_text("qa\n")
    return tmp_path


def test_a_pod_reads_its_service_account(mount: Path) -> None:
    connection = in_cluster_connection(POD_ENV, str(mount))
    assert connection is not None
    assert connection.server == "https://10.96.0.1:443"
    assert connection.context == "in-cluster"
    assert connection.token_file == str(mount / "token")  # re-read as it rotates
    assert connection.ca_file == str(mount / "ca.crt")
    assert connection.token is None
    assert connection.namespace == in_cluster_namespace(str(mount)) == "qa"  # kubectl's default


def test_kubectls_flags_win_in_a_pod_too(mount: Path) -> None:
    overrides = ConnectionOverrides(
        server="https://10.0.0.9:6443", impersonate="qa-viewer", impersonate_groups=("qa",)
    )
    connection = in_cluster_connection(POD_ENV, str(mount), overrides)
    assert connection is not None and connection.server == "https://10.0.0.9:6443"
    assert connection.impersonation is not None
    assert (connection.impersonation.user, connection.impersonation.groups) == (
        "qa-viewer",
        ("qa",),
    )


def test_an_ipv6_service_host_is_bracketed(mount: Path) -> None:
    env = {"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"}
    connection = in_cluster_connection(env, str(mount))
    assert connection is not None and connection.server == "https://[fd00::1]:443"


def test_outside_a_pod_there_is_no_in_cluster_configuration(mount: Path) -> None:
    assert in_cluster_connection({}, str(mount)) is None
    assert in_cluster_connection({"KUBERNETES_SERVICE_HOST": "10.96.0.1"}, str(mount)) is None


def test_a_pod_without_a_token_is_told_what_to_mount(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="automountServiceAccountToken"):
        in_cluster_connection(POD_ENV, str(tmp_path))


def test_a_kubeconfig_wins_over_the_pod(
    mount: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: k, cluster: {server: 'https://127.0.0.1:6443'}}]\n"
        "contexts: [{name: c, context: {cluster: k}}]\n"
    )
    for key, value in POD_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    connection = read_connection(None, None)
    assert connection is not None and connection.server == "https://127.0.0.1:6443"


def test_with_no_kubeconfig_a_pod_is_read_in_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in POD_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    with pytest.raises(ConfigError, match="service account token"):
        read_connection(None, None)  # this machine is no pod: the mount is missing


def test_a_server_flag_that_is_not_a_url_is_a_config_error_in_a_pod_too(mount: Path) -> None:
    overrides = ConnectionOverrides(server="https://[::1")
    with pytest.raises(ConfigError) as raised:
        in_cluster_connection(POD_ENV, str(mount), overrides)
    assert str(raised.value) == (
        "invalid --server 'https://[::1' for context 'in-cluster': not a URL (Invalid IPv6 URL)"
    )
