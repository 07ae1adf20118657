"""Link profiles: toxiproxy between each command and the bench cluster's API server.

A profile is a round trip and a bandwidth cap. Toxiproxy's `latency` toxic delays each
chunk by a fixed time from the moment the proxy received it (a one-way delay: chunks in
flight are not delayed one after another), so a round trip of R ms is R/2 ms on the
upstream stream (client to server) and R/2 ms on the downstream one. Its `bandwidth`
toxic passes `rate` KB/s (1 KB = 1,000 bytes: it sleeps len(data) ms / rate), so
M Mbit/s is M * 125 KB/s; it is added after the latency on each stream, so a chunk
waits for the delay, then for its turn on the link. Both toxics are on both streams.

What a real link has and this one does not: the TCP handshake to the proxy is local (a
real connection costs one more round trip before TLS), and the bandwidth cap is per TCP
connection (a client that opened several connections would get the cap on each). The
floors use one connection (HTTP/2, curl --parallel), as kubectl does.

Loopback is the API server itself, no proxy. The proxies listen on this machine's own
non-loopback address (LINK_HOST), with `tls-server-name` the API server's: a client that
picks its defaults by where the server is (kube-inspect asks for gzip unless the server
is on loopback) sees a server elsewhere, as a user on that link would.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bench.measure import PROTOBUF, USER_AGENT, Command
from tests.clusters.faultproxy import free_port
from tests.clusters.local import build_binaries, stop_pids


@dataclass(frozen=True, slots=True)
class Profile:
    """A link: its short name (for --profiles), round trip and bandwidth (None: no cap)."""

    name: str
    title: str
    rtt_ms: int
    mbit: int | None

    @property
    def proxied(self) -> bool:
        """Return True when commands go through toxiproxy (every profile but loopback)."""
        return bool(self.rtt_ms or self.mbit)


PROFILES = (
    Profile("loopback", "loopback", 0, None),
    Profile("10ms", "1 Gbit/s + 10 ms", 10, 1000),
    Profile("40ms", "100 Mbit/s + 40 ms", 40, 100),
    Profile("100ms", "20 Mbit/s + 100 ms", 100, 20),
)


def parse_profiles(names: str) -> tuple[Profile, ...]:
    """Return the profiles named, comma-separated ("all": every one)."""
    if names == "all":
        return PROFILES
    known = {p.name: p for p in PROFILES}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise SystemExit(f"--profiles: unknown {', '.join(unknown)}; known: {', '.join(known)}")
    return tuple(known[n] for n in wanted)


def toxics(profile: Profile) -> list[dict[str, Any]]:
    """Return the toxics of a profile: latency then bandwidth, on both streams."""
    found = []
    for stream in ("upstream", "downstream"):
        if profile.rtt_ms:
            found.append(
                {
                    "name": f"latency-{stream}",
                    "type": "latency",
                    "stream": stream,
                    "attributes": {"latency": profile.rtt_ms // 2, "jitter": 0},
                }
            )
        if profile.mbit:
            found.append(
                {
                    "name": f"bandwidth-{stream}",
                    "type": "bandwidth",
                    "stream": stream,
                    "attributes": {"rate": profile.mbit * 125},
                }
            )
    return found


def link_host() -> str:
    """Return this machine's address on its default route, not loopback (127.0.0.1 if none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            address: str = probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return address


def free_port_on(host: str) -> int:
    """Return a TCP port on ``host`` that nothing listens on right now."""
    if host == "127.0.0.1":
        return free_port()
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


