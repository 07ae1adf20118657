"""deploy/recorder.yaml: `kube-inspect record` as a Deployment writing its journal to a volume.

The API server itself judges the manifest (a server-side dry run, in the test's own
namespace: nothing is created, any backend). On kind (real kubelets), the recorder runs
from kube-inspect's image as the manifest says, records a Deployment being made, is
stopped, and a second pod on the same volume reads its journal with `tree --from --at`.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import TestCluster
from tests.integration.test_rbac import wait_ready

pytestmark = pytest.mark.integration

RECORDER = Path(__file__).resolve().parents[2] / "deploy" / "recorder.yaml"


def _in_namespace(namespace: str) -> str:
    docs = [d for d in yaml.safe_load_all(RECORDER.read_text()) if d]
    for doc in docs:
        doc["metadata"]["namespace"] = namespace
    return yaml.safe_dump_all(docs)


def test_recorder_manifest_is_accepted_by_the_api_server(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "recorder.yaml"
    manifest.write_text(_in_namespace(scratch_namespace))
    out = cluster.kubectl("apply", "--dry-run=server", "-f", str(manifest))
    assert "persistentvolumeclaim/kube-inspect-journal created (server dry run)" in out
    assert "deployment.apps/kube-inspect-recorder created (server dry run)" in out
    # a dry run: nothing was made
    assert cluster.kubectl("get", "deployments,pvc", "-n", scratch_namespace, "-o", "name") == ""


@pytest.fixture
def journal_volume(cluster: TestCluster) -> Iterator[dict[str, Any]]:
    """Yield a PersistentVolume for the manifest's claim: a folder on one node, writable by
    the recorder's user as a provisioner's volume is; delete what the test made after.
    """
    assert cluster.kind is not None
    node = f"{cluster.kind.name}-worker"
    folder = f"/var/lib/ki-journal-{uuid.uuid4().hex[:6]}"
    docker = ["docker", "exec", node, "install", "-d", "-m", "0777", folder]
    subprocess.run(docker, env=cluster.kind.env, check=True, capture_output=True, timeout=60)
    on_node = {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
    yield {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "ki-journal"},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteOnce"],
            "hostPath": {"path": folder, "type": "Directory"},
            "claimRef": {"namespace": "kube-inspect", "name": "kube-inspect-journal"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [on_node]}]}},
        },
    }
    for kind, name in (("deployment", "kube-inspect-recorder"), ("pod", "journal-reader"),
                       ("pvc", "kube-inspect-journal")):  # fmt: skip
        cluster.kubectl("delete", kind, name, "-n", "kube-inspect", "--ignore-not-found",
                        "--wait=false")  # fmt: skip
    cluster.kubectl("delete", "pv", "ki-journal", "--ignore-not-found", "--wait=false")


def _wait_for(what: str, found: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not found():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not seen within {timeout:.0f}s")
        time.sleep(1)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@pytest.mark.kind_backend
def test_recorder_in_the_cluster_keeps_a_journal_that_tree_reads_at_a_moment(
    cluster: TestCluster,
    kube_inspect_image: str,
    scratch_namespace: str,
    journal_volume: dict[str, Any],
    tmp_path: Path,
) -> None:
    cluster.kubectl("apply", "-f", str(RECORDER.parent / "rbac.yaml"))
    # the volume first, bound to the claim in advance: else the cluster's default class
    # provisions one at once (kind's host-path provisioner: a root-owned folder, unwritable)
    journal_volume["spec"]["storageClassName"] = _default_storage_class(cluster)
    (tmp_path / "volume.json").write_text(json.dumps(journal_volume))
    cluster.kubectl("apply", "-f", str(tmp_path / "volume.json"))
    docs = [d for d in yaml.safe_load_all(RECORDER.read_text()) if d]
    for doc in docs:
        if doc["kind"] == "Deployment":
            container = doc["spec"]["template"]["spec"]["containers"][0]
            container["image"], container["imagePullPolicy"] = kube_inspect_image, "Never"
    (tmp_path / "recorder.yaml").write_text(yaml.safe_dump_all(docs))
    cluster.kubectl("apply", "-f", str(tmp_path / "recorder.yaml"))
    recorder = ["-n", "kube-inspect", "deployment/kube-inspect-recorder"]
    _wait_for("the recorder watching", lambda: _watching(cluster, *recorder), 180)
    before = _now()
    time.sleep(2)
    cluster.kubectl(
        "create", "deployment", "app", "--image=localhost/busybox:1.35", "-n", scratch_namespace,
        "--", "sleep", "3600",
    )  # fmt: skip
    wait_ready(cluster, scratch_namespace, "app")
    pods = cluster.kubectl("get", "pods", "-n", scratch_namespace, "-o", "name").split()
    time.sleep(3)  # the watch events reach the journal
    after = _now()
    # Recreate's way: the recorder stops (SIGTERM: the journal is closed) before a reader
    cluster.kubectl("scale", "--replicas=0", *recorder)
    _wait_for("the recorder stopped", lambda: not _recorder_pods(cluster), 120)
    journal = "/var/lib/kube-inspect/journal.sqlite"
    tree = f"kube-inspect tree --from {journal} -n {scratch_namespace} --at"
    script = f"{tree} {before}; echo ===; {tree} {after}"
    out = _read_journal(cluster, kube_inspect_image, script, tmp_path / "reader.json")
    then, now = out.split("===\n")
    assert pods, "the app made no pod"
    for pod in pods:
        name = pod.removeprefix("pod/")
        assert name not in then, out  # not yet made at `before`
        assert name in now, out  # recorded by the recorder in the cluster, read back


def _logs(cluster: TestCluster, *target: str) -> str:
    try:
        return cluster.kubectl("logs", *target)
    except subprocess.CalledProcessError:  # not started yet
        return ""


def _watching(cluster: TestCluster, *recorder: str) -> bool:
    """Return True once the recorder says it watches; fail at once when it says an error."""
    log = _logs(cluster, *recorder)
    assert "error:" not in log, log
    return "watching" in log


def _recorder_pods(cluster: TestCluster) -> list[str]:
    return cluster.kubectl(
        "get", "pods", "-n", "kube-inspect", "-l", "app.kubernetes.io/name=kube-inspect-recorder",
        "-o", "name",
    ).split()  # fmt: skip


def _read_journal(cluster: TestCluster, image: str, script: str, path: Path) -> str:
    """Run ``script`` in a pod mounting the journal's claim, as the recorder's user; return
    its log once it ends.
    """
    reader = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "journal-reader", "namespace": "kube-inspect"},
        "spec": {
            "restartPolicy": "Never",
            "securityContext": {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532},
            "containers": [
                {
                    "name": "reader",
                    "image": image,
                    "imagePullPolicy": "Never",
                    "command": ["sh", "-c", script],
                    "volumeMounts": [{"name": "journal", "mountPath": "/var/lib/kube-inspect"}],
                }
            ],
            "volumes": [
                {"name": "journal", "persistentVolumeClaim": {"claimName": "kube-inspect-journal"}}
            ],
        },
    }
    path.write_text(json.dumps(reader))
    cluster.kubectl("apply", "-f", str(path))

    def ended() -> bool:
        phase = cluster.kubectl(
            "get", "pod", "journal-reader", "-n", "kube-inspect", "-o", "jsonpath={.status.phase}"
        )
        return phase in ("Succeeded", "Failed")

    _wait_for("the journal's reader ended", ended, timeout=120)
    return cluster.kubectl("logs", "journal-reader", "-n", "kube-inspect")


def _default_storage_class(cluster: TestCluster) -> str:
    """Return the name of the StorageClass a claim naming none gets ("" when none is)."""
    marked = "storageclass.kubernetes.io/is-default-class"
    classes = json.loads(cluster.kubectl("get", "storageclasses", "-o", "json"))["items"]
    return next(
        (c["metadata"]["name"] for c in classes
         if c["metadata"].get("annotations", {}).get(marked) == "true"),
        "",
    )  # fmt: skip
