"""Time commands side by side: wall time and peak RSS of each run, repeated, interleaved."""

from __future__ import annotations

import compileall
import os
import random
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.seed import MIN_AVAILABLE_GIB, available_gib

# A command that leaves the machine less memory than this is stopped (its run is lost,
# the bench goes on): at 150,000 pods kubectl -o wide once took the machine's last
# gigabytes while the cluster held 19 GB, and the kernel's OOM killer would have chosen.
KILL_BELOW_GIB = 1.0

BENCH = Path(__file__).resolve().parent
TIME = "/usr/bin/time"
KUBECTL_JSON = "kubectl get pods -A -o json"
TYPED = "typed client, pages of 500"
# The API server pretty-prints JSON for a User-Agent starting with curl (2.3 times the
# bytes at 7 KB a pod): the floor must receive the compact JSON every client gets.
USER_AGENT = "kube-inspect-bench"
PROTOBUF = "application/vnd.kubernetes.protobuf"
PROTOBUF_FLOOR = "curl protobuf unpaged (nodes + pods)"
TREE_OTHER_WIRE = "kube-inspect tree --wire protobuf"
TREE_JSON_WIRE = "kube-inspect tree --wire json"
SNAPSHOT = "kube-inspect snapshot -o FILE.json.gz"  # issue 15: its time, RSS and file size
# kube-inspect tree with one part of the fast path undone (bench/variant.py)
# (bench/variant.py has more: sequential, stdlib-json, orjson, full-objects)
VARIANT_NAMES = (
    "baseline",
    "pages-500",
    "whole-pods",
    "gc-on",
    "gzip",
)


@dataclass(frozen=True, slots=True)
class Command:
    """One command of the comparison: a short label and the shell line that runs it."""

    label: str
    shell: str


@dataclass(frozen=True, slots=True)
class Sample:
    """The runs of one command at one pod count: seconds and peak RSS in MB of each."""

    label: str
    walls: tuple[float, ...]
    rss_mb: tuple[float, ...]
    cpus: tuple[float, ...] = ()  # user + system seconds of the command's processes
    # user + system seconds the cluster's API server and etcd spent meanwhile: on a machine
    # of N cores no run can take less than (cpu + server_cpu) / N
    server_cpus: tuple[float, ...] = ()

    @property
    def wall(self) -> float:
        """Return the median wall time in seconds."""
        return statistics.median(self.walls)

    @property
    def rss(self) -> float:
        """Return the median peak RSS in MB."""
        return statistics.median(self.rss_mb)

    def to_json(self) -> dict[str, Any]:
        """Return the runs and their medians as JSON-ready data."""
        cpu = statistics.median(self.cpus) if self.cpus else None
        server = statistics.median(self.server_cpus) if self.server_cpus else None
        return {
            **asdict(self),
            "server_cpu_median": server,
            "wall_median": self.wall,
            "rss_median_mb": self.rss,
            "cpu_median": cpu,
        }


def _kubeconfig_parts(kubeconfig: Path) -> dict[str, str]:
    doc = yaml.safe_load(kubeconfig.read_text())
    cluster, user = doc["clusters"][0]["cluster"], doc["users"][0]["user"]
    return {
        "server": cluster["server"],
        "ca": cluster["certificate-authority"],
        "cert": user["client-certificate"],
        "key": user["client-key"],
    }


BEFORE = "before: "  # label prefix of the commands run from another checkout (--compare-with)


def before_commands(kubeconfig: Path, checkout: Path) -> list[Command]:
    """Return kube-inspect tree and tree -o json as another checkout's code runs them.

    Run by this interpreter (the dependencies are the same) from inside ``checkout``,
    with only ``checkout`` on PYTHONPATH: its ``kube_inspect`` shadows this one's.
    """
    kc = shlex.quote(str(kubeconfig))
    entry = shlex.quote(
        "import sys; from kube_inspect.cli import main; sys.argv[0] = 'kube-inspect'; main()"
    )
    run = (
        f"cd {shlex.quote(str(checkout))} && PYTHONPATH={shlex.quote(str(checkout))} "
        f"{sys.executable} -c {entry}"
    )
    return [
        Command(f"{BEFORE}kube-inspect tree", f"{run} tree -q --kubeconfig {kc}"),
        Command(f"{BEFORE}kube-inspect tree -o json", f"{run} tree -q -o json --kubeconfig {kc}"),
    ]