class Toxiproxy:
    """One toxiproxy-server with a proxy per profile, each its own listening port."""

    def __init__(self) -> None:
        """Start toxiproxy-server (built or cached by tests/fixtures/localcluster)."""
        binary = build_binaries("toxiproxy-server") / "toxiproxy-server"
        self.host = link_host()
        self.api_port = free_port()
        self.process = subprocess.Popen(
            [str(binary), "-host", "127.0.0.1", "-port", str(self.api_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self._api("GET", "/version")
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def _api(self, method: str, path: str, body: dict[str, Any] | None = None) -> bytes:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.api_port}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            data: bytes = response.read()
            return data

    def add(self, profile: Profile, upstream: str) -> int:
        """Add the profile's proxy in front of ``upstream`` (host:port); return its port."""
        port = free_port_on(self.host)
        listen = f"{self.host}:{port}"
        self._api(
            "POST", "/proxies", {"name": profile.name, "listen": listen, "upstream": upstream}
        )
        for toxic in toxics(profile):
            self._api("POST", f"/proxies/{profile.name}/toxics", toxic)
        return port

    def cpu_seconds(self) -> float:
        """Return the user + system CPU seconds toxiproxy has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / 100

    def stop(self) -> None:
        """Stop toxiproxy-server by its PID."""
        stop_pids({"toxiproxy": self.process.pid}, grace=2)
        self.process.wait(timeout=5)


def kubeconfig_through(kubeconfig: Path, host: str, port: int, into: Path) -> Path:
    """Write a copy of ``kubeconfig`` whose clusters point at ``host``:``port``.

    The certificate's name stays the API server's own (``tls-server-name``).
    """
    doc = yaml.safe_load(kubeconfig.read_text())
    for cluster in doc.get("clusters", []):
        server = urlsplit(cluster["cluster"]["server"])
        cluster["cluster"]["server"] = server._replace(netloc=f"{host}:{port}").geturl()
        cluster["cluster"].setdefault("tls-server-name", server.hostname)
    into.write_text(yaml.safe_dump(doc))
    return into


@contextlib.contextmanager
def proxied_kubeconfigs(
    kubeconfig: Path, profiles: tuple[Profile, ...], log: Any = print
) -> Iterator[dict[str, Path]]:
    """Yield a kubeconfig per profile name: the proxied ones through one toxiproxy."""
    found = {p.name: kubeconfig for p in profiles if not p.proxied}
    if all(not p.proxied for p in profiles):
        yield found
        return
    upstream = urlsplit(yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"])
    proxy = Toxiproxy()
    scratch = Path(tempfile.mkdtemp(prefix="ki-bench-links-"))
    try:
        for profile in (p for p in profiles if p.proxied):
            port = proxy.add(profile, upstream.netloc)
            found[profile.name] = kubeconfig_through(
                kubeconfig, proxy.host, port, scratch / f"{profile.name}.yaml"
            )
        yield found
    finally:
        log(f"toxiproxy used {proxy.cpu_seconds():.1f} CPU seconds")
        proxy.stop()
        for path in scratch.iterdir():
            path.unlink()
        scratch.rmdir()


# The LISTs `kube-inspect tree` reads (read/cluster.py), unpaged: the floors fetch them all
# at once over one HTTP/2 connection, as the best JSON client would. (Events are read only
# when a pod is Pending, metrics only when metrics.k8s.io is served: neither here.)
TREE_LISTS = (
    "/api/v1/nodes",
    "/api/v1/pods",
    "/api/v1/persistentvolumeclaims",
    "/apis/apps/v1/replicasets",
    "/apis/batch/v1/jobs",
)
TREE = "kube-inspect tree"
TREE_JSON = "kube-inspect tree -o json"
KUBECTL = "kubectl get pods -A -o wide"
JSON_FLOOR = "curl JSON floor"
GZIP_FLOOR = "curl gzip floor"
PROTOBUF_GZIP_FLOOR = "curl protobuf+gzip floor"
BASE = (TREE, TREE_JSON, KUBECTL, JSON_FLOOR, GZIP_FLOOR)
# --extras: kube-inspect with KUBE_INSPECT_COMPRESSION forced, and the protobuf wire
TREE_GZIP = "kube-inspect tree, gzip"
TREE_NONE = "kube-inspect tree, no compression"
TREE_JSON_GZIP = "kube-inspect tree -o json, gzip"
TREE_PROTOBUF_GZIP = "kube-inspect tree --wire protobuf, gzip"
TREE_PROTOBUF_NONE = "kube-inspect tree --wire protobuf, no compression"
EXTRAS = {
    "compression": (TREE_GZIP, TREE_NONE),
    "protobuf": (TREE_PROTOBUF_GZIP, PROTOBUF_GZIP_FLOOR),
    "json-gzip": (TREE_JSON_GZIP,),
    "protobuf-plain": (TREE_PROTOBUF_NONE,),
}
BEFORE = "before: "


def label(profile: Profile, command: str) -> str:
    """Return the label of a command on a profile, e.g. "40ms: kube-inspect tree"."""
    return f"{profile.name}: {command}"


def kube_inspect(checkout: Path | None) -> str:
    """Return the shell words that run kube-inspect from this venv, or from ``checkout``."""
    bindir = Path(sys.executable).parent
    if checkout is None:
        return f"{bindir}/kube-inspect"
    entry = "import sys; from kube_inspect.cli import main; sys.argv[0] = 'kube-inspect'; main()"
    where = shlex.quote(str(checkout))
    return f"cd {where} && PYTHONPATH={where} {sys.executable} -c {shlex.quote(entry)}"


def _curl(kubeconfig: Path, accept: str, compressed: bool) -> str:
    doc = yaml.safe_load(kubeconfig.read_text())
    cluster, user = doc["clusters"][0]["cluster"], doc["users"][0]["user"]
    server = urlsplit(cluster["server"])
    words = [
        "curl",
        "-sSf",
        "--no-progress-meter",
        "--parallel",
        "--cacert",
        cluster["certificate-authority"],
    ]
    name = cluster.get("tls-server-name")
    if name:  # the URL names the certificate's host; the connection goes to the proxy
        words += ["--connect-to", f"{name}:{server.port}:{server.hostname}:{server.port}"]
        server = server._replace(netloc=f"{name}:{server.port}")
    words += ["--cert", user["client-certificate"], "--key", user["client-key"]]
    words += ["-A", USER_AGENT, "-H", f"Accept: {accept}"]
    words += ["--compressed"] if compressed else []
    for path in TREE_LISTS:
        words += [server.geturl() + path, "-o", "/dev/null"]
    return shlex.join(words)


def commands(
    profile: Profile,
    kubeconfig: Path,
    extras: tuple[str, ...] = (),
    before: Path | None = None,
) -> list[Command]:
    """Return the commands timed on one profile; ``before``: another checkout's tree too.

    (Its tree -o json is left out: on the slow links each run of it takes as long as the
    JSON floor, and its tree says what the code before did.)
    """
    kc = shlex.quote(str(kubeconfig))
    # compared with another checkout, this one's tree is launched the same way (python -c,
    # its checkout on PYTHONPATH), not through the venv's script and its editable finder
    ki = kube_inspect(None if before is None else Path(__file__).resolve().parent.parent)
    kubectl = f"{Path(sys.executable).parent}/kubectl --kubeconfig {kc}"
    gzip, none = "KUBE_INSPECT_COMPRESSION=gzip", "KUBE_INSPECT_COMPRESSION=none"
    shell = {
        TREE: f"{ki} tree -q --kubeconfig {kc}",
        TREE_JSON: f"{ki} tree -q -o json --kubeconfig {kc}",
        KUBECTL: f"{kubectl} get pods -A -o wide",
        JSON_FLOOR: _curl(kubeconfig, "application/json", compressed=False),
        GZIP_FLOOR: _curl(kubeconfig, "application/json", compressed=True),
        TREE_GZIP: f"{gzip} {ki} tree -q --kubeconfig {kc}",
        TREE_NONE: f"{none} {ki} tree -q --kubeconfig {kc}",
        TREE_JSON_GZIP: f"{gzip} {ki} tree -q -o json --kubeconfig {kc}",
        TREE_PROTOBUF_GZIP: f"{gzip} {ki} tree -q --wire protobuf --kubeconfig {kc}",
        TREE_PROTOBUF_NONE: f"{none} {ki} tree -q --wire protobuf --kubeconfig {kc}",
        PROTOBUF_GZIP_FLOOR: _curl(kubeconfig, f"{PROTOBUF}, application/json", compressed=True),
    }
    wanted = [*BASE, *(c for extra in extras for c in EXTRAS[extra])]
    found = [Command(label(profile, c), shell[c]) for c in dict.fromkeys(wanted)]
    if before is not None:
        old = kube_inspect(before)
        found.append(Command(label(profile, BEFORE + TREE), f"{old} tree -q --kubeconfig {kc}"))
    return found


def parse_extras(names: str) -> tuple[str, ...]:
    """Return the extras named, comma-separated (see EXTRAS)."""
    wanted = tuple(n.strip() for n in names.split(",") if n.strip())
    unknown = [n for n in wanted if n not in EXTRAS]
    if unknown:
        raise SystemExit(f"--extras: unknown {', '.join(unknown)}; known: {', '.join(EXTRAS)}")
    return wanted
