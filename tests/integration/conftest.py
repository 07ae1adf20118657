"""The cluster fixture: a real kube-apiserver, started for the session and thrown away.

Backends: ``kind`` (pytest-kind, where a Docker engine runs), ``local`` (binaries built
from Go modules, run by kwokctl; kwok simulates the kubelets) and ``existing`` (a cluster
the user names, for read-only tests). The sample cluster is applied to kind and local.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import pytest
import yaml

from tests.clusters.faultproxy import FaultProxy
from tests.clusters.httpfaults import HttpFaultProxy
from tests.clusters.local import LocalCluster, build_binaries, kubectl_path
from tests.clusters.sample import apply_sample, wait_settled


@dataclass(frozen=True)
class TestCluster:
    """A cluster for the session: its admin kubeconfig, and kubectl bound to it."""

    __test__ = False  # not a test class, despite its name

    backend: str
    kubeconfig: Path
    kubectl_bin: str
    audit_log: Path | None = None
    local: LocalCluster | None = None  # the local backend's cluster: kwokctl issues users

    def kubectl(self, *args: str, timeout: float = 60) -> str:
        """Run kubectl against the cluster (a path independent of kube_inspect)."""
        return subprocess.run(
            [self.kubectl_bin, "--kubeconfig", str(self.kubeconfig), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        ).stdout


def docker_answers() -> bool:
    """Return True when a Docker engine (not only its client) answers."""
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


BACKEND = pytest.StashKey[str]()


def choose_backend(config: pytest.Config) -> str:
    """Return the backend the option names; for auto, kind when Docker answers, else local."""
    if BACKEND in config.stash:
        return config.stash[BACKEND]
    backend = str(config.getoption("cluster_backend"))
    if backend == "auto":
        backend = "kind" if docker_answers() else "local"
    config.stash[BACKEND] = backend
    return backend


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect, visibly, tests that need the local backend when another one is chosen.

    Tests marked ``runs_last`` (the audit of every request of the suite) are moved last.
    """
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)
    needs_local = [i for i in items if i.get_closest_marker("local_backend")]
    if not needs_local:
        return
    backend = choose_backend(config)
    config.stash[BACKEND] = backend
    if backend != "local":
        config.hook.pytest_deselected(items=needs_local)
        items[:] = [i for i in items if i not in needs_local]
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"deselected {len(needs_local)} test(s) that need the local backend's "
                f"audit log, users or metrics-server (backend here: {backend})"
            )


def _terminate_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestCluster]:
    """Yield a fresh cluster with the sample applied; tear it down however the run ends."""
    # SIGTERM (CI cancelling, timeout) unwinds like Ctrl-C, so finalizers still run.
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    backend = choose_backend(request.config)
    if backend == "existing":
        path = request.config.getoption("existing_kubeconfig")
        if not path:
            pytest.fail("--cluster-backend=existing needs --existing-kubeconfig PATH")
        yield TestCluster("existing", Path(path), kubectl_path())
        return
    if backend == "kind":
        kind = request.getfixturevalue("kind_cluster")
        found = TestCluster("kind", Path(kind.kubeconfig_path), str(kind.kubectl_path))
        apply_sample(found.kubectl, simulated_nodes=False)
        wait_settled(found.kubectl, timeout=600)
        yield found
        return
    audit_copy = tmp_path_factory.mktemp("audit") / "audit.log"
    # with metrics-server, so usage columns show served figures (test_usage.py checks them)
    local = LocalCluster(
        f"ki-test-{uuid.uuid4().hex[:8]}", build_binaries(), audit_copy, metrics_server=True
    )
    try:
        kubeconfig = local.start()
        found = TestCluster(
            "local", kubeconfig, kubectl_path(), local.cluster_dir / "logs" / "audit.log", local
        )
        apply_sample(found.kubectl, simulated_nodes=True)
        wait_settled(found.kubectl)
        yield found
    finally:
        survivors = local.stop()
        assert not survivors, f"processes left behind: {survivors}"


@pytest.fixture
def kube_env(cluster: TestCluster, monkeypatch: pytest.MonkeyPatch) -> TestCluster:
    """Point KUBECONFIG at the cluster for the test, with no other kubeconfig in sight."""
    monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))
    monkeypatch.delenv("KUBE_INSPECT_TEST_BACKEND", raising=False)
    return cluster


@pytest.fixture
def fault_proxy(cluster: TestCluster) -> Iterator[FaultProxy]:
    """Yield a started Toxiproxy in front of the cluster's real API server."""
    doc = yaml.safe_load(cluster.kubeconfig.read_text())
    server = urlsplit(doc["clusters"][0]["cluster"]["server"])
    proxy = FaultProxy(build_binaries("toxiproxy-server") / "toxiproxy-server", server.netloc)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def http_fault_proxy(cluster: TestCluster, tmp_path: Path) -> Iterator[HttpFaultProxy]:
    """Yield a started mitmproxy in front of the cluster's real API server (HTTP faults)."""
    workdir = tmp_path / "mitmproxy"
    workdir.mkdir()
    proxy = HttpFaultProxy(cluster.kubeconfig, workdir).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def scratch_namespace(cluster: TestCluster) -> Iterator[str]:
    """Yield a namespace of the test's own; delete it, and wait, so later tests see it gone."""
    name = f"ki-test-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", name)
    try:
        yield name
    finally:
        cluster.kubectl("delete", "namespace", name, "--timeout=120s", timeout=150)
