"""`make bench`'s link profiles: every command on every link, in the same shuffled rounds.

    python -m bench.run --points 15,3000 --profiles loopback,40ms        # a short run
    python -m bench.run --profiles all --extras compression,protobuf     # gzip/none, protobuf
    python -m bench.run --profiles all --compare-with ../main            # before/after

Each command of each profile is one entry of the round (bench.measure shuffles them), so
drift on this shared machine hits every link alike, and every ratio is of one run.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import link_report, links
from bench.measure import compile_package, measure
from bench.seed import heartbeat
from tests.clusters.local import LocalCluster

RESULTS = Path(__file__).resolve().parent / "results"
APISERVER = ("kube-apiserver",)  # its CPU is what gzip costs the server


def log(message: str) -> None:
    """Print a timestamped progress line."""
    print(time.strftime("%H:%M:%S"), message, flush=True)


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def apiserver_cpu(cluster: LocalCluster) -> float:
    """Return the user + system CPU seconds kube-apiserver has used so far."""
    return sum(_cpu(pid) for name, pid in cluster.pids().items() if name in APISERVER)


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """What a link run measures: on which links, which extra commands, how often."""

    profiles: tuple[links.Profile, ...]
    extras: tuple[str, ...] = ()
    runs: int = 5
    slow: tuple[float, int] | None = None  # see bench.measure.measure
    before: Path | None = None  # a checkout whose tree runs too
    skip: tuple[str, ...] = ()  # commands left out, e.g. "curl JSON floor" (on every link)


def measure_links(
    kubeconfig: Path,
    counts: tuple[int, int, int],
    settings: LinkSettings,
    cluster: LocalCluster | None,
    code: dict[str, dict[str, str]],
) -> dict[str, Any]:
    """Measure every command on every profile at the cluster's current size."""
    nodes, pods, running = counts
    profiles = settings.profiles
    names = ", ".join(p.name for p in profiles)
    log(f"measuring {pods:,} pods ({running:,} Running), {nodes:,} nodes on: {names}")
    for checkout in code.values():
        compile_package(Path(checkout["dir"]))
    began = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    loads = [os.getloadavg()[0]]
    with links.proxied_kubeconfigs(kubeconfig, profiles, log) as kubeconfigs, heartbeat(kubeconfig):
        cmds = [
            c
            for p in profiles
            for c in links.commands(p, kubeconfigs[p.name], settings.extras, settings.before)
            if c.label.split(": ", 1)[1] not in settings.skip
        ]
        server_cpu = (lambda: apiserver_cpu(cluster)) if cluster else None
        samples = measure(cmds, settings.runs, log, server_cpu, settings.slow)
    loads.append(os.getloadavg()[0])
    return {
        "pods": pods,
        "running": running,
        "nodes": nodes,
        "began": began,
        "ended": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cores": os.cpu_count(),
        "profiles": {
            p.name: {"title": p.title, "rtt_ms": p.rtt_ms, "mbit": p.mbit} for p in profiles
        },
        "toxics": {p.name: links.toxics(p) for p in profiles},
        "load_1min": {"start": loads[0], "end": loads[-1], "median": statistics.median(loads)},
        "code": code,
        "server_cpu_of": list(APISERVER),
        "samples": {s.label: s.to_json() for s in samples},
    }


def finish(points: Sequence[dict[str, Any]], name: str) -> None:
    """Write the JSON and the Markdown tables of a link run; print the tables."""
    from bench import report

    report.write_json(points, RESULTS / f"{name}.json")
    text = link_report.report(points)
    (RESULTS / f"{name}.md").write_text(text + "\n")
    print(text, flush=True)