def compile_package(checkout: Path | None = None) -> None:
    """Write the ``.pyc`` files of a checkout's ``kube_inspect``, as pip does at install.

    An editable install has none, and with PYTHONDONTWRITEBYTECODE set (as in this
    machine's shells) every run would compile every module again: about 50 ms a run.
    """
    compileall.compile_dir(str((checkout or BENCH.parent) / "kube_inspect"), quiet=1)


def package_dir(checkout: Path | None) -> str:
    """Return where ``kube_inspect`` is imported from as a command of the bench runs it."""
    env = {**os.environ, "PYTHONPATH": str(checkout or BENCH.parent)}
    return subprocess.run(
        [sys.executable, "-c", "import kube_inspect; print(kube_inspect.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=checkout or BENCH.parent,
        env=env,
    ).stdout.strip()


def commands(kubeconfig: Path, snapshot_file: Path | None = None) -> list[Command]:
    """Return the commands compared: kube-inspect, kubectl, the typed client, curl.

    With ``snapshot_file`` (ending in .json.gz), `kube-inspect snapshot` writes it on
    each run too: its size is the snapshot's, gzipped.
    """
    bindir = Path(sys.executable).parent
    kc = shlex.quote(str(kubeconfig))
    kubectl = f"{bindir}/kubectl --kubeconfig {kc}"
    return [
        *_kube_inspect_commands(bindir, kc, snapshot_file),
        Command("kubectl get pods -A -o wide", f"{kubectl} get pods -A -o wide"),
        Command(KUBECTL_JSON, f"{kubectl} get pods -A -o json"),
        Command(TYPED, f"{bindir}/python -m bench.typed_list {kc}"),
        *_curl_commands(kubeconfig),
        *(
            Command(f"variant: {name}", f"{bindir}/python -m bench.variant {name} {kc}")
            for name in VARIANT_NAMES
        ),
    ]


def _kube_inspect_commands(bindir: Path, kc: str, snapshot_file: Path | None) -> list[Command]:
    """Return kube-inspect's own: tree on each wire, tree -o json, and snapshot if asked."""
    tree = f"{bindir}/kube-inspect tree -q"
    found = [
        Command("kube-inspect tree", f"{tree} --kubeconfig {kc}"),
        # the same on either wire throughout (the default, auto, switches to protobuf for big lists)
        Command(TREE_OTHER_WIRE, f"{tree} --wire protobuf --kubeconfig {kc}"),
        Command(TREE_JSON_WIRE, f"{tree} --wire json --kubeconfig {kc}"),
        Command("kube-inspect tree -o json", f"{tree} -o json --kubeconfig {kc}"),
    ]
    if snapshot_file is not None:
        snapshot = f"{bindir}/kube-inspect snapshot -q --kubeconfig {kc}"
        found.append(Command(SNAPSHOT, f"{snapshot} -o {shlex.quote(str(snapshot_file))}"))
    return found


def _curl_commands(kubeconfig: Path) -> list[Command]:
    """Return the wire floors: curl fetching nodes and pods whole, in pages, in protobuf."""
    p = _kubeconfig_parts(kubeconfig)
    curl_tls = (
        f"curl -sSf --cacert {shlex.quote(p['ca'])} --cert {shlex.quote(p['cert'])} "
        f"--key {shlex.quote(p['key'])} -A {USER_AGENT}"
    )
    curl = f"{curl_tls} -H 'Accept: application/json'"
    curl_protobuf = f"{curl_tls} -H 'Accept: {PROTOBUF}'"
    server = p["server"]
    paged = f"bash {BENCH / 'curl_pages.sh'} {server} " + " ".join(
        shlex.quote(p[k]) for k in ("ca", "cert", "key")
    )
    return [
        Command(
            "curl unpaged (nodes + pods)",
            f"{curl} {server}/api/v1/nodes -o /dev/null && "
            f"{curl} {server}/api/v1/pods -o /dev/null",
        ),
        Command("curl pages of 500 (nodes + pods)", paged),
        Command(
            PROTOBUF_FLOOR,
            f"{curl_protobuf} {server}/api/v1/nodes -o /dev/null && "
            f"{curl_protobuf} {server}/api/v1/pods -o /dev/null",
        ),
    ]


class OutOfMemory(RuntimeError):
    """A command was stopped because the machine was running out of memory."""


def run_once(command: Command, kill_below: float = KILL_BELOW_GIB) -> tuple[float, float, float]:
    """Run the command once, stdout to /dev/null; return (seconds, peak RSS MB, CPU s).

    Raises OutOfMemory, having killed the command's process group, when the memory the
    kernel says is available falls below ``kill_below`` GiB while it runs.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        argv = [TIME, "-f", "%M %U %S", "-o", out.name, "bash", "-c", command.shell]
        began = time.perf_counter()
        process = subprocess.Popen(
            argv,
            stdout=subprocess.DEVNULL,
            cwd=BENCH.parent,
            env={**os.environ, "PYTHONPATH": str(BENCH.parent)},
            start_new_session=True,  # its own process group: killed whole if need be
        )
        stopped: list[float] = []  # the memory left when the watchdog stopped it
        done = threading.Event()

        def watch() -> None:  # in a thread: the wait below returns the moment it ends
            while not done.wait(0.1):
                left = available_gib()
                if left < kill_below:
                    stopped.append(left)
                    os.killpg(process.pid, signal.SIGKILL)
                    return

        watchdog = threading.Thread(target=watch, name="bench-memory", daemon=True)
        watchdog.start()
        try:
            process.wait()
        except BaseException:  # Ctrl-C or SIGTERM of the bench: its own session gets neither
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        finally:
            done.set()
        wall = time.perf_counter() - began
        watchdog.join()
        if stopped:
            raise OutOfMemory(f"stopped with {stopped[0]:.1f} GiB available")
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, argv)
        rss_kb, user, system = map(float, out.read().strip().splitlines()[-1].split())
    return wall, rss_kb / 1024, user + system


def _skipped(
    label: str, done: list[float], given_up: set[str], slow: tuple[float, int] | None
) -> str:
    """Return why this run of a command is left out (given up, slow, memory low), or ""."""
    if label in given_up:
        return "given up"
    if slow and len(done) >= slow[1] and statistics.median(done) > slow[0]:
        return "slow"
    return "memory low" if available_gib() < MIN_AVAILABLE_GIB else ""


def measure(
    cmds: list[Command],
    runs: int,
    log: Any = print,
    server_cpu: Callable[[], float] | None = None,
    slow: tuple[float, int] | None = None,
) -> list[Sample]:
    """Run every command ``runs`` times, interleaved so load drift hits all alike.

    Each round runs them in another order (shuffled, seeded by the round): in a fixed
    order, or one only rotated, a command always follows the same one, and the API
    server's collection of a big list's garbage always lands on the same next command.
    With ``slow`` = (seconds, fewer), a command whose median so far is above ``seconds``
    stops after ``fewer`` runs (a 20 Mbit/s link's JSON floor at 30,000 pods: 90 s a run).
    """
    walls: dict[str, list[float]] = {c.label: [] for c in cmds}
    rss: dict[str, list[float]] = {c.label: [] for c in cmds}
    cpu: dict[str, list[float]] = {c.label: [] for c in cmds}
    server: dict[str, list[float]] = {c.label: [] for c in cmds}
    given_up: set[str] = set()  # stopped once for memory: the next run would be too
    for run in range(runs):
        order = list(cmds)
        random.Random(run).shuffle(order)  # the same orders in every bench run
        for command in order:
            why = _skipped(command.label, walls[command.label], given_up, slow)
            if why:
                if why == "memory low":
                    log(f"    run {run + 1}/{runs} {command.label}: skipped, memory low")
                continue
            server_before = server_cpu() if server_cpu else 0.0
            try:
                wall, peak, seconds = run_once(command)
            except OutOfMemory as e:
                log(f"    run {run + 1}/{runs} {command.label}: {e}; not run again")
                given_up.add(command.label)
                continue
            except subprocess.CalledProcessError as e:  # logged (its stderr above); not timed
                log(f"    run {run + 1}/{runs} {command.label}: failed, exit {e.returncode}")
                continue
            walls[command.label].append(wall)
            rss[command.label].append(peak)
            cpu[command.label].append(seconds)
            if server_cpu:
                server[command.label].append(server_cpu() - server_before)
            log(
                f"    run {run + 1}/{runs} {command.label}: {wall:.2f}s "
                f"{peak:.0f} MB cpu {seconds:.2f}s"
            )
    return [
        Sample(
            c.label,
            tuple(walls[c.label]),
            tuple(rss[c.label]),
            tuple(cpu[c.label]),
            tuple(server[c.label]),
        )
        for c in cmds
        if walls[c.label]
    ]
