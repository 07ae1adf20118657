"""The cluster fixture: a real kube-apiserver, started for the session and thrown away.

Backends: ``kind`` (real kubelets in Docker: tests/clusters/kind.py, on images built
locally, through the engine that answers or a dockerd of our own), ``local`` (binaries
built from Go modules, run by kwokctl; kwok simulates the kubelets) and ``existing`` (a
cluster the user names, for read-only tests). The fixture is parametrised by backend, so
with ``both`` each test runs on each (ids ``[kind]``, ``[local]``), one cluster at a time.
The sample cluster is applied to kind and local.
"""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import pytest
import yaml

from tests.clusters.docker_engine import DockerEngine, can_start_engine
from tests.clusters.faultproxy import FaultProxy
from tests.clusters.httpfaults import HttpFaultProxy
from tests.clusters.image import build_image
from tests.clusters.kind import KindCluster, build_kind, delete_abandoned
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
    kind: KindCluster | None = None  # the kind backend's cluster

    def kubectl(self, *args: str, timeout: float = 60) -> str:
        """Run kubectl against the cluster (a path independent of kube_inspect)."""
        return subprocess.run(
            [self.kubectl_bin, "--kubeconfig", str(self.kubeconfig), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        ).stdout


BACKENDS = pytest.StashKey[list[str]]()
RUN_ORDER = ("kind", "local", "existing")
# a test marked BACKEND_backend runs on that backend only, and is deselected elsewhere
BACKEND_MARKERS = {
    "local": "the local backend's audit log, users or simulated usage",
    "kind": "real kubelets and a Docker engine",
}  # local last: its audit test runs after all


def run_backends(config: pytest.Config) -> list[str]:
    """Return the backends this run uses, in run order; auto: both where Docker can run."""
    if BACKENDS in config.stash:
        return config.stash[BACKENDS]
    backend = str(config.getoption("cluster_backend"))
    if backend == "auto":
        backend = "both" if can_start_engine() else "local"
    chosen = ["kind", "local"] if backend == "both" else [backend]
    config.stash[BACKENDS] = chosen
    return chosen


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each integration test once per backend: ids ``[kind]``, ``[local]``."""
    if "cluster" not in metafunc.fixturenames:
        return
    backends = run_backends(metafunc.config)
    if metafunc.definition.get_closest_marker("local_backend") and "local" in backends:
        backends = ["local"]
    if metafunc.definition.get_closest_marker("kind_backend") and "kind" in backends:
        backends = ["kind"]
    metafunc.parametrize("cluster", backends, indirect=True, scope="session", ids=backends)


def _backend_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return None if callspec is None else callspec.params.get("cluster")


@pytest.hookimpl(trylast=True)  # after pytest grouped the items by session parameter
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect, visibly, tests that need the local backend's cluster elsewhere; order
    the items backend by backend (one cluster at a time), ``runs_last`` ones last.
    """
    backends = run_backends(config)
    for backend, why in BACKEND_MARKERS.items():
        elsewhere = [
            i
            for i in items
            if i.get_closest_marker(f"{backend}_backend")
            and (_backend_of(i) not in (None, backend) or backend not in backends)
        ]
        if not elsewhere:
            continue
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [i for i in items if i not in elsewhere]
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"deselected {len(elsewhere)} test(s) that need {why} "
                f"(backends here: {', '.join(backends)})"
            )

    def order(item: pytest.Item) -> tuple[int, bool]:
        backend = _backend_of(item)
        rank = -1 if backend is None else RUN_ORDER.index(backend)
        return rank, item.get_closest_marker("runs_last") is not None

    items.sort(key=order)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for backend in run_backends(config):
            count = sum(1 for i in items if _backend_of(i) == backend)
            reporter.write_line(f"backend {backend}: {count} integration test(s)")


def holds_within(assertion: Callable[[], None], timeout: float = 120) -> None:
    """Run ``assertion`` until it passes, re-raising its last failure after ``timeout``.

    For what a real kubelet changes as it goes: the sample's crasher waits in
    CrashLoopBackOff between restarts, then for a moment is terminated (Error) or running,
    so two reads (kube-inspect's and kubectl's) may see different moments.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            assertion()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(2)


def _terminate_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


HOST_SYSCTLS = (
    "vm/overcommit_memory",
    "vm/panic_on_oom",
    "kernel/panic",
    "kernel/panic_on_oops",
    "kernel/pid_max",
    "kernel/keys/root_maxkeys",
    "kernel/keys/root_maxbytes",
    "kernel/sysrq",
    "fs/protected_regular",
    "net/netfilter/nf_conntrack_max",
)


def _host_sysctls() -> dict[str, str]:
    found = {}
    for key in HOST_SYSCTLS:
        try:
            found[key] = Path("/proc/sys", key).read_text().strip()
        except OSError:
            continue
    return found


def _kind_cluster() -> Iterator[TestCluster]:
    """Yield a kind cluster with the sample applied; leave no container, network or process."""
    sysctls = _host_sysctls()
    engine = DockerEngine()
    try:
        env = engine.start()
        build = build_kind(env)
        if engine.owned:  # ours alone: what a killed earlier run left behind goes first
            delete_abandoned(build, env)
        kind = KindCluster(f"ki-{uuid.uuid4().hex[:8]}", build, env)
        try:
            found = TestCluster("kind", kind.start(), kubectl_path(), kind=kind)
            apply_sample(found.kubectl, simulated_nodes=False)
            # a recreated hog is a warning: the summary of every run shows how often
            wait_settled(found.kubectl, timeout=600, say=warnings.warn)
            yield found
        finally:
            left = kind.stop()
            assert not left, f"the kind cluster left behind: {left}"
    finally:
        survivors = engine.stop()
        assert not survivors, f"our dockerd left processes behind: {survivors}"
        assert _host_sysctls() == sysctls, "a kind node changed the host's kernel settings"


@pytest.fixture(scope="session")
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestCluster]:
    """Yield a fresh cluster with the sample applied; tear it down however the run ends."""
    # SIGTERM (CI cancelling, timeout) unwinds like Ctrl-C, so finalizers still run.
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    backend = str(request.param)
    if backend == "existing":
        path = request.config.getoption("existing_kubeconfig")
        if not path:
            pytest.fail("--cluster-backend=existing needs --existing-kubeconfig PATH")
        yield TestCluster("existing", Path(path), kubectl_path())
        return
    if backend == "kind":
        yield from _kind_cluster()
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


@pytest.fixture(scope="session")
def kube_inspect_image(cluster: TestCluster) -> str:
    """Return the tag of kube-inspect's image (the Dockerfile), built once, in the kind nodes."""
    assert cluster.kind is not None, "the image runs on real kubelets only (kind_backend)"
    tag = build_image(cluster.kind.env)
    cluster.kind.load_images(tag)
    return tag


@pytest.fixture
def scratch_namespace(cluster: TestCluster) -> Iterator[str]:
    """Yield a namespace of the test's own; delete it, and wait, so later tests see it gone."""
    name = f"ki-test-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", name)
    try:
        yield name
    finally:
        delete_namespace(cluster, name)


def delete_namespace(cluster: TestCluster, name: str) -> None:
    """Delete a test's namespace and wait until it is gone, so later tests never see it.

    A real kubelet gives `sleep` its 30 s of grace, which the tests need not wait out; a
    namespace still going away would hold pods that one read lists and the next does not.
    """
    cluster.kubectl("delete", "pods", "--all", "-n", name, "--grace-period=0", "--force")
    cluster.kubectl("delete", "namespace", name, "--timeout=120s", timeout=150)
