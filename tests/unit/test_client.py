from __future__ import annotations

from pathlib import Path

import pytest
from kubernetes import client as k8s

from kube_inspect.client import KubeClient, ReadOnlyApiClient
from kube_inspect.errors import ReadOnlyViolation
from tests.unit.test_cli import kubeconfig


def test_read_only_client_refuses_writes_before_sending() -> None:
    configuration = k8s.Configuration()
    configuration.host = "https://127.0.0.1:1"  # nothing listens: a sent request would fail
    api = ReadOnlyApiClient(configuration)
    core = k8s.CoreV1Api(api)
    with pytest.raises(ReadOnlyViolation, match="refused to send DELETE"):
        core.delete_namespace("default")
    with pytest.raises(ReadOnlyViolation, match="refused to send POST"):
        core.create_namespace(k8s.V1Namespace(metadata=k8s.V1ObjectMeta(name="x")))
    with pytest.raises(ReadOnlyViolation, match="refused to send PATCH"):
        core.patch_node("n", {"spec": {"unschedulable": True}})
    with pytest.raises(ReadOnlyViolation, match="refused to send PUT"):
        core.replace_node("n", k8s.V1Node(metadata=k8s.V1ObjectMeta(name="n")))


def test_client_never_persists_the_kubeconfig(tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    before = config.read_bytes()
    KubeClient.from_kubeconfig(str(config), None, 1.0).close()
    assert config.read_bytes() == before


def test_only_the_client_module_imports_kubernetes() -> None:
    package = Path(__file__).resolve().parents[2] / "kube_inspect"
    importers = sorted(
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if "import kubernetes" in p.read_text() or "from kubernetes" in p.read_text()
    )
    assert importers == ["client.py"]
