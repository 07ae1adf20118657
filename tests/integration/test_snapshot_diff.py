"""diff and check --baseline against a real API server: the test's own changes, exactly.

In a namespace of its own: a Deployment, a pod and a crashing pod settle; a snapshot is
taken; then a pod is deleted, the Deployment scaled up, and the crasher crashes more.
`diff` of the snapshot and the live cluster names those changes and no others.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kube_inspect.schema import load_diff_schema
from tests.integration.cli_runner import invoke
from tests.integration.conftest import TestCluster, holds_within

pytestmark = pytest.mark.integration

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: httpd
        image: localhost/httpd:1.35
---
apiVersion: v1
kind: Pod
metadata: {name: gone, labels: {app: gone}}
spec:
  containers:
  - name: main
    image: localhost/busybox:1.35
    command: ["sh", "-c", "sleep infinity"]
---
apiVersion: v1
kind: Pod
metadata: {name: crasher, labels: {app: crasher, kube-inspect.test/crash-loop: "true"}}
spec:
  containers:
  - name: worker
    image: localhost/busybox:1.35
    command: ["sh", "-c", "echo failing; exit 1"]
"""


def pods_of(cluster: TestCluster, namespace: str) -> dict[str, dict[str, Any]]:
    items = json.loads(cluster.kubectl("get", "pods", "-n", namespace, "-o", "json"))["items"]
    return {p["metadata"]["name"]: p for p in items}


def restarts(cluster: TestCluster, namespace: str) -> int:
    statuses = pods_of(cluster, namespace)["crasher"]["status"].get("containerStatuses", [])
    return int(statuses[0]["restartCount"]) if statuses else 0


def ready(pod: dict[str, Any]) -> bool:
    conditions = pod.get("status", {}).get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def steady(cluster: TestCluster, namespace: str, read: Callable[[], Any]) -> tuple[Any, int]:
    """Return ``read()`` and the crasher's restarts, from a moment they did not change."""
    while True:
        first = restarts(cluster, namespace)
        result = read()
        if restarts(cluster, namespace) == first:
            return result, first


def changes_named(document: dict[str, Any]) -> dict[str, Any]:
    """Return the pods the diff names: name -> presence, or container -> field -> change."""
    named: dict[str, Any] = {}
    for node in document["nodes"]:
        assert node["changes"] == [], node
        for pod in node["pods"]:
            if pod["presence"] != "changed":
                named[pod["name"]] = pod["presence"]
            else:
                assert pod["changes"] == [], pod
                named[pod["name"]] = {
                    c["name"]: {change["field"]: change for change in c["changes"]}
                    for c in pod["containers"]
                }
    return named


@pytest.fixture
def settled(cluster: TestCluster, scratch_namespace: str, tmp_path: Path) -> str:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(MANIFEST)
    cluster.kubectl("apply", "-n", scratch_namespace, "-f", str(manifest))

    def all_settled() -> None:
        pods = pods_of(cluster, scratch_namespace)
        assert len(pods) == 3 and all(ready(p) for n, p in pods.items() if n != "crasher")
        assert restarts(cluster, scratch_namespace) >= 1

    holds_within(all_settled, timeout=300)
    return scratch_namespace


