"""The day-long journal bench/journal.py and bench/history.py time kube-inspect's reads of.

Both take the same flags (``parse_flags``), write the same journal into a scratch folder
(``written_journal``): the history a recorder would keep of a cluster of ``--pods`` pods
(bench/seed.py's) where 1% of the pods restart each minute, for ``--hours``, through the
journal store the recorder uses; and both time kube-inspect as a whole process (``timed``).
"""

from __future__ import annotations

import argparse
import copy
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.seed import node_object, pod_object
from kube_inspect.journal.differences import change_of
from kube_inspect.journal.following import narrowed
from kube_inspect.journal.store import open_journal
from kube_inspect.model.journal import ChangeType
from kube_inspect.offline.document import Snapshot
from kube_inspect.offline.kept import kept

T0 = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
CLUSTER = "bench"
KUBE_INSPECT = Path(sys.executable).parent / "kube-inspect"


def parse_flags(description: str, args: list[str] | None = None) -> argparse.Namespace:
    """Return the journal benches' flags: the cluster's size, the hours kept, the runs."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--pods", type=int, default=10_000, help="pods in the cluster")
    parser.add_argument("--nodes", type=int, default=1_000, help="nodes in the cluster")
    parser.add_argument("--hours", type=float, default=24.0, help="hours the journal covers")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command timed")
    return parser.parse_args(args)


@dataclass(frozen=True, slots=True)
class WrittenJournal:
    """A journal written in a scratch folder, and the snapshot of its last moment."""

    path: Path
    snapshot: Snapshot
    writing_seconds: float  # the CPU seconds the store spent writing it

    @property
    def size(self) -> int:
        """Return the journal's bytes on disk, its SQLite -wal and -shm files included."""
        return sum(p.stat().st_size for p in self.path.parent.glob(f"{self.path.name}*"))


@contextmanager
def written_journal(flags: argparse.Namespace) -> Iterator[WrittenJournal]:
    """Yield the journal ``flags`` ask for, written in a folder removed after the block."""
    with tempfile.TemporaryDirectory() as where:
        path = Path(where) / "j.sqlite"
        snapshot, seconds = write_history(path, flags.pods, flags.nodes, flags.hours)
        yield WrittenJournal(path, snapshot, seconds)


def changed_pod(minute: int, j: int, pods: int) -> int:
    """Return the index of the ``j``-th pod that restarts in ``minute`` (spread over all)."""
    return (minute * max(1, pods // 100) + j) * 7919 % pods


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
    for minute in range(1, minutes + 1):
        at = T0 + timedelta(minutes=minute)
        batch = []
        for j in range(max(1, pods // 100)):
            i = changed_pod(minute, j, pods)
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
