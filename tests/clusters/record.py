"""Re-record the API JSON the unit tests read: start the local cluster with the sample,
save the server's own nodes, pods, workloads and version to tests/fixtures/recorded/, stop it.

    python -m tests.clusters.record        (or: make record)
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

from tests.clusters.local import LocalCluster, build_binaries
from tests.clusters.sample import apply_sample, wait_settled

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"


def record(cluster: LocalCluster, into: Path = RECORDED) -> None:
    """Save the cluster's nodes, pods and version as the API server returns them."""
    into.mkdir(parents=True, exist_ok=True)
    queries = {
        "nodes.json": ("get", "--raw", "/api/v1/nodes"),
        "pods.json": ("get", "--raw", "/api/v1/pods"),
        "version.json": ("get", "--raw", "/version"),
        "replicasets.json": ("get", "--raw", "/apis/apps/v1/replicasets"),
        "jobs.json": ("get", "--raw", "/apis/batch/v1/jobs"),
        "namespaces.json": ("get", "--raw", "/api/v1/namespaces"),
        "deployments.json": ("get", "--raw", "/apis/apps/v1/deployments"),
        "statefulsets.json": ("get", "--raw", "/apis/apps/v1/statefulsets"),
        "daemonsets.json": ("get", "--raw", "/apis/apps/v1/daemonsets"),
        "persistentvolumeclaims.json": ("get", "--raw", "/api/v1/persistentvolumeclaims"),
    }
    for name, query in queries.items():
        body = json.loads(cluster.kubectl(*query))
        (into / name).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")


def main() -> int:
    """Start a throwaway sample cluster, record it, and stop it."""
    cluster = LocalCluster(f"ki-record-{uuid.uuid4().hex[:8]}", build_binaries())
    try:
        cluster.start()
        apply_sample(cluster.kubectl, simulated_nodes=True)
        wait_settled(cluster.kubectl)
        record(cluster)
    finally:
        cluster.stop()
    print(f"recorded into {RECORDED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
