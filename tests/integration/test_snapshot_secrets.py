"""A snapshot of a real cluster holds none of the secrets its objects carry.

Every kind a snapshot stores gets secret-like values where real ones hold them, written
as users write them (``kubectl apply``, so the last-applied-configuration repeats each
value): env values and ``valueFrom`` in pod templates and pods, annotations, a node's
annotation. The snapshot holds none of them, and still draws what the live views draw.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cli_runner import invoke
from tests.integration.conftest import TestCluster
from tests.integration.test_snapshot import TRIES, masked

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]

NOWHERE = {"kube-inspect.test/nowhere": "true"}  # a DaemonSet that runs no pod


def _pod_spec(secret: str) -> dict[str, object]:
    return {
        "nodeSelector": NOWHERE,
        "containers": [
            {
                "name": "app",
                "image": "registry.example/app:1",
                "args": [f"--token={secret}-args"],
                "env": [
                    {"name": "DB_PASSWORD", "value": f"{secret}-env"},
                    {
                        "name": "API_TOKEN",
                        "valueFrom": {"secretKeyRef": {"name": f"{secret}-ref", "key": "t"}},
                    },
                ],
            }
        ],
    }


def _manifests(namespace: str, secret: str) -> list[dict[str, object]]:
    """Return one object of each namespaced kind a snapshot stores, each holding ``secret``."""
    annotations = {"example.com/webhook": f"https://hooks.example/{secret}-annotation"}

    def meta(name: str) -> dict[str, object]:
        return {
            "name": name,
            "namespace": namespace,
            "annotations": annotations,
            "labels": {"app": name},
        }

    def workload(name: str, spec: dict[str, object]) -> dict[str, object]:
        # labels of its own: a controller adopts the pods its selector matches
        labels = {"app": name}
        template = {"metadata": {"labels": labels, "annotations": annotations}, "spec": spec}
        return {"selector": {"matchLabels": labels}, "template": template}

    job = workload("planted-job", {**_pod_spec(secret), "restartPolicy": "Never"})
    return [
        {"apiVersion": "v1", "kind": "Pod", "metadata": meta("planted"),
         "spec": {**_pod_spec(secret), "nodeSelector": {}}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("planted-deploy"),
         "spec": {**workload("planted-deploy", _pod_spec(secret)), "replicas": 1}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("planted-sts"),
         "spec": {**workload("planted-sts", _pod_spec(secret)), "replicas": 0,
                  "serviceName": "planted"}},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta("planted-ds"),
         "spec": workload("planted-ds", _pod_spec(secret))},
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("planted-job"),
         "spec": {"template": job["template"], "suspend": True}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta("planted"),
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
        {"apiVersion": "v1", "kind": "Event", "metadata": meta("planted.1"),
         "type": "Warning", "reason": "Planted", "message": "a planted warning",
         "involvedObject": {"kind": "Pod", "namespace": namespace, "name": "planted"}},
    ]  # fmt: skip


@pytest.fixture
def planted_node(cluster: TestCluster) -> Iterator[tuple[str, str]]:
    """Yield (node, value): a node annotated with a secret-like value, removed afterwards."""
    node = json.loads(cluster.kubectl("get", "nodes", "-o", "json"))["items"][0]["metadata"]["name"]
    value = f"node-{uuid.uuid4().hex}"
    cluster.kubectl("annotate", "node", node, f"example.com/bmc-password={value}")
    try:
        yield node, value
    finally:
        cluster.kubectl("annotate", "node", node, "example.com/bmc-password-")


def test_a_snapshot_holds_none_of_the_planted_secrets(
    cluster: TestCluster, scratch_namespace: str, planted_node: tuple[str, str], tmp_path: Path
) -> None:
    secret = f"hunter-{uuid.uuid4().hex[:12]}"
    manifest = tmp_path / "planted.json"
    manifest.write_text(
        json.dumps(
            {"apiVersion": "v1", "kind": "List", "items": _manifests(scratch_namespace, secret)}
        )
    )
    cluster.kubectl("apply", "-f", str(manifest))
    cluster.kubectl(
        "wait",
        "-n",
        scratch_namespace,
        "--for=condition=Ready",
        "pod/planted",  # the Deployment's pod stays Pending: its nodeSelector matches none
        "--timeout=60s",
    )
    # what the API server holds: the secrets, the last-applied copy and managedFields
    held = cluster.kubectl("get", "all,pvc,events", "-n", scratch_namespace, "-o", "json")
    assert f"{secret}-env" in held and "last-applied-configuration" in held
    node, node_secret = planted_node
    assert node_secret in cluster.kubectl("get", "node", node, "-o", "json")

    path = tmp_path / "snapshot.json"
    taken = invoke("snapshot", "-o", str(path), kubeconfig=cluster.kubeconfig)
    assert taken.returncode in (0, 4), taken.stderr
    text = path.read_text()
    document = json.loads(text)
    kinds = {
        resource
        for resource, answer in document["resources"].items()
        for item in answer.get("items", ())
        if item["metadata"].get("namespace") == scratch_namespace
    }
    assert kinds >= {"pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs",
                     "persistentvolumeclaims", "events"}  # fmt: skip
    assert secret not in text
    assert node_secret not in text
    assert "last-applied-configuration" not in text
    assert "managedFields" not in text


def test_a_kept_snapshot_draws_the_live_tree(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path
) -> None:
    secret = f"hunter-{uuid.uuid4().hex[:12]}"
    manifest = tmp_path / "planted.json"
    manifest.write_text(
        json.dumps(
            {"apiVersion": "v1", "kind": "List", "items": _manifests(scratch_namespace, secret)}
        )
    )
    cluster.kubectl("apply", "-f", str(manifest))
    args = ["tree", "-n", scratch_namespace, "-o", "wide", "--events"]
    for _ in range(TRIES):
        path = tmp_path / "snapshot.json"
        invoke("snapshot", "-n", scratch_namespace, "-o", str(path), kubeconfig=cluster.kubeconfig)
        live = invoke(*args, kubeconfig=cluster.kubeconfig)
        offline = invoke(*args, "--from", str(path), kubeconfig=cluster.kubeconfig)
        if masked(offline.stdout) == masked(live.stdout):
            break
    assert masked(offline.stdout) == masked(live.stdout)
    assert "pod/" + scratch_namespace + "/planted" in offline.stdout
    assert secret not in path.read_text()
