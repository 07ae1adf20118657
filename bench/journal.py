"""The journal: `--from JOURNAL --at T` against `--from SNAPSHOT` of the same state, and size.

    python -m bench.journal [--pods 10000] [--nodes 1000] [--hours 24] [--runs 5]

Writes, through the journal store the recorder uses, the history a recorder would keep of
a cluster of ``--pods`` pods (bench/seed.py's) where 1% of the pods change each minute,
for ``--hours``; and the snapshot of the last moment. Then times `tree -o json` from
each (the same bytes must come out: the same read path), interleaved, and prints the
medians, their ratio (the target is at most 1.5), the journal's bytes per day and the
seconds the store spent writing an hour. No cluster: what is timed is the reading.
The recorder's own CPU, RSS and the API server's extra CPU need a live cluster and are
not measured here.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.seed import node_object, pod_object
from kube_inspect.journal.differences import change_of
from kube_inspect.journal.following import narrowed
from kube_inspect.journal.store import open_journal
from kube_inspect.model.journal import ChangeType
from kube_inspect.offline.document import Snapshot, write_snapshot
from kube_inspect.offline.kept import kept

T0 = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
CLUSTER = "bench"
KUBE_INSPECT = Path(sys.executable).parent / "kube-inspect"


def running(pod: dict[str, Any], i: int) -> dict[str, Any]:
    """Return ``pod`` as the API server holds it once running: a uid, a status."""
    pod = copy.deepcopy(pod)
    pod["metadata"] |= {"uid": f"uid-{i:07d}", "resourceVersion": str(i + 1)}
    pod["metadata"]["creationTimestamp"] = "2026-12-05T02:00:00Z"
    statuses = [
        {"name": c["name"], "ready": True, "restartCount": 0, "image": c["image"],
         "state": {"running": {"startedAt": "2026-12-05T02:00:05Z"}}}
        for c in pod["spec"]["containers"]
    ]  # fmt: skip
    pod["status"] = {
        "phase": "Running",
        "podIP": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": statuses,
    }
    return narrowed("pods", pod)


def restarted(pod: dict[str, Any], minute: int) -> dict[str, Any]:
    """Return ``pod`` after one more restart of its first container (a change views show)."""
    pod = copy.deepcopy(pod)
    status = pod["status"]["containerStatuses"][0]
    status["restartCount"] += 1
    status["state"] = {"running": {"startedAt": (T0 + timedelta(minutes=minute)).isoformat()}}
    pod["metadata"]["resourceVersion"] = str(10_000_000 + minute)
    return pod


def write_history(path: Path, pods: int, nodes: int, hours: float) -> tuple[Snapshot, float]:
    """Write the journal; return the snapshot of its last moment and the writing seconds."""
    node_items = [kept("nodes", node_object(i)) for i in range(nodes)]
    pod_items = [kept("pods", running(pod_object(i, nodes), i)) for i in range(pods)]
    journal = open_journal(str(path), create=True)
    started = time.process_time()
    journal.begin(CLUSTER, "https://bench", "v1.36.3", {}, T0)
    journal.reads(CLUSTER, T0, {"nodes": None, "pods": None})
    first = [change_of(CLUSTER, "nodes", o, ChangeType.ADDED, T0) for o in node_items]
    journal.append(first + [change_of(CLUSTER, "pods", o, ChangeType.ADDED, T0) for o in pod_items])
    journal.commit()
    minutes = int(hours * 60)
    changed = max(1, pods // 100)
    for minute in range(1, minutes + 1):
        at = T0 + timedelta(minutes=minute)
        batch = []
        for j in range(changed):
            i = (minute * changed + j) * 7919 % pods  # spread over the pods
            pod_items[i] = restarted(pod_items[i], minute)
            batch.append(change_of(CLUSTER, "pods", pod_items[i], ChangeType.MODIFIED, at))
        journal.append(batch)
        journal.heartbeat(CLUSTER, at)
        journal.commit()
    seconds = time.process_time() - started
    journal.close()
    end = T0 + timedelta(minutes=minutes)
    snapshot = Snapshot(end, CLUSTER, "https://bench", "v1.36.3",
                        {"nodes": node_items, "pods": sorted(pod_items, key=_order)})  # fmt: skip
    return snapshot, seconds


def _order(pod: dict[str, Any]) -> tuple[str, str]:
    return (pod["metadata"]["namespace"], pod["metadata"]["name"])


def timed(args: list[str]) -> tuple[float, bytes]:
    """Return the wall seconds of ``kube-inspect ARGS`` and its stdout."""
    started = time.perf_counter()
    done = subprocess.run([str(KUBE_INSPECT), *args], capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"kube-inspect {' '.join(args)}: {done.stderr.decode()}")
    return time.perf_counter() - started, done.stdout


def main() -> int:
    """Write the journal and the snapshot, time both reads, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--nodes", type=int, default=1_000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as where:
        journal, snapshot_file = Path(where) / "j.sqlite", Path(where) / "s.json"
        snapshot, writing = write_history(journal, args.pods, args.nodes, args.hours)
        with open(snapshot_file, "wb") as file:
            write_snapshot(snapshot, file, compress=False)
        size = sum(p.stat().st_size for p in Path(where).glob("j.sqlite*"))
        at = snapshot.taken_at.isoformat()
        from_journal = ["tree", "--from", str(journal), "--at", at, "-o", "json"]
        from_snapshot = ["tree", "--from", str(snapshot_file), "-o", "json"]
        times: dict[str, list[float]] = {"journal": [], "snapshot": []}
        outputs = set()
        for _ in range(args.runs):  # interleaved: the machine's load falls on both
            for name, command in (("snapshot", from_snapshot), ("journal", from_journal)):
                seconds, out = timed(command)
                times[name].append(seconds)
                outputs.add(out)
        same = "the same bytes" if len(outputs) == 1 else "DIFFERENT outputs"
        journal_s, snapshot_s = (statistics.median(times[n]) for n in ("journal", "snapshot"))
        per_day = size / args.hours * 24
        print(f"journal of {args.pods} pods, {args.nodes} nodes, 1%/min for {args.hours:g}h: "
              f"{size / 1e6:.1f} MB ({per_day / 1e6:.0f} MB/day), written in {writing:.1f} "
              f"CPU s ({writing / args.hours:.1f} s/hour)")  # fmt: skip
        print(f"tree -o json --from SNAPSHOT: {snapshot_s:.2f}s  --from JOURNAL --at T: "
              f"{journal_s:.2f}s  ratio {journal_s / snapshot_s:.2f} (target <= 1.5); "
              f"{same}; medians of {args.runs}, {os.cpu_count()} CPUs")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
