"""WatchList against LIST: the pods read as a watch's initial events, or as a LIST.

    python -m bench.watchlist KUBECONFIG [--rounds 8]

A WatchList (``watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan``) is
served from the API server's watch cache as one ADDED event per object, then a BOOKMARK
annotated ``k8s.io/initial-events-end``. This times reading every pod that way until
the bookmark, against the unpaged LIST and the LIST in pages of 1,000 (as tree pages),
all JSON, bodies read and decoded (json lines / msgspec), in interleaved rounds.
Prints medians of wall and CPU seconds. Not part of any command: a measurement.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.decode import decode_pod_list

END = "k8s.io/initial-events-end"


def watch_list(client: KubeClient) -> int:
    """Return the pods read as a WatchList's initial events, up to its end bookmark."""
    query = [
        ("watch", "1"),
        ("sendInitialEvents", "true"),
        ("resourceVersionMatch", "NotOlderThan"),
        ("allowWatchBookmarks", "true"),
        ("timeoutSeconds", 120),
    ]
    response = client._send("/api/v1/pods", query, timeout=(30.0, 150.0), stream=True)
    raw, count, pending = response, 0, b""
    try:
        for chunk in raw.stream(64 * 1024):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                event = json.loads(line)
                if event["type"] == "BOOKMARK":
                    annotations = event["object"]["metadata"].get("annotations") or {}
                    if annotations.get(END) == "true":
                        return count
                else:
                    count += 1
    finally:
        raw.close()
    raise RuntimeError("the watch ended before its initial-events-end bookmark")


def listed(client: KubeClient, limit: int | None) -> int:
    """Return the pods read by a LIST, unpaged (None) or in pages of ``limit``."""
    if limit is None:
        page = client.get("/api/v1/pods", None, decode_pod_list)
        return len(page["items"])
    return sum(1 for _ in client.paged("/api/v1/pods", None, decode_pod_list, limit=limit))


def main() -> int:
    """Time the three reads in interleaved rounds; print medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kubeconfig", type=Path)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    client = KubeClient.from_kubeconfig(str(args.kubeconfig), None, 60.0)
    reads: dict[str, Callable[[], int]] = {
        "WatchList (initial events)": lambda: watch_list(client),
        "LIST unpaged": lambda: listed(client, None),
        "LIST pages of 1,000": lambda: listed(client, 1000),
    }
    walls: dict[str, list[float]] = {name: [] for name in reads}
    cpus: dict[str, list[float]] = {name: [] for name in reads}
    counts: dict[str, int] = {}
    names = list(reads)
    for turn in range(args.rounds):
        for name in names[turn % 3 :] + names[: turn % 3]:
            wall, cpu = time.perf_counter(), time.process_time()
            counts[name] = reads[name]()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
    client.close()
    for name in names:
        print(
            f"{name}: {counts[name]} pods, wall {statistics.median(walls[name]):.3f} s, "
            f"client CPU {statistics.median(cpus[name]):.3f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
