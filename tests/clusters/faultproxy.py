"""Toxiproxy, a real TCP fault-injecting proxy, between a client and the real API server.

The proxy forwards bytes untouched (TLS goes through end to end) until a toxic is added:
``timeout`` with timeout=0 swallows all data, so the server seems never to answer.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from tests.clusters.local import stop_pids


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class FaultProxy:
    """A toxiproxy-server process with one proxy named ``apiserver``."""

    binary: Path
    upstream: str  # host:port of the real API server
    api_port: int = field(default_factory=free_port)
    listen_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def _api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.api_port}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            is_json = "json" in response.headers.get("Content-Type", "")
        return json.loads(text) if text and is_json else text

    def start(self) -> FaultProxy:
        """Start the server and the proxy; return self once both answer."""
        self.process = subprocess.Popen(
            [str(self.binary), "-host", "127.0.0.1", "-port", str(self.api_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    self._api("GET", "/version")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            listen = f"127.0.0.1:{self.listen_port}"
            proxy = {"name": "apiserver", "listen": listen, "upstream": self.upstream}
            self._api("POST", "/proxies", proxy)
        except BaseException:
            self.stop()  # whatever went wrong, the process started above does not outlive it
            raise
        return self

    def add_toxic(self, toxic_type: str, **attributes: Any) -> None:
        """Add a toxic to the data flowing from the server to the client."""
        self._api(
            "POST",
            "/proxies/apiserver/toxics",
            {
                "name": toxic_type,
                "type": toxic_type,
                "stream": "downstream",
                "attributes": attributes,
            },
        )

    def disable(self) -> None:
        """Cut the network: close every connection through the proxy and refuse new ones."""
        self._api("POST", "/proxies/apiserver", {"enabled": False})

    def enable(self) -> None:
        """Mend the network: accept connections again."""
        self._api("POST", "/proxies/apiserver", {"enabled": True})

    def kubeconfig_through(self, kubeconfig: Path, into: Path) -> Path:
        """Write a copy of ``kubeconfig`` whose clusters point at the proxy."""
        doc = yaml.safe_load(kubeconfig.read_text())
        for cluster in doc.get("clusters", []):
            server = urlsplit(cluster["cluster"]["server"])
            proxied = server._replace(netloc=f"127.0.0.1:{self.listen_port}")
            cluster["cluster"]["server"] = proxied.geturl()
        into.write_text(yaml.safe_dump(doc))
        return into

    def stop(self) -> None:
        """Stop the proxy server by its PID."""
        if self.process is not None:
            stop_pids({"toxiproxy": self.process.pid}, grace=2)
            self.process.wait(timeout=5)
            self.process = None
