"""`make demo`: start a throwaway sample cluster, print its tree, throw it away.

python -m tests.clusters.demo [kube-inspect tree flags...]
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.clusters.local import LocalCluster, build_binaries
from tests.clusters.sample import apply_sample, wait_settled


def main(argv: list[str]) -> int:
    """Run ``kube-inspect tree`` (with ``argv``) on a fresh sample cluster; return its code."""
    print("building or finding the local control plane (first time: several minutes)...")
    cluster = LocalCluster(f"ki-demo-{uuid.uuid4().hex[:8]}", build_binaries())
    try:
        kubeconfig = cluster.start()
        print(f"cluster {cluster.name} is up; applying tests/fixtures/sample-cluster...")
        apply_sample(cluster.kubectl, simulated_nodes=True)
        wait_settled(cluster.kubectl)
        print(f"$ kube-inspect tree {' '.join(argv)}".rstrip(), flush=True)
        env = dict(os.environ, KUBECONFIG=str(kubeconfig))
        tool = Path(sys.executable).parent / "kube-inspect"
        return subprocess.run([str(tool), "tree", *argv], env=env).returncode
    finally:
        cluster.stop()
        print(f"cluster {cluster.name} stopped and removed")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
