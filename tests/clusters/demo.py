"""`make demo`: start a throwaway sample cluster, print its tree, throw it away.

python -m tests.clusters.demo [kube-inspect tree flags...]

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


def main(argv: list[str]) -> int:
    """Run ``kube-inspect tree`` (with ``argv``) on a fresh sample cluster; return its code."""
    print("building or finding the local control plane (first time: several minutes)...")
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
        tool = Path(sys.executable).parent / "kube-inspect"
        return subprocess.run([str(tool), "tree", *argv], env=env).returncode
    finally:
        cluster.stop()
        print(f"cluster {cluster.name} stopped and removed")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
