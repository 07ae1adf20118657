"""Whether requests ask for gzip: disable-compression, where the server is, the variable."""

from __future__ import annotations

import pytest

from kube_inspect.errors import ConfigError
from kube_inspect.kube.compression import COMPRESSION_ENV, asks_gzip, on_loopback


@pytest.mark.parametrize(
    ("server", "loopback"),
    [
        ("https://127.0.0.1:6443", True),
        ("https://127.0.1.1:6443", True),
        ("https://[::1]:6443", True),
        ("https://localhost:6443", True),
        ("https://10.0.0.5:6443", False),
        ("https://api.example.com", False),
        ("https://localhost.example.com", False),
    ],
)
def test_loopback_is_told_from_the_server_url(server: str, loopback: bool) -> None:
    assert on_loopback(server) is loopback


def test_a_distant_server_is_asked_for_gzip_a_local_one_is_not() -> None:
    assert asks_gzip("https://api.example.com", False, {})
    assert not asks_gzip("https://127.0.0.1:6443", False, {})


def test_the_variable_overrides_the_default_both_ways() -> None:
    assert asks_gzip("https://127.0.0.1:6443", False, {COMPRESSION_ENV: "gzip"})
    assert not asks_gzip("https://api.example.com", False, {COMPRESSION_ENV: "none"})


def test_disable_compression_in_the_kubeconfig_always_wins() -> None:
    assert not asks_gzip("https://api.example.com", True, {COMPRESSION_ENV: "gzip"})


def test_a_bad_value_of_the_variable_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="neither gzip nor none"):
        asks_gzip("https://api.example.com", False, {COMPRESSION_ENV: "brotli"})
