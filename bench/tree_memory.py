"""Where the memory of ``kube-inspect tree`` goes, offline: peak RSS and what holds it.

    python -m bench.tree_memory [--pods 30000] [--nodes 1000] [--output tree|json]
                                [--trace] [--code DIR]

Pods are bench/seed.py's, with the status kwok writes when it marks them Running; they
are cut into LIST pages of 1,000 as the API server sends them, written once to a cache
directory and read back one page at a time, as the network would hand them over. The
same path as the command runs on them: pages read ahead by a thread (kube/prefetch.py),
each decoded (kube/decode.py) as reached, the pods streamed into build_cluster,
arranged, and the tree (or ``-o json``) written to /dev/null, with the cyclic collector
paused. Prints the peak RSS above what the imports took, and the CPU seconds. With
``--trace``, tracemalloc's largest lines at the peak of the build (the model held) and
of the drawing. ``--code`` runs another checkout's kube_inspect (to compare before and
after in one run). No cluster, no network.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "kube-inspect-tree-memory"
PAGE = 1000
STARTED = "2026-12-02T10:00:00Z"


def running_status(pod: dict[str, Any], i: int) -> dict[str, Any]:
    """Return the status kwok's pod-ready stage writes, plus what the API server adds."""
    spec = pod["spec"]
    running = {"running": {"startedAt": STARTED}}
    done = {
        "terminated": {
            "exitCode": 0,
            "reason": "Completed",
            "startedAt": STARTED,
            "finishedAt": STARTED,
        }
    }

    def statuses(containers: list[dict[str, Any]], state: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"image": c["image"], "name": c["name"], "ready": True, "restartCount": 0}
            | {"state": state}
            for c in containers
        ]

    conditions = [
        {"lastProbeTime": None, "lastTransitionTime": STARTED, "status": "True", "type": kind}
        for kind in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
    ]
    status: dict[str, Any] = {
        "phase": "Running",
        "conditions": conditions,
        "hostIP": f"10.0.{i % 1000 // 250}.{i % 250}",
        "hostIPs": [{"ip": f"10.0.{i % 1000 // 250}.{i % 250}"}],
        "podIP": f"10.{64 + i // 65536 % 64}.{i // 256 % 256}.{i % 256}",
        "podIPs": [{"ip": f"10.{64 + i // 65536 % 64}.{i // 256 % 256}.{i % 256}"}],
        "startTime": STARTED,
        "qosClass": "Burstable",
        "containerStatuses": statuses(spec["containers"], running),
    }
    if spec.get("initContainers"):
        status["initContainerStatuses"] = statuses(spec["initContainers"], done)
    return status


def pod_page(first: int, count: int, nodes: int) -> bytes:
    """Return one LIST page of bench pods as the API server sends it (compact JSON)."""
    from bench.seed import pod_object

    items = []
    for i in range(first, first + count):
        pod = pod_object(i, nodes)
        meta = pod["metadata"]
        meta["uid"] = f"{i:08x}-0000-4000-8000-{i:012x}"
        meta["resourceVersion"] = str(1000 + i)
        meta["creationTimestamp"] = STARTED
        meta["managedFields"] = [
            {"manager": "seed", "operation": "Update", "apiVersion": "v1", "time": STARTED}
        ]
        pod["status"] = running_status(pod, i)
        items.append(pod)
    page: dict[str, Any] = {"kind": "PodList", "apiVersion": "v1"}
    page["metadata"] = {"resourceVersion": "1"}
    page["items"] = items
    return json.dumps(page, separators=(",", ":")).encode()


def node_page(nodes: int) -> bytes:
    """Return the LIST of bench nodes, Ready, with the status kwok writes."""
    from bench.seed import node_object

    items = []
    for i in range(nodes):
        node = node_object(i)
        node["metadata"]["creationTimestamp"] = STARTED
        node["spec"] = {"taints": []}
        node["status"]["conditions"] = [
            {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "ok"}
        ]
        node["status"]["nodeInfo"] = {
            "kubeletVersion": "fake",
            "operatingSystem": "linux",
            "architecture": "amd64",
        }
        node["status"]["addresses"] = [{"type": "InternalIP", "address": f"10.0.0.{i % 250}"}]
        items.append(node)
    return json.dumps({"kind": "NodeList", "apiVersion": "v1", "items": items}).encode()


