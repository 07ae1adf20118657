"""A throwaway PostgreSQL server from Debian's binaries, for the journal's PostgreSQL tests.

initdb into a temporary data directory of its own, a free port of its own on 127.0.0.1,
started by us and stopped by its PID (never by a name): several clones and test runs on
one machine each get their own server. Run as root (CI containers), the server runs as
the ``postgres`` user, since PostgreSQL refuses to run as root.

    python -m tests.clusters.postgres     # starts one, prints its URL, stops on Enter
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _bindir() -> Path:
    """Return Debian's PostgreSQL binaries: 15 (bookworm's) when there, else the newest."""
    if "KUBE_INSPECT_PG_BINDIR" in os.environ:
        return Path(os.environ["KUBE_INSPECT_PG_BINDIR"])
    preferred = Path("/usr/lib/postgresql/15/bin")
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return preferred if preferred.exists() or not found else found[-1]


BINDIR = _bindir()
START_TIMEOUT = 60.0


def postgres_available() -> bool:
    """Return True when the PostgreSQL server binaries are installed here."""
    return (BINDIR / "initdb").exists() and (BINDIR / "postgres").exists()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run_as() -> dict[str, Any]:
    """Return Popen's user/group arguments: the postgres user when we are root."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@dataclass
class PostgresServer:
    """One PostgreSQL server: its data directory, port and PID, owned by this process."""

    bindir: Path = BINDIR
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ki-pg-")))
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def datadir(self) -> Path:
        """Return the server's data directory (inside its own work directory)."""
        return self.workdir / "data"

    def url(self, database: str = "postgres") -> str:
        """Return the URL of ``database`` on this server, as ``--journal`` takes it."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> PostgresServer:
        """Run initdb, start the server on a free port, wait until it accepts connections."""
        as_user = _run_as()
        if as_user:  # the postgres user must own its directory and reach it
            os.chmod(self.workdir, 0o755)
            os.chown(self.workdir, as_user["user"], as_user["group"])
        initdb = [str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres"]
        initdb += ["--auth=trust", "--encoding=UTF8", "--no-sync", "--no-instructions"]
        subprocess.run(initdb, check=True, capture_output=True, **as_user)
        self.port = self.port or free_port()
        server = [str(self.bindir / "postgres"), "-D", str(self.datadir), "-p", str(self.port)]
        for setting in (
            "listen_addresses=127.0.0.1",
            f"unix_socket_directories={self.workdir}",
            "fsync=off",  # a test database: nothing to keep after a crash
            "synchronous_commit=off",
            "max_connections=50",
        ):
            server += ["-c", setting]
        with open(self.workdir / "server.log", "wb") as log:
            self.process = subprocess.Popen(
                server,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in the terminal reaches pytest, not it
                **as_user,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {self.log_tail()}")
            ready = subprocess.run(
                [str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(f"postgres not ready in {START_TIMEOUT}s: {self.log_tail()}")

    def log_tail(self) -> str:
        """Return the end of the server's log, for an error message."""
        with contextlib.suppress(OSError):
            return (self.workdir / "server.log").read_text()[-2000:]
        return "(no log)"

    def create_database(self, name: str) -> str:
        """Create an empty database; return its URL."""
        createdb = [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
        subprocess.run([*createdb, "-U", "postgres", name], check=True, capture_output=True)
        return self.url(name)

    def stop(self, grace: float = 10.0) -> bool:
        """Stop the server by its PID (fast shutdown, then SIGKILL); remove its directory.

        Returns True when the server process is gone.
        """
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)  # postgres: "fast" shutdown
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(grace)
        shutil.rmtree(self.workdir, ignore_errors=True)
        return process is None or process.poll() is not None


def main() -> int:
    """Start a server, print its URL, stop it when Enter is pressed."""
    server = PostgresServer().start()
    try:
        print(server.url(), flush=True)
        sys.stdin.readline()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
