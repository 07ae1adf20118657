"""A Docker engine for the kind backend: the one that already answers, or our own dockerd.

Our own dockerd has its own socket, data root (in the cache, so built images survive
between runs), exec root and pid file, and reads only its own config file: the user's
/etc/docker is never read nor written. Its default runtime is runc-within-caps (runc
minus the capabilities this machine cannot grant), so that kind's ``--privileged`` nodes
start where the machine's capability bounding set lacks one. It is stopped by its PID.

    python -m tests.clusters.docker_engine up     # prints DOCKER_HOST=...
    python -m tests.clusters.docker_engine down
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.clusters.local import FIXTURES, cache_dir

RUNTIME_WRAPPER = FIXTURES / "kindcluster" / "runc-within-caps"
RUNTIME_NAME = "runc-within-caps"


def engine_answers(env: dict[str, str] | None = None) -> bool:
    """Return True when a Docker engine answers the client (as configured by ``env``)."""
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(["docker", "info"], capture_output=True, timeout=20, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def can_start_engine() -> bool:
    """Return True when a Docker engine answers here, or we can start our own dockerd."""
    if engine_answers():
        return True
    return (
        os.geteuid() == 0 and shutil.which("dockerd") is not None and bool(shutil.which("docker"))
    )


def _alive_with(pid: int, needle: str) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return needle in cmdline and "\nState:\tZ" not in status


@dataclass
class DockerEngine:
    """Where kind's Docker engine is; ``start`` finds or starts it, ``stop`` ends ours."""

    root: Path = field(default_factory=lambda: cache_dir() / "docker")
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    pid: int | None = None
    _lock: IO[str] | None = None
    _log: IO[bytes] | None = None

    @property
    def socket(self) -> Path:
        return self.root / "docker.sock"

    @property
    def pidfile(self) -> Path:
        return self.root / "dockerd.pid"

    @property
    def exec_root(self) -> Path:
        # short and on tmpfs: containerd's sockets live under it (path length limits)
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:8]
        return Path("/run") / f"kube-inspect-dockerd-{digest}"

    @property
    def owned(self) -> bool:
        """Return True when this run started the engine (and so stops it)."""
        return self.pid is not None

    def start(self, timeout: float = 90) -> dict[str, str]:
        """Find or start an engine; return the environment that reaches it."""
        if engine_answers(self.env):
            return self.env
        if os.geteuid() != 0 or shutil.which("dockerd") is None:
            raise RuntimeError(
                "no Docker engine answers and none can be started here (needs root and "
                "dockerd: .ci/install-system-deps.sh installs Debian's docker.io)"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        # one run at a time owns the engine in this cache; a second waits for the first
        self._lock = open(self.root / "lock", "w")  # noqa: SIM115 (held while we run)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._stop_abandoned()
        config = self.root / "daemon.json"
        config.write_text(
            json.dumps(
                {
                    "runtimes": {RUNTIME_NAME: {"path": str(RUNTIME_WRAPPER)}},
                    "default-runtime": RUNTIME_NAME,
                    "storage-driver": "overlay2",
                    "log-driver": "json-file",
                    "log-opts": {"max-size": "10m", "max-file": "2"},
                },
                indent=2,
            )
        )
        self._log = open(self.root / "dockerd.log", "ab")  # noqa: SIM115 (dockerd writes it)
        proc = subprocess.Popen(
            [
                "dockerd",
                "--config-file",
                str(config),
                "--host",
                f"unix://{self.socket}",
                "--data-root",
                str(self.root / "data"),
                "--exec-root",
                str(self.exec_root),
                "--pidfile",
                str(self.pidfile),
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the test run reaches us, not dockerd
        )
        self.pid = proc.pid
        env = {**self.env, "DOCKER_HOST": f"unix://{self.socket}"}
        deadline = time.monotonic() + timeout
        while not engine_answers(env):
            if proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"our dockerd did not answer; see {self.root / 'dockerd.log'}")
            time.sleep(0.5)
        self.env = env
        return env

    def _stop_abandoned(self) -> None:
        """Stop the dockerd an interrupted earlier run left on our socket, if any."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return
        if _alive_with(pid, str(self.socket)):
            self._terminate(pid)

    def _terminate(self, pid: int, grace: float = 30) -> None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while _alive_with(pid, str(self.socket)) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive_with(pid, str(self.socket)):
            os.kill(pid, signal.SIGKILL)
        # dockerd is our child when we started it: reap it
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)

    def leftovers(self) -> list[str]:
        """Return the processes of our engine still alive (dockerd, its containerd, shims)."""
        found = []
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit() and (
                _alive_with(int(proc.name), str(self.exec_root))
                or _alive_with(int(proc.name), str(self.socket))
            ):
                found.append(f"{proc.name} {(proc / 'comm').read_text().strip()}")
        return found

    def stop(self) -> list[str]:
        """Stop our dockerd (if we started one) by its PID; return what is left running."""
        survivors: list[str] = []
        if self.pid is not None:
            if _alive_with(self.pid, str(self.socket)):
                self._terminate(self.pid)
            for _ in range(50):
                survivors = self.leftovers()
                if not survivors:
                    break
                time.sleep(0.2)
            self.pid = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        return survivors


def main(argv: list[str]) -> int:
    """Start our engine and leave it running (``up``), or stop the one left (``down``)."""
    engine = DockerEngine()
    if argv[:1] == ["up"]:
        env = engine.start()
        print(f"DOCKER_HOST={env.get('DOCKER_HOST', '')}")
        engine.pid = None  # leave it running, for `down`
        return 0
    if argv[:1] == ["down"]:
        engine._stop_abandoned()
        return 0
    print("usage: python -m tests.clusters.docker_engine up|down", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