def pages_dir(pods: int, nodes: int) -> Path:
    """Return the directory holding the pages of ``pods`` pods, writing them the first time."""
    where = CACHE / f"{pods}-{nodes}"
    if (where / "done").exists():
        return where
    where.mkdir(parents=True, exist_ok=True)
    (where / "nodes.json").write_bytes(node_page(nodes))
    for number, first in enumerate(range(0, pods, PAGE)):
        body = pod_page(first, min(PAGE, pods - first), nodes)
        (where / f"pods-{number:04d}.json").write_bytes(body)
    (where / "done").touch()
    return where


def measure(where: Path, output: str, trace: bool) -> None:
    """Read, build and draw the cluster of ``where`` as ``kube-inspect tree`` does; print."""
    import gc
    import tracemalloc
    from datetime import UTC, datetime

    from kube_inspect.interpret.arrange import arrange
    from kube_inspect.interpret.objects import build_cluster
    from kube_inspect.kube.decode import decode_object_list, decode_pod_list
    from kube_inspect.kube.prefetch import PageStream, Prefetched
    from kube_inspect.render.json import cluster_dict, write_json
    from kube_inspect.render.tree import TreeOptions, render_tree

    print(f"code: {Path(sys.modules['kube_inspect'].__file__ or '').parent}", file=sys.stderr)
    pages = sorted(where.glob("pods-*.json"))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    gc.disable()
    if trace:
        tracemalloc.start(1)
    start = time.process_time()

    def items_of(body: bytes) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = decode_pod_list(body, with_volumes=False)["items"]
        return items

    # read ahead in a thread, two pages at most, and decoded as reached, as KubeClient.stream
    bodies = Prefetched((path.read_bytes() for path in pages), batch=1, depth=2)
    streamed: PageStream[dict[str, Any]] = PageStream(bodies, items_of)
    nodes = decode_object_list((where / "nodes.json").read_bytes())["items"]
    cluster = build_cluster(
        context="bench",
        server="https://bench",
        version="v1.36",
        nodes=nodes,
        pods=streamed,
    )
    del nodes
    cluster = arrange(cluster, False, "name")
    built = time.process_time() - start
    model_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        _top("model held after the build", tracemalloc.take_snapshot(), 25)
        tracemalloc.reset_peak()
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    with open(os.devnull, "w", encoding="utf-8") as out:
        if output == "json":
            write_json(cluster_dict(cluster), out)
        else:
            render_tree(cluster, out, options=TreeOptions(now=now))
    total = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        current, traced_peak = tracemalloc.get_traced_memory()
        print(f"traced: now {current / 1e6:.1f} MB, peak while drawing {traced_peak / 1e6:.1f} MB")
    print(
        f"{len(cluster.pods)} pods -o {output}: peak RSS {(peak - base) / 1024:.1f} MB above "
        f"the imports' {base / 1024:.1f} MB (after the build: {(model_rss - base) / 1024:.1f}); "
        f"CPU {built:.2f} s to build, {total:.2f} s in all"
    )


def _top(title: str, snapshot: Any, lines: int) -> None:
    stats = snapshot.statistics("lineno")
    total = sum(s.size for s in stats)
    print(f"-- {title}: {total / 1e6:.1f} MB traced")
    for stat in stats[:lines]:
        frame = stat.traceback[0]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        print(f"{stat.size / 1e6:8.2f} MB {stat.count:9d} blocks  {where}")


def main() -> None:
    """Write the pages if needed, then measure one output in this process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=30_000)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--output", choices=("tree", "json"), default="tree")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--code", type=Path, help="a checkout whose kube_inspect to run")
    args = parser.parse_args()
    where = pages_dir(args.pods, args.nodes)
    if args.code is not None:
        sys.path.insert(0, str(args.code.resolve()))
    measure(where, args.output, args.trace)


if __name__ == "__main__":
    main()
