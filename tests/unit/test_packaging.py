"""What ships agrees with itself: one version, the krew manifest, the CI matrix."""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
from importlib.metadata import metadata, version
from pathlib import Path
from typing import Any

import yaml

from krew.krew_archive import LAUNCHER, archive_bytes, archive_name
from kube_inspect import __version__
from tests.clusters.matrix import VERSIONS

REPO = Path(__file__).resolve().parents[2]


def krew_manifest() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((REPO / "krew" / "inspect.yaml").read_text())
    return doc


def workflow() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((REPO / ".github" / "workflows" / "test.yml").read_text())
    return doc


def minor(version_tag: str) -> str:
    found = re.match(r"v?1\.(\d+)\.", version_tag)
    assert found, version_tag
    return found.group(1)


def test_installed_metadata_carries_the_one_version_and_the_spdx_licence() -> None:
    assert version("kube-inspect") == __version__
    meta = metadata("kube-inspect")
    assert meta["License-Expression"] == "Apache-2.0"
    assert "LICENSE" in (meta.get_all("License-File") or [])


def test_krew_manifest_names_this_release() -> None:
    spec = krew_manifest()["spec"]
    assert spec["version"] == f"v{__version__}"
    for platform in spec["platforms"]:
        assert platform["uri"].endswith(f"/v{__version__}/{archive_name(__version__)}")
        assert platform["bin"] == "kubectl-inspect"


def test_krew_manifest_sha256_is_that_of_the_archive_built_here() -> None:
    digest = hashlib.sha256(archive_bytes()).hexdigest()
    assert {p["sha256"] for p in krew_manifest()["spec"]["platforms"]} == {digest}


def test_krew_archive_holds_an_executable_launcher_of_this_version_and_the_licence() -> None:
    with tarfile.open(fileobj=io.BytesIO(archive_bytes())) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert set(members) == {"kubectl-inspect", "LICENSE"}
        assert members["kubectl-inspect"].mode & 0o111
    assert f"version={__version__}\n" in LAUNCHER.read_text()


def test_local_ci_matrix_is_the_test_matrix() -> None:
    local = workflow()["jobs"]["local"]["strategy"]["matrix"]["k8s-version"]
    assert sorted(local) == sorted(VERSIONS)


def test_kind_ci_images_cover_the_same_minors_pinned_by_digest() -> None:
    images = workflow()["jobs"]["kind"]["strategy"]["matrix"]["node-image"]
    tags = [re.fullmatch(r"kindest/node:(v[0-9.]+)@sha256:[0-9a-f]{64}", i) for i in images]
    assert all(tags), images
    assert sorted(minor(t.group(1)) for t in tags if t) == sorted(minor(v) for v in VERSIONS)
