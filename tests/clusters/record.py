"""Re-record the API JSON the unit tests read: start the local cluster with the sample,
save the server's own nodes, pods, workloads, Warning events and version to
tests/fixtures/recorded/, and a `kube-inspect snapshot` of it to
tests/fixtures/sample-snapshot.json (`make demo` prints it at once), stop it.

tests/fixtures/recorded/protobuf/ holds the pods in both encodings, read at one
resourceVersion, with the nodes and owners they were built with (record_protobuf).

    python -m tests.clusters.record                   (or: make record)
    python -m tests.clusters.record --snapshot-only   (the snapshot, not the unit fixtures)
    python -m tests.clusters.record --volume-kinds    (only protobuf-volumes/, below)

tests/fixtures/recorded/protobuf-volumes/ is the same for pods with a volume of every kind
and scheduling gates (tests/fixtures/volume-kinds.yaml), which the sample lacks.

    python -m tests.clusters.record --dra             (only dra/, below)

tests/fixtures/recorded/dra/ holds the DRA objects of tests/fixtures/dra/ (two GPU nodes,
their ResourceSlices and DeviceClasses, pods claiming devices) once the scheduler has
allocated what it can, with the pods, nodes and events of their namespace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.clusters.local import LocalCluster, build_binaries
from tests.clusters.sample import apply_sample, wait_settled

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"
SNAPSHOT = RECORDED.parent / "sample-snapshot.json"
# kwok's simulated kubelets write no Warning events: these are created as a kubelet would
WARNING_EVENTS = RECORDED.parent / "warning-events.yaml"


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
        "events.json": ("get", "--raw", "/api/v1/events?fieldSelector=type%3DWarning"),
        "persistentvolumeclaims.json": ("get", "--raw", "/api/v1/persistentvolumeclaims"),
    }
    for name, query in queries.items():
        body = json.loads(cluster.kubectl(*query))
        (into / name).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")


def record_snapshot(kubeconfig: Path, into: Path = SNAPSHOT) -> None:
    """Save `kube-inspect snapshot` of the cluster, as a user would take it."""
    tool = Path(sys.executable).parent / "kube-inspect"
    env = dict(os.environ, KUBECONFIG=str(kubeconfig))
    subprocess.run([str(tool), "snapshot", "-q", "-o", str(into)], env=env, check=True)


PROTOBUF_RECORDED = RECORDED / "protobuf"


def record_protobuf(kubeconfig: Path, into: Path = PROTOBUF_RECORDED) -> None:
    """Save the pods as protobuf and as JSON, at one resourceVersion, and what builds them."""
    from kube_inspect.kube.client import KubeClient
    from kube_inspect.kube.decode import decode_json, list_metadata
    from kube_inspect.kube.wires import JSON, PROTOBUF

    into.mkdir(parents=True, exist_ok=True)
    client = KubeClient.from_kubeconfig(str(kubeconfig), None, 30.0)

    def raw(path: str, accept: str) -> bytes:
        return bytes(client._send(path, None, timeout=30.0, headers={"Accept": accept}).data)

    try:
        for _ in range(20):  # the sample's pods may still change: take a quiet moment
            binary, text = raw("/api/v1/pods", PROTOBUF), raw("/api/v1/pods", JSON)
            version = list_metadata(binary).get("resourceVersion")
            if version == decode_json(text)["metadata"]["resourceVersion"]:
                break
        else:
            raise RuntimeError("the pods kept changing between the two reads")
        (into / "pods.pb").write_bytes(binary)
        (into / "pods.json").write_text(
            json.dumps(decode_json(text), indent=1, sort_keys=True) + "\n"
        )
        for name, path in (
            ("nodes.json", "/api/v1/nodes"),
            ("replicasets.json", "/apis/apps/v1/replicasets"),
            ("jobs.json", "/apis/batch/v1/jobs"),
        ):
            body = decode_json(raw(path, JSON))
            (into / name).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")
    finally:
        client.close()


VOLUME_KINDS = RECORDED.parent / "volume-kinds.yaml"
VOLUME_KINDS_RECORDED = RECORDED / "protobuf-volumes"


DRA = RECORDED.parent / "dra"
DRA_RECORDED = RECORDED / "dra"


def record_dra(cluster: LocalCluster, into: Path = DRA_RECORDED) -> None:
    """Apply tests/fixtures/dra/ in namespace dra, wait for the scheduler, save the objects."""
    cluster.kubectl("create", "namespace", "dra")
    cluster.kubectl("apply", "-f", str(DRA / "nodes.yaml"))
    cluster.kubectl("apply", "-f", str(DRA / "devices.yaml"))
    cluster.kubectl("apply", "-n", "dra", "-f", str(DRA / "pods.yaml"))
    for _ in range(120):  # four pods placed, the FailedResourceClaimCreation event written
        pods = json.loads(cluster.kubectl("get", "pods", "-n", "dra", "-o", "json"))["items"]
        events = json.loads(cluster.kubectl("get", "events", "-n", "dra", "-o", "json"))["items"]
        running = [p for p in pods if p["status"].get("phase") == "Running"]
        created = any(e["reason"] == "FailedResourceClaimCreation" for e in events)
        if len(running) == 4 and created:
            break
        time.sleep(1)
    into.mkdir(parents=True, exist_ok=True)
    queries = {
        "deviceclasses.json": ("get", "deviceclasses"),
        "resourceslices.json": ("get", "resourceslices"),
        "resourceclaims.json": ("get", "resourceclaims", "-n", "dra"),
        "pods.json": ("get", "pods", "-n", "dra"),
        "nodes.json": ("get", "nodes", "gpu-a", "gpu-b"),
        "events.json": ("get", "events", "-n", "dra"),
    }
    for name, query in queries.items():
        body = json.loads(cluster.kubectl(*query, "-o", "json"))
        (into / name).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    """Start a throwaway sample cluster, record it, and stop it."""
    cluster = LocalCluster(f"ki-record-{uuid.uuid4().hex[:8]}", build_binaries())
    if "--dra" in argv:
        try:
            cluster.start()
            record_dra(cluster)
            print(f"recorded into {DRA_RECORDED}")
        finally:
            cluster.stop()
        return 0
    if "--volume-kinds" in argv:
        try:
            cluster.start()
            cluster.kubectl("apply", "-f", str(VOLUME_KINDS))
            record_protobuf(cluster.kubeconfig, VOLUME_KINDS_RECORDED)
            print(f"recorded into {VOLUME_KINDS_RECORDED}")
        finally:
            cluster.stop()
        return 0
    try:
        kubeconfig = cluster.start()
        apply_sample(cluster.kubectl, simulated_nodes=True)
        wait_settled(cluster.kubectl)
        cluster.kubectl("apply", "-f", str(WARNING_EVENTS))
        if "--snapshot-only" not in argv:
            record(cluster)
            record_protobuf(cluster.kubeconfig)
            print(f"recorded into {RECORDED}")
        record_snapshot(kubeconfig)
        print(f"recorded {SNAPSHOT}")
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
