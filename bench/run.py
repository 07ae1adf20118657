"""`make bench`: grow a local kwok cluster and time kube-inspect against kubectl and curl.

    python -m bench.run                                  # 3,000, 10,000, 30,000 pods
    python -m bench.run --points 3000,150000             # a stretch run
    python -m bench.run --kubeconfig KC --runs 5         # measure a cluster you have
    python -m bench.run --points 30000 --compare-with ../old   # before/after, same rounds
    python -m bench.run --fleet                          # 6 clusters at once (bench/fleet.py)
    python -m bench.run --fleet --fleet-sizes 100,150,200 --nodes 10 --runs 3   # a smoke run
    python -m bench.run --points 15,3000 --profiles loopback,40ms  # links (bench/link_run.py)

Results go to bench/results/ (JSON per run, results.md, bench.png).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from bench import fleet, link_run, report
from bench.measure import (
    KUBECTL_JSON,
    TYPED,
    Command,
    before_commands,
    commands,
    compile_package,
    measure,
    package_dir,
)
from bench.run_args import bench_parser, link_settings
from bench.seed import MemoryLow, Seeder, available_gib, heartbeat, seed
from tests.clusters.local import LocalCluster, build_binaries, stop_pids

RESULTS = Path(__file__).resolve().parent / "results"


def log(message: str) -> None:
    """Print a timestamped progress line."""
    print(time.strftime("%H:%M:%S"), message, flush=True)


def count_objects(kubeconfig: Path) -> tuple[int, int, int]:
    """Return how many nodes, pods and Running pods the cluster holds."""
    seeder = Seeder(kubeconfig)
    try:
        return (
            seeder.count("/api/v1/nodes"),
            seeder.count("/api/v1/pods"),
            seeder.count("/api/v1/pods", "status.phase=Running"),
        )
    finally:
        seeder.close()


@contextlib.contextmanager
def load_sampled(every: float = 5.0) -> Iterator[list[float]]:
    """Yield a list that fills with the 1-minute load average, sampled every few seconds."""
    loads: list[float] = [os.getloadavg()[0]]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(every):
            loads.append(os.getloadavg()[0])

    thread = threading.Thread(target=sample, name="bench-load", daemon=True)
    thread.start()
    try:
        yield loads
    finally:
        stop.set()
        thread.join()
        loads.append(os.getloadavg()[0])


def checkout_of(directory: Path) -> dict[str, str]:
    """Return a checkout's directory, commit and where its package is imported from."""
    commit = subprocess.run(
        ["git", "-C", str(directory), "rev-parse", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {"dir": str(directory), "commit": commit, "package": package_dir(directory)}


def cluster_rss(cluster: LocalCluster | None) -> dict[str, int]:
    """Return each running component's resident memory in MB."""
    found = {}
    for name, pid in (cluster.pids() if cluster else {}).items():
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found[name] = int(line.split()[1]) // 1024
    return found


SERVER = ("kube-apiserver", "etcd")  # whose CPU each run is charged with (Sample.server_cpus)


def cluster_cpu(cluster: LocalCluster, components: tuple[str, ...] = SERVER) -> float:
    """Return the user + system CPU seconds these components have used so far."""
    ticks = 0
    for name, pid in cluster.pids().items():
        if name in components:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


# Stopped for a stretch point (quiet_cluster): they hold every pod in their informers and
# work on every pod change, and none is needed once the pods are created bound (the
# scheduler), the namespaces have their service accounts (the controller manager) and
# every pod is Running (kwok).
CONTROLLERS = ("kube-scheduler", "kube-controller-manager")
KWOK = "kwok-controller"


def quiet_cluster(cluster: LocalCluster, components: tuple[str, ...]) -> None:
    """Stop these components of the cluster by their PIDs, leaving etcd and the API server."""
    pids = {name: pid for name, pid in cluster.pids().items() if name in components}
    before = available_gib()
    stop_pids(pids)
    log(
        f"stopped {', '.join(sorted(pids)) or 'nothing'} for the stretch: "
        f"{before:.1f} -> {available_gib():.1f} GiB available"
    )


def measured_code(compare_with: Path | None) -> dict[str, dict[str, str]]:
    """Return the checkouts whose code is timed, compiled: this one, and --compare-with's.

    Exits when --compare-with's commands would import kube_inspect from elsewhere.
    """
    code = {"after": checkout_of(Path(__file__).resolve().parent.parent)}
    if compare_with:
        code["before"] = checkout_of(compare_with)
        if not code["before"]["package"].startswith(str(compare_with)):
            raise SystemExit(f"--compare-with: kube_inspect comes from {code['before']}")
    log(f"code: {json.dumps(code)}")
    for checkout in code.values():
        compile_package(Path(checkout["dir"]))
    return code


def chosen_commands(
    kubeconfig: Path,
    snapshot_file: Path,
    compare_with: Path | None,
    skip: tuple[str, ...],
    variants: bool,
) -> list[Command]:
    """Return the commands a point times: all (with the other checkout's) but those skipped."""
    all_cmds = commands(kubeconfig, snapshot_file)
    if compare_with:
        all_cmds[2:2] = before_commands(kubeconfig, compare_with)
    cmds = [c for c in all_cmds if not c.label.startswith(skip)]
    if not variants:
        # The stretch: kubectl -o json would need about 20 GB at 150,000 pods, and the
        # typed client minutes a run; the variants were measured at the smaller points.
        # kubectl -o wide stays: at 150,000 pods it once grew past 4 GB while the cluster
        # held 19 GB (2026-11-25); the cluster is quieter now (quiet_cluster) and a run
        # that would leave the machine without memory is stopped (measure.KILL_BELOW_GIB).
        too_big = ("variant", KUBECTL_JSON, TYPED)
        cmds = [c for c in cmds if not c.label.startswith(too_big)]
    return cmds


def measure_point(
    kubeconfig: Path,
    runs: int,
    seed_seconds: float | None,
    variants: bool = True,
    skip: tuple[str, ...] = (),
    live: bool = True,
    compare_with: Path | None = None,
    cluster: LocalCluster | None = None,
) -> dict[str, Any]:
    """Measure every command at the cluster's current size.

    With ``live`` (the bench's own cluster), one pod changes every few seconds meanwhile,
    as in any live cluster: see bench.seed.heartbeat. With ``compare_with``, a checkout
    of other code, its `tree` and `tree -o json` run in the same rounds ("before: ...").
    """
    nodes, pods, running = count_objects(kubeconfig)
    log(f"measuring at {pods:,} pods ({running:,} Running) on {nodes:,} nodes, {runs} runs each")
    log(f"memory available: {available_gib():.1f} GiB; cluster: {cluster_rss(cluster) or '-'}")
    scratch = Path(tempfile.mkdtemp(prefix="ki-bench-snapshot-"))
    snapshot_file = scratch / "snapshot.json.gz"  # each run writes it again
    code = measured_code(compare_with)
    cmds = chosen_commands(kubeconfig, snapshot_file, compare_with, skip, variants)
    began = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    try:
        with heartbeat(kubeconfig) if live else contextlib.nullcontext(), load_sampled() as loads:
            server_cpu = (lambda: cluster_cpu(cluster)) if cluster else None
            samples = measure(cmds, runs, log=log, server_cpu=server_cpu)
        snapshot_mb = snapshot_file.stat().st_size / 1e6 if snapshot_file.exists() else None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log(f"load average (1 min) while measuring: {min(loads):.1f}-{max(loads):.1f}")
    if snapshot_mb is not None:
        log(f"snapshot file (gzip, last run): {snapshot_mb:.2f} MB")
    return {
        "snapshot_gzip_mb": snapshot_mb,
        "pods": pods,
        "running": running,
        "nodes": nodes,
        "seed_seconds": seed_seconds,
        "began": began,
        "ended": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cores": os.cpu_count(),
        "cluster_rss_mb": cluster_rss(cluster),
        "cluster_env": dict(cluster.component_env) if cluster else {},
        "load_1min": {
            "min": min(loads),
            "median": statistics.median(loads),
            "max": max(loads),
            "samples": loads,
        },
        "code": code,
        "samples": {s.label: s.to_json() for s in samples},
    }


def finish(points: list[dict[str, Any]], name: str) -> None:
    """Write JSON, the Markdown tables and the plot; print the tables."""
    report.write_json(points, RESULTS / f"{name}.json")
    text = "\n\n".join(report.table(p) + report.compared(p) for p in points)
    text += "\n\nTargets:\n" + report.targets(points)
    (RESULTS / f"{name}.md").write_text(text + "\n")
    report.plot(points, RESULTS / f"{name}.png")
    print(text)


def _stop_on_term(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    """Run the benchmark the flags describe."""
    parser = bench_parser(__doc__.splitlines()[0])
    args, rest = parser.parse_known_args()
    if args.compare_with:  # checked against its package's absolute path: resolve it now
        args.compare_with = args.compare_with.resolve()
    signal.signal(signal.SIGTERM, _stop_on_term)
    if args.fleet:
        nodes = ["--nodes", str(args.nodes)] if args.nodes else []
        stem = ["--name", "fleet" if args.name == "bench" else args.name]
        sizes = ["--pods", args.fleet_sizes]
        return fleet.main([*sizes, *rest, *nodes, *stem, "--runs", str(args.runs)])
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.nodes = args.nodes or 1000
    signal.signal(signal.SIGTERM, _stop_on_term)  # unwind, so the cluster is stopped
    points: list[dict[str, Any]] = []
    if args.previous:
        points = json.loads(args.previous.read_text())["points"]
    on_links = link_settings(args) if args.profiles else None
    if args.kubeconfig:
        # a cluster the bench does not own: measured as it is, nothing written to it
        if on_links:
            points.append(_measure_links(args.kubeconfig, on_links, None))
            link_run.finish(points, args.name)
            return 0
        points.append(
            measure_point(
                args.kubeconfig, args.runs, None, live=False, compare_with=args.compare_with
            )
        )
        finish(points, args.name)
        return 0
    name = args.adopt or f"ki-bench-{uuid.uuid4().hex[:8]}"
    limit = (("GOMEMLIMIT", args.server_memory_limit),) if args.server_memory_limit else ()
    cluster = LocalCluster(
        name, build_binaries(), disable_qps_limits=True, audit=False, component_env=limit
    )
    try:
        if args.adopt:
            # Claim it at once: other runs stop clusters whose owner process is gone.
            (cluster.cluster_dir / "owner.pid").write_text(str(os.getpid()))
            kubeconfig = cluster.kubeconfig
        else:
            kubeconfig = cluster.start()
        grow_and_measure(args, cluster, kubeconfig, on_links, points)
    finally:
        if args.keep_cluster:
            log(f"cluster {name} left running: --adopt {name}")
        else:
            cluster.stop()
    return 0


def seed_point(
    args: argparse.Namespace, cluster: LocalCluster, kubeconfig: Path, target: int, start: int
) -> tuple[int, bool, float]:
    """Seed the cluster from ``start`` to ``target`` pods; return what the point became.

    That is the target (0 when memory ran low: the last point, measured as it is), whether
    it is a stretch point, and the seconds seeding took.
    """
    stretch = target > args.stretch_above
    # a small point is a small cluster: 15 pods on 3 nodes
    on_nodes = args.nodes if target >= args.nodes else max(1, target // 5)
    log(f"seeding to {target:,} pods on {on_nodes:,} nodes")
    began = time.monotonic()
    try:
        wait = args.stretch_wait if stretch else 3600
        quiet = (lambda: quiet_cluster(cluster, CONTROLLERS)) if stretch else None
        seed(
            kubeconfig,
            on_nodes,
            target,
            start=start,
            log=log,
            wait=wait,
            before_pods=quiet,
            poll=30 if stretch else 10,  # each count is a LIST of every pod
        )
    except MemoryLow as e:
        log(f"seeding stopped, memory low: {e}; measuring what there is")
        stretch = True
        target = 0  # no further points
    seconds = time.monotonic() - began
    log(f"seeded in {seconds:.0f}s")
    return target, stretch, seconds


def grow_and_measure(
    args: argparse.Namespace,
    cluster: LocalCluster,
    kubeconfig: Path,
    on_links: link_run.LinkSettings | None,
    points: list[dict[str, Any]],
) -> None:
    """Seed the cluster to each point of --points in turn and measure it there.

    Each point's figures are added to ``points`` and written at once: a long run keeps
    what it has. A stretch point (or one cut short by low memory) is the last.
    """
    start = args.start
    for point in (int(p) for p in args.points.split(",")):
        target, stretch, seconds = seed_point(args, cluster, kubeconfig, point, start)
        if stretch:
            quiet_cluster(cluster, (*CONTROLLERS, KWOK))  # a last point: never restarted
        if args.measure_when and not args.measure_when.exists():
            log(f"waiting for {args.measure_when} to exist before measuring")
            while not args.measure_when.exists():
                time.sleep(5)
        runs = args.stretch_runs if stretch else args.runs
        skip = tuple(filter(None, args.skip.split(",")))
        if on_links:
            points.append(_measure_links(kubeconfig, on_links, cluster))
            link_run.finish(points, args.name)
        else:
            points.append(
                measure_point(
                    kubeconfig,
                    runs,
                    seconds,
                    not stretch,
                    skip,
                    compare_with=args.compare_with,
                    cluster=cluster,
                )
            )
            finish(points, args.name)  # after every point: a long run keeps what it has
        if not target or stretch:  # the cluster is quiet now: nothing marks pods Running
            break
        start = target


def _measure_links(
    kubeconfig: Path, settings: link_run.LinkSettings, cluster: LocalCluster | None
) -> dict[str, Any]:
    code = {"after": checkout_of(Path(__file__).resolve().parent.parent)}
    if settings.before:
        code["before"] = checkout_of(settings.before)
    log(f"code: {json.dumps(code)}")
    return link_run.measure_links(kubeconfig, count_objects(kubeconfig), settings, cluster, code)


if __name__ == "__main__":
    raise SystemExit(main())