def test_diff_names_exactly_the_changes_made(
    cluster: TestCluster, settled: str, tmp_path: Path
) -> None:
    namespace, kubeconfig = settled, cluster.kubeconfig
    before = tmp_path / "before.json.gz"
    taken, restarts_before = steady(
        cluster,
        namespace,
        lambda: invoke("snapshot", "-n", namespace, "-o", str(before), kubeconfig=kubeconfig),
    )
    assert taken.returncode == 0, taken.stderr
    same = invoke("diff", str(before), str(before), kubeconfig=kubeconfig)
    assert (same.returncode, same.stdout.endswith(": no changes\n")) == (0, True)
    (web_before,) = [n for n in pods_of(cluster, namespace) if n.startswith("web-")]

    cluster.kubectl("delete", "pod", "gone", "-n", namespace, "--grace-period=0", "--force")
    cluster.kubectl("scale", "deployment", "web", "-n", namespace, "--replicas=2")

    def changed() -> None:
        pods = pods_of(cluster, namespace)
        assert "gone" not in pods
        assert len([n for n in pods if n.startswith("web-")]) == 2
        assert restarts(cluster, namespace) > restarts_before

    holds_within(changed, timeout=300)
    (web_added,) = [
        n for n in pods_of(cluster, namespace) if n.startswith("web-") and n != web_before
    ]

    def diffed() -> Any:
        return invoke("diff", str(before), "-n", namespace, "-o", "json", kubeconfig=kubeconfig)

    result, restarts_after = steady(cluster, namespace, diffed)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_diff_schema())
    named = changes_named(document)
    assert named.keys() == {"gone", web_added, "crasher"}
    assert (named["gone"], named[web_added]) == ("removed", "added")
    worker = named["crasher"]["worker"]
    # a crash-looping container also flips between waiting and terminated: its state may change
    assert set(worker) <= {"restarts", "state"}
    assert worker["restarts"] == {
        "field": "restarts",
        "before": restarts_before,
        "after": restarts_after,
        "by": restarts_after - restarts_before,
    }

    after = tmp_path / "after.json"
    invoke("snapshot", "-n", namespace, "-o", str(after), kubeconfig=kubeconfig)
    text = invoke("diff", str(before), str(after), "-n", namespace, kubeconfig=kubeconfig)
    assert text.returncode == 1
    assert f"pod/{namespace}/gone" in text.stdout and "removed" in text.stdout
    assert f"pod/{namespace}/{web_added}" in text.stdout
    assert f"restarts {restarts_before} -> " in text.stdout


def test_check_baseline_passes_on_known_problems_and_fails_on_a_new_one(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path
) -> None:
    kubeconfig, baseline = cluster.kubeconfig, tmp_path / "baseline.json.gz"
    assert invoke("check", kubeconfig=kubeconfig).returncode == 1  # the sample's problems
    for _ in range(5):  # the sample's crasher may cross --max-restarts between two reads
        invoke("snapshot", "-o", str(baseline), kubeconfig=kubeconfig)
        known = invoke("check", "--baseline", str(baseline), kubeconfig=kubeconfig)
        if known.returncode == 0:
            break
    assert known.returncode == 0, known.stdout
    assert "FAIL" not in known.stdout

    manifest = tmp_path / "bad-image.yaml"
    manifest.write_text(BAD_IMAGE)
    cluster.kubectl("apply", "-n", scratch_namespace, "-f", str(manifest))
    holds_within(lambda: _cannot_pull(cluster, scratch_namespace), timeout=300)
    new = invoke(
        "check", "--baseline", str(baseline), "-n", scratch_namespace, kubeconfig=kubeconfig
    )
    assert new.returncode == 1, new.stdout
    failing = [line for line in new.stdout.splitlines() if line.startswith("FAIL")]
    assert failing
    assert all(f"container/{scratch_namespace}/bad-image/app" in line for line in failing)


# An image that cannot be pulled stays failing (a crash loop passes for a moment while
# a real kubelet restarts it); on kwok a stage plays it, selected by the label.
BAD_IMAGE = """\
apiVersion: v1
kind: Pod
metadata:
  name: bad-image
  labels: {app: bad-image, kube-inspect.test/waiting: "true"}
  annotations: {kube-inspect.test/waiting-reason: ImagePullBackOff}
spec:
  containers:
  - name: app
    image: 127.0.0.1:5999/kube-inspect/no-such-image:1.0
"""


def _cannot_pull(cluster: TestCluster, namespace: str) -> None:
    statuses = pods_of(cluster, namespace)["bad-image"]["status"].get("containerStatuses", [])
    assert statuses and "waiting" in statuses[0]["state"]
    assert statuses[0]["state"]["waiting"].get("reason") in ("ImagePullBackOff", "ErrImagePull")
