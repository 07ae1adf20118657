"""mitmproxy in reverse-proxy mode between a client and the real API server: HTTP faults.

The API server stays real; the proxy answers some requests itself (429 with Retry-After,
410 on a continue token, 5xx) as a plan file says, and passes the others through. It
re-terminates TLS: it presents the cluster admin's client certificate upstream, checks
the server against the cluster CA, and the test kubeconfig trusts mitmproxy's own CA.
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from tests.clusters.faultproxy import free_port
from tests.clusters.local import stop_pids

ADDON = Path(__file__).with_name("http_fault_addon.py")
# mitmproxy lives in a venv of its own beside the project's (Makefile: install)
MITMPROXY_BIN = Path(sys.executable).parent.parent / "mitmproxy" / "bin"
MITMDUMP = MITMPROXY_BIN / "mitmdump"


def _file_or_data(entry: dict[str, Any], key: str, into: Path) -> Path:
    """Return a path holding the kubeconfig's ``key`` (a file path or inline ``key-data``)."""
    if entry.get(key):
        return Path(entry[key])
    into.write_bytes(base64.b64decode(entry[f"{key}-data"]))
    return into


@dataclass
class HttpFaultProxy:
    """A mitmdump process in front of the API server of an admin kubeconfig."""

    admin_kubeconfig: Path
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def plan_file(self) -> Path:
        return self.workdir / "plan.json"

    @property
    def log_file(self) -> Path:
        return self.workdir / "requests.jsonl"

    def set_plan(self, **plan: Any) -> None:
        """Replace the fault plan (see http_fault_addon.py); it applies to the next request."""
        self.plan_file.write_text(json.dumps(plan))

    def requests(self) -> list[dict[str, Any]]:
        """Return every request the proxy has seen, oldest first."""
        if not self.log_file.exists():
            return []
        return [json.loads(line) for line in self.log_file.read_text().splitlines() if line]

    def start(self) -> HttpFaultProxy:
        """Start mitmdump and return self once it listens."""
        doc = yaml.safe_load(self.admin_kubeconfig.read_text())
        cluster, user = doc["clusters"][0]["cluster"], doc["users"][0]["user"]
        self.upstream = cluster["server"]
        ca = _file_or_data(cluster, "certificate-authority", self.workdir / "cluster-ca.pem")
        cert = _file_or_data(user, "client-certificate", self.workdir / "admin.crt")
        key = _file_or_data(user, "client-key", self.workdir / "admin.key")
        client_pem = self.workdir / "admin.pem"
        client_pem.write_bytes(cert.read_bytes() + b"\n" + key.read_bytes())
        self.set_plan()
        self.process = subprocess.Popen(
            [
                str(MITMDUMP),
                "--mode",
                f"reverse:{self.upstream}",
                "--listen-host",
                "127.0.0.1",
                "--listen-port",
                str(self.port),
                "--set",
                f"confdir={self.workdir / 'mitm'}",
                "--set",
                f"client_certs={client_pem}",
                "--set",
                f"ssl_verify_upstream_trusted_ca={ca}",
                "--set",
                "connection_strategy=lazy",
                "-s",
                str(ADDON),
                "--set",
                f"ki_plan={self.plan_file}",
                "--set",
                f"ki_log={self.log_file}",
                "-q",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "mitmdump.log", "wb"),  # noqa: SIM115 - lives with the process
        )
        deadline = time.monotonic() + 30
        while not self._listening():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mitmdump did not start: see {self.workdir / 'mitmdump.log'}")
            time.sleep(0.1)
        return self

    def _listening(self) -> bool:
        ca_ready = (self.workdir / "mitm" / "mitmproxy-ca-cert.pem").exists()
        with socket.socket() as s:
            return ca_ready and s.connect_ex(("127.0.0.1", self.port)) == 0

    def kubeconfig(self, into: Path) -> Path:
        """Write a kubeconfig that reaches the API server through the proxy."""
        server = urlsplit(self.upstream)._replace(netloc=f"127.0.0.1:{self.port}").geturl()
        doc = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "via-mitmproxy",
                    "cluster": {
                        "server": server,
                        "certificate-authority": str(
                            self.workdir / "mitm" / "mitmproxy-ca-cert.pem"
                        ),
                    },
                }
            ],
            "users": [{"name": "through-proxy", "user": {}}],
            "contexts": [
                {
                    "name": "via-mitmproxy",
                    "context": {"cluster": "via-mitmproxy", "user": "through-proxy"},
                }
            ],
            "current-context": "via-mitmproxy",
        }
        into.write_text(yaml.safe_dump(doc))
        return into

    def stop(self) -> None:
        """Stop mitmdump by its PID."""
        if self.process is not None:
            stop_pids({"mitmdump": self.process.pid}, grace=3)
            self.process.wait(timeout=5)
            self.process = None
