"""The recorder on a live cluster: its CPU, memory and journal bytes, beside `kubectl get -w`.

    python -m bench.recorder [--pods 10000] [--nodes 100] [--seconds 120]

Starts a local cluster (tests/clusters/local.py), seeds it (bench/seed.py), then changes
1% of the pods each minute (a label: a change the journal keeps) for three windows of
``--seconds`` each: nothing else watching, `kubectl get pods -A -w` watching, and
`kube-inspect record` recording. Prints, per hour (extrapolated from the window, said
so): the watcher's CPU seconds and peak RSS, the API server's (and etcd's) extra CPU
against the first window, and the journal's bytes per day (its first list apart).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.run import cluster_cpu
from bench.seed import Seeder, pod_object, seed
from tests.clusters.local import LocalCluster, build_binaries, kubectl_path

KUBE_INSPECT = Path(sys.executable).parent / "kube-inspect"


def churn(kubeconfig: Path, pods: int, nodes: int, stop: threading.Event) -> None:
    """Patch a label on 1% of the pods each minute, evenly spread, until ``stop``."""
    seeder = Seeder(kubeconfig)
    per_minute = max(1, pods // 100)
    i = 0
    try:
        while not stop.wait(60.0 / per_minute):
            obj = pod_object(i * 7919 % pods, nodes)["metadata"]
            body = json.dumps({"metadata": {"labels": {"churn": str(i)}}}).encode()
            path = f"/api/v1/namespaces/{obj['namespace']}/pods/{obj['name']}"
            seeder.request("PATCH", path, body, merge=True)
            i += 1
    finally:
        seeder.close()


def cpu_and_peak(pid: int) -> tuple[float, int]:
    """Return a process's CPU seconds so far and its peak RSS in MB."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    peak = next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmHWM:"))
    return cpu, peak


def window(
    cluster: LocalCluster,
    seconds: float,
    command: list[str] | None,
    ready: str | None,
    on_ready: Callable[[], None] = lambda: None,
) -> dict[str, float]:
    """Run ``command`` (None: nothing) for a window; return its figures and the server's CPU."""
    process = None
    if command is not None:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        if ready is not None:
            assert process.stderr is not None
            for line in process.stderr:
                if ready in line:
                    break
        else:
            time.sleep(5)  # kubectl's first list: not part of the steady cost
    on_ready()
    started_cpu = cpu_and_peak(process.pid)[0] if process else 0.0
    server = cluster_cpu(cluster)
    time.sleep(seconds)
    found = {"server_cpu": cluster_cpu(cluster) - server}
    if process is not None:
        cpu, peak = cpu_and_peak(process.pid)
        found |= {"cpu": cpu - started_cpu, "rss_mb": float(peak)}
        process.terminate()
        process.wait(timeout=30)
    return found


def journal_bytes(journal: Path) -> tuple[int, int, int]:
    """Return the object bytes of the first list, those of the changes after, the file size."""
    import sqlite3

    db = sqlite3.connect(journal)
    first = db.execute("SELECT first_at FROM clusters").fetchone()[0]
    query = "SELECT COALESCE(SUM(LENGTH(object)), 0) FROM changes WHERE observed_at {} ?"
    listed = db.execute(query.format("<="), (first,)).fetchone()[0]
    changed = db.execute(query.format(">"), (first,)).fetchone()[0]
    db.close()
    return int(listed), int(changed), journal.stat().st_size


def main() -> int:
    """Seed a cluster, churn it, measure three windows, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--settle", type=float, default=90.0)
    args = parser.parse_args()
    cluster = LocalCluster(f"ki-bench-rec-{uuid.uuid4().hex[:6]}", build_binaries())
    stop = threading.Event()
    try:
        kubeconfig = cluster.start()
        seed(kubeconfig, args.nodes, args.pods, log=lambda m: print(m, file=sys.stderr))
        threading.Thread(
            target=churn, args=(kubeconfig, args.pods, args.nodes, stop), daemon=True
        ).start()
        time.sleep(args.settle)  # the controllers and kwok finish with the seeded pods
        with tempfile.TemporaryDirectory() as where:
            journal = Path(where) / "j.sqlite"
            base = window(cluster, args.seconds, None, None)
            kubectl = [kubectl_path(), "--kubeconfig", str(kubeconfig), "get", "pods", "-A", "-w"]
            watched = window(cluster, args.seconds, kubectl, None)
            record = [str(KUBE_INSPECT), "record", "--kubeconfig", str(kubeconfig), "-A",
                      "--journal", str(journal)]  # fmt: skip
            recorded = window(cluster, args.seconds, record, "watching")
            listed, changed, whole = journal_bytes(journal)
    finally:
        stop.set()
        cluster.stop()
    hour = 3600 / args.seconds
    print(f"recording {args.pods} pods on {args.nodes} nodes, 1%/min, windows of "
          f"{args.seconds:g}s extrapolated to an hour:")  # fmt: skip
    for name, found in (("kubectl get pods -A -w", watched), ("kube-inspect record", recorded)):
        extra = (found["server_cpu"] - base["server_cpu"]) * hour
        print(f"  {name}: {found['cpu'] * hour:.0f} CPU s/hour, peak RSS {found['rss_mb']:.0f} MB,"
              f" API server + etcd extra CPU {extra:.0f} s/hour")  # fmt: skip
    per_day = whole * changed / (listed + changed) * hour * 24
    print(f"  journal: {whole / 1e6:.1f} MB for the first list and {args.seconds:g}s; the "
          f"changes after the list at this rate: {per_day / 1e6:.0f} MB/day")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
