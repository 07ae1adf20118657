"""`make demo`: print the sample cluster at once from its snapshot, then start a throwaway
sample cluster, print its tree live, throw it away.

python -m tests.clusters.demo [kube-inspect tree flags...]

The snapshot (tests/fixtures/sample-snapshot.json, re-recorded by `make record`) needs no
cluster: a newcomer sees output in seconds while the live one is built.

The cluster runs metrics-server: with ``-o wide`` the demo first waits for its first
scrapes (about 30 s), so the usage columns show figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from tests.clusters.local import LocalCluster, build_binaries
from tests.clusters.record import SNAPSHOT
from tests.clusters.sample import apply_sample, wait_settled

METRICS_API = "/apis/metrics.k8s.io/v1beta1"


def _running_and_ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status", {})
    return status.get("phase") == "Running" and any(
        c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions", [])
    )


def _keys(items: list[dict[str, Any]]) -> set[str]:
    return {f"{i['metadata']['namespace']}/{i['metadata']['name']}" for i in items}


def wait_for_usage(cluster: LocalCluster, timeout: float = 120) -> None:
    """Wait until metrics.k8s.io serves the usage of every running, ready pod."""
    deadline = time.monotonic() + timeout
    missing: set[str] = set()
    while time.monotonic() < deadline:
        pods = json.loads(cluster.kubectl("get", "pods", "-A", "-o", "json"))["items"]
        served = json.loads(cluster.kubectl("get", "--raw", f"{METRICS_API}/pods"))["items"]
        missing = _keys([p for p in pods if _running_and_ready(p)]) - _keys(served)
        if not missing:
            return
        time.sleep(1)
    print(f"no usage served within {timeout} s for {', '.join(sorted(missing))}", file=sys.stderr)


def print_snapshot(tool: Path, argv: list[str]) -> None:
    """Print the sample cluster from its snapshot: offline, at once."""
    if any(arg in ("-w", "--watch") or arg.startswith("--context") for arg in argv):
        return  # live-only flags: the live tree below shows them
    shown = os.path.relpath(SNAPSHOT)
    print(f"$ kube-inspect tree --from {shown} {' '.join(argv)}".rstrip(), flush=True)
    subprocess.run([str(tool), "tree", "--from", str(SNAPSHOT), *argv])
    print(flush=True)


def main(argv: list[str]) -> int:
    """Run ``kube-inspect tree`` (with ``argv``) on a fresh sample cluster; return its code."""
    tool = Path(sys.executable).parent / "kube-inspect"
    print_snapshot(tool, argv)
    print(
        "that was a snapshot of the sample cluster; now building the live one "
        "(the first time takes several minutes)...",
        flush=True,
    )
    cluster = LocalCluster(f"ki-demo-{uuid.uuid4().hex[:8]}", build_binaries(), metrics_server=True)
    try:
        kubeconfig = cluster.start()
        print(f"cluster {cluster.name} is up; applying tests/fixtures/sample-cluster...")
        apply_sample(cluster.kubectl, simulated_nodes=True)
        wait_settled(cluster.kubectl)
        if any("wide" in arg for arg in argv):
            print("waiting for metrics-server's first scrapes...", flush=True)
            wait_for_usage(cluster)
        print(f"$ kube-inspect tree {' '.join(argv)}".rstrip(), flush=True)
        env = dict(os.environ, KUBECONFIG=str(kubeconfig))
        return subprocess.run([str(tool), "tree", *argv], env=env).returncode
    finally:
        cluster.stop()
        print(f"cluster {cluster.name} stopped and removed")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
