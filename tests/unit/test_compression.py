"""Whether requests ask for gzip: disable-compression, where the server is, the variable."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from pathlib import Path

import pytest

from kube_inspect.errors import ConfigError
from kube_inspect.kube.compression import (
    COMPRESSION_ENV,
    GzipBody,
    asks_gzip,
    inflate,
    on_loopback,
)
from kube_inspect.kube.decode import list_metadata
from kube_inspect.kube.paging import HEAD_BYTES, _body_and_metadata


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


RECORDED = Path(__file__).parents[1] / "fixtures" / "recorded"


@pytest.mark.parametrize("page", ["pods.json", "protobuf/pods.pb", "nodes.json"])
def test_a_gzipped_page_gives_its_metadata_and_items_as_the_plain_one(page: str) -> None:
    """A streamed page waits gzipped: its head alone gives the continue token, then it is
    inflated whole where it is decoded, to the same bytes the server compressed."""
    plain = (RECORDED / page).read_bytes()
    gzipped = GzipBody(gzip.compress(plain))
    assert _body_and_metadata(gzipped) == {"body": gzipped, "metadata": list_metadata(plain)}
    assert inflate(gzipped) == plain
    assert inflate(plain) is plain  # plain bytes are never copied


def test_a_page_whose_items_come_first_is_inflated_whole_for_its_metadata() -> None:
    items = ",".join(json.dumps({"metadata": {"name": f"p{i}"}}) for i in range(2_000))
    plain = f'{{"items":[{items}],"metadata":{{"continue":"next"}}}}'.encode()
    assert len(plain) > HEAD_BYTES
    assert _body_and_metadata(GzipBody(gzip.compress(plain)))["metadata"] == {"continue": "next"}


def test_damaged_gzip_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="malformed gzip"):
        inflate(GzipBody(gzip.compress(b"{}")[:-6] + b"broken"))


def test_a_page_is_inflated_in_one_buffer_of_its_size() -> None:
    """zlib sized by gzip's trailer: without it, it held 3.4x the page at its peak."""
    plain = (RECORDED / "pods.json").read_bytes() * 20
    gzipped = GzipBody(gzip.compress(plain))
    tracemalloc.start()
    try:
        inflated = inflate(gzipped)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert inflated == plain
    assert peak < 1.2 * len(plain)
