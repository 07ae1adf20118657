"""The kind backend's cluster life cycle goes through pytest-kind-ng, which must get our
binaries by path (so it never downloads one), our node image, and stay out of the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.clusters.kind import KindBuild, KindCluster, _environ
from tests.clusters.local import kubectl_path


def _cluster(tmp_path: Path, kind_exists: bool) -> KindCluster:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    if kind_exists:
        (bindir / "kind").write_text("#!/bin/sh\n")
    build = KindBuild(bindir, "kube-inspect.local/kind-node:test", tmp_path / "ms")
    return KindCluster("ki-unit", build, {}, workdir=tmp_path / "clusters")


def test_a_missing_kind_is_an_error_not_a_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cluster = _cluster(tmp_path, kind_exists=False)
    with pytest.raises(RuntimeError, match="kind is missing"):
        _ = cluster.life
    assert not (tmp_path / ".pytest-kind").exists()


def test_pytest_kind_ng_gets_our_kind_kubectl_image_and_kubeconfig(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cluster = _cluster(tmp_path, kind_exists=True)
    life = cluster.life
    assert life.kind_path == cluster.build.kind
    assert life.kubectl_path == Path(kubectl_path())
    assert life.image == "kube-inspect.local/kind-node:test"
    assert life.kubeconfig_path == cluster.kubeconfig
    # its .pytest-kind/NAME folder is made in the cluster's workdir, removed with it
    assert not (tmp_path / ".pytest-kind").exists()
    assert (cluster.kubeconfig.parent / ".pytest-kind" / "ki-unit").is_dir()


def test_docker_settings_are_in_the_environment_only_for_the_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setenv("KIND_EXPERIMENTAL_PROVIDER", "podman")
    with _environ({"DOCKER_HOST": "unix:///tmp/ours.sock", "PATH": "/nowhere"}):
        assert os.environ["DOCKER_HOST"] == "unix:///tmp/ours.sock"
        assert os.environ["KIND_EXPERIMENTAL_PROVIDER"] == "docker"
        assert os.environ["PATH"] != "/nowhere"  # only Docker's settings go in
    assert "DOCKER_HOST" not in os.environ
    assert os.environ["KIND_EXPERIMENTAL_PROVIDER"] == "podman"
