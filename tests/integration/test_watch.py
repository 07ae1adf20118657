"""`tree --watch` against a real API server: a pod created and deleted in a namespace of
the test's own shows up as marked rows, and Ctrl-C ends the watch cleanly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.clusters.faultproxy import FaultProxy
from tests.integration.cli_runner import KUBE_INSPECT
from tests.integration.conftest import TestCluster
from tests.integration.process_lines import WAIT, ProcessLines

pytestmark = pytest.mark.integration


class Watching(ProcessLines):
    """A running `kube-inspect tree --watch`, its stdout read line by line."""


@pytest.fixture
def namespace(scratch_namespace: str) -> str:
    return scratch_namespace


def start_watching(kubeconfig: Path, namespace: str) -> Watching:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["KUBECONFIG"] = str(kubeconfig)
    process = subprocess.Popen(
        [str(KUBE_INSPECT), "tree", "--watch", "-n", namespace, "--request-timeout", "5s"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    found = Watching(process, name="the watch")
    found.follow()
    return found


def stop(watching: Watching) -> None:
    if watching.process.poll() is None:
        watching.process.kill()
        watching.process.wait(timeout=30)


@pytest.fixture
def watching(cluster: TestCluster, namespace: str) -> Iterator[Watching]:
    found = start_watching(cluster.kubeconfig, namespace)
    try:
        yield found
    finally:
        stop(found)


def pod_manifest(namespace: str, name: str) -> str:
    return f"""
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  containers:
  - {{name: app, image: "localhost/busybox:1.35", command: ["sh", "-c", "sleep infinity"]}}
"""


def apply(cluster: TestCluster, manifest: str, tmp_path: Path) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.yaml"
    path.write_text(manifest)
    cluster.kubectl("apply", "-f", str(path))


def test_watch_marks_a_new_pod_then_its_deletion_and_stops_on_ctrl_c(
    cluster: TestCluster, namespace: str, watching: Watching, tmp_path: Path
) -> None:
    first = watching.wait_for(lambda line: line.startswith("watching"), "first frame")
    assert first.endswith(": no change")
    apply(cluster, pod_manifest(namespace, "hello"), tmp_path)
    added = watching.wait_for(lambda line: f"pod/{namespace}/hello" in line, "the new pod")
    assert added.startswith("+ ")
    running = watching.wait_for(
        lambda line: "container/app" in line and "running" in line, "the container running"
    )
    assert running.startswith(("+ ", "~ "))
    node = cluster.kubectl(
        "get", "pod", "-n", namespace, "hello", "-o", "jsonpath={.spec.nodeName}"
    )
    assert any(f"node/{node}" in line for line in watching.seen)  # drawn under its node
    cluster.kubectl("delete", "pod", "-n", namespace, "hello", "--wait=false")
    deleted = watching.wait_for(lambda line: line.startswith("- pod/"), "the deletion")
    assert deleted == f"- pod/{namespace}/hello (deleted)"
    watching.process.send_signal(signal.SIGINT)
    assert watching.process.wait(timeout=30) == 0
    assert watching.process.stderr is not None
    stderr = watching.process.stderr.read()
    assert stderr == "stopped watching\n", stderr


@pytest.mark.local_backend
def test_watch_uses_the_watch_api_and_only_reads(
    cluster: TestCluster, namespace: str, watching: Watching
) -> None:
    watching.wait_for(lambda line: line.startswith("watching"), "first frame")
    assert cluster.audit_log is not None
    deadline = time.monotonic() + WAIT
    watches: set[str] = set()
    ours: list[dict[str, Any]] = []
    while time.monotonic() < deadline and watches != {"nodes", "pods"}:
        events = [json.loads(line) for line in cluster.audit_log.read_text().splitlines() if line]
        ours = [e for e in events if e.get("userAgent", "").startswith("kube-inspect")]
        watches = {
            e["objectRef"]["resource"]
            for e in ours
            if e["verb"] == "watch"
            and e["objectRef"].get("namespace") in (None, namespace)
            and e["requestURI"].startswith(("/api/v1/nodes?", f"/api/v1/namespaces/{namespace}/"))
        }
        time.sleep(0.5)
    assert watches == {"nodes", "pods"}
    assert {e["verb"] for e in ours} <= {"get", "list", "watch"}
    watching.process.send_signal(signal.SIGINT)
    assert watching.process.wait(timeout=30) == 0


def test_watch_ends_with_one_line_and_exit_3_when_the_server_goes_away(
    cluster: TestCluster, namespace: str, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    kubeconfig = fault_proxy.kubeconfig_through(cluster.kubeconfig, tmp_path / "proxied")
    watching = start_watching(kubeconfig, namespace)
    try:
        watching.wait_for(lambda line: line.startswith("watching"), "first frame")
        fault_proxy.stop()  # the streams break and the server no longer answers
        assert watching.process.wait(timeout=WAIT) == 3
        assert watching.process.stderr is not None
        stderr = watching.process.stderr.read()
        assert stderr.startswith("error: ") and "Traceback" not in stderr, stderr
        assert len(stderr.splitlines()) == 1, stderr
    finally:
        stop(watching)
