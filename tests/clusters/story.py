"""An incident, played on a real API server: the story `kube-inspect history` must tell.

A pod ``web`` on kwok-worker-1 crash-loops (kwok's stage in tests/fixtures/localcluster),
gets a Warning event, is OOM killed (its status patched as a kubelet writes it), its node
is cordoned and tainted, the pod is deleted and recreated under the same name on
kwok-worker-2, where it runs ready; the node is uncordoned. The integration tests play it
with the recorder running; ``python -m tests.clusters.story`` records the watch events it
causes (pods and events of its namespace, the node) into tests/fixtures/history/ for the
unit tests (``make record-history``), each stamped with the time it arrived.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.clusters.local import LocalCluster, build_binaries, kubectl_path
from tests.clusters.sample import SAMPLE

STORY = Path(__file__).resolve().parents[1] / "fixtures" / "history" / "story.json"
POD = "web"
FIRST_NODE, SECOND_NODE = "kwok-worker-1", "kwok-worker-2"
CRASH_LABEL = "kube-inspect.test/crash-loop"
TAINT = "incident=oom:NoSchedule"
Kubectl = Callable[..., str]
WATCH = ("-w", "--output-watch-events", "-o", "json")


def pod_manifest(namespace: str, node: str, crash: bool) -> dict[str, Any]:
    """Return the pod ``web`` pinned to ``node``, crash-looping when ``crash``."""
    labels = {"app": POD, **({CRASH_LABEL: "true"} if crash else {})}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": POD, "namespace": namespace, "labels": labels},
        "spec": {
            "nodeSelector": {"kubernetes.io/hostname": node},
            "containers": [
                {
                    "name": "app",
                    "image": "localhost/busybox:1.35",
                    "resources": {"limits": {"memory": "16Mi"}},
                }
            ],
        },
    }


def _apply(kubectl: Kubectl, document: dict[str, Any]) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(document, f)
        f.flush()
        kubectl("create", "-f", f.name)


def _pod(kubectl: Kubectl, namespace: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(kubectl("get", "pod", POD, "-n", namespace, "-o", "json"))
    return found


def _wait(what: str, ready: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"story: {what} did not happen in {timeout}s")
        time.sleep(0.5)


def _restarts(kubectl: Kubectl, namespace: str) -> int:
    statuses = _pod(kubectl, namespace).get("status", {}).get("containerStatuses") or [{}]
    return int(statuses[0].get("restartCount", 0))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def warning_event(namespace: str, pod: dict[str, Any]) -> dict[str, Any]:
    """Return a BackOff Warning event about ``pod``, as a kubelet writes it."""
    now = _now()
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{POD}.{uuid.uuid4().hex[:12]}", "namespace": namespace},
        "involvedObject": {
            "kind": "Pod",
            "namespace": namespace,
            "name": POD,
            "uid": pod["metadata"]["uid"],
            "apiVersion": "v1",
        },
        "reason": "BackOff",
        "message": "Back-off restarting failed container app in pod web",
        "type": "Warning",
        "count": 3,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "source": {"component": "kubelet", "host": FIRST_NODE},
    }


def oom_status(pod: dict[str, Any]) -> dict[str, Any]:
    """Return the pod's status after an OOM kill, as a kubelet writes it: running again."""
    now = _now()
    container = pod["status"]["containerStatuses"][0]
    conditions = [
        {"type": kind, "status": "True", "lastTransitionTime": now}
        for kind in ("Initialized", "Ready", "ContainersReady")
    ]
    scheduled = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"]
    return {
        "phase": "Running",
        "conditions": conditions + scheduled,
        "containerStatuses": [
            {
                "name": container["name"],
                "image": container["image"],
                "imageID": container.get("imageID", ""),
                "ready": True,
                "started": True,
                "restartCount": int(container.get("restartCount", 0)) + 1,
                "state": {"running": {"startedAt": now}},
                "lastState": {
                    "terminated": {
                        "exitCode": 137,
                        "reason": "OOMKilled",
                        "startedAt": now,
                        "finishedAt": now,
                    }
                },
            }
        ],
    }


def play_story(
    kubectl: Kubectl, namespace: str, say: Callable[[str], None] = print
) -> list[dict[str, Any]]:
    """Play the incident in ``namespace`` (the kwok nodes of the sample must exist).

    Returns the pod as kubectl got it after each step: crash-looping (restarted at least
    twice), OOM killed and running again, recreated and ready on the other node.
    """
    seen = []
    say("web crash-loops on kwok-worker-1")
    _apply(kubectl, pod_manifest(namespace, FIRST_NODE, crash=True))
    _wait("two restarts", lambda: _restarts(kubectl, namespace) >= 2)
    seen.append(_pod(kubectl, namespace))
    _apply(kubectl, warning_event(namespace, seen[-1]))
    say("web is OOM killed, then runs again")
    kubectl("label", "pod", POD, "-n", namespace, f"{CRASH_LABEL}-")
    time.sleep(1)  # a stage already under way ends first
    patch = json.dumps({"status": oom_status(_pod(kubectl, namespace))})
    kubectl(
        "patch", "pod", POD, "-n", namespace, "--subresource=status", "--type=merge", "-p", patch
    )
    seen.append(_pod(kubectl, namespace))
    say("kwok-worker-1 is cordoned and tainted, web deleted and recreated on kwok-worker-2")
    kubectl("cordon", FIRST_NODE)
    kubectl("taint", "node", FIRST_NODE, TAINT)
    kubectl("delete", "pod", POD, "-n", namespace, "--wait=true", "--timeout=60s", timeout=90)
    _apply(kubectl, pod_manifest(namespace, SECOND_NODE, crash=False))
    kubectl("wait", "pod", POD, "-n", namespace, "--for=condition=Ready", "--timeout=60s")
    seen.append(_pod(kubectl, namespace))
    say("kwok-worker-1 is uncordoned and untainted")
    kubectl("taint", "node", FIRST_NODE, f"{TAINT}-")
    kubectl("uncordon", FIRST_NODE)
    time.sleep(1)
    return seen


def restore_node(kubectl: Kubectl) -> None:
    """Undo the story's cordon and taint, if a failed story left them."""
    for args in (("taint", "node", FIRST_NODE, f"{TAINT}-"), ("uncordon", FIRST_NODE)):
        with contextlib.suppress(subprocess.CalledProcessError):  # not tainted (any more)
            kubectl(*args)


class WatchRecorder:
    """``kubectl get -w --output-watch-events -o json`` in the background, each event stamped."""

    def __init__(self, kubeconfig: Path, resource: str, *args: str) -> None:
        self.resource = resource
        self.events: list[dict[str, Any]] = []
        self.process = subprocess.Popen(
            [kubectl_path(), "--kubeconfig", str(kubeconfig), "get", resource, *args, *WATCH],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        decoder = json.JSONDecoder()
        text = ""
        for line in self.process.stdout:
            text += line
            if not line.rstrip().endswith("}"):
                continue
            try:  # whatever kubectl's layout: an event is whole once it decodes
                event, _ = decoder.raw_decode(text.strip())
            except json.JSONDecodeError:
                continue
            event["observed_at"] = datetime.now(UTC).isoformat(timespec="microseconds")
            event["resource"] = self.resource
            event["object"]["metadata"].pop("managedFields", None)  # as offline.kept keeps it
            self.events.append(event)
            text = ""

    def stop(self) -> list[dict[str, Any]]:
        """Stop kubectl (by its PID) and return the events it printed."""
        self.process.terminate()
        self.process.wait(10)
        self.thread.join(10)
        return self.events


def record_story(into: Path = STORY) -> None:
    """Start a local cluster, play the story with watches running, save what they saw."""
    cluster = LocalCluster(f"ki-story-{uuid.uuid4().hex[:8]}", build_binaries(), audit=False)
    try:
        kubeconfig = cluster.start()
        cluster.kubectl("apply", "-f", str(SAMPLE / "kwok"))
        namespace = "story"
        cluster.kubectl("create", "namespace", namespace)
        watches = [
            WatchRecorder(kubeconfig, "pods", "-n", namespace),
            WatchRecorder(kubeconfig, "events", "-n", namespace),
            WatchRecorder(kubeconfig, "nodes", "--field-selector", f"metadata.name={FIRST_NODE}"),
        ]
        time.sleep(2)
        play_story(cluster.kubectl, namespace)
        time.sleep(2)
        events = [e for w in watches for e in w.stop()]
    finally:
        cluster.stop()
    events.sort(key=lambda e: e["observed_at"])
    into.parent.mkdir(parents=True, exist_ok=True)
    into.write_text(json.dumps(events, indent=1, sort_keys=True) + "\n")
    print(f"{len(events)} watch events -> {into}")


if __name__ == "__main__":
    record_story(Path(sys.argv[1]) if len(sys.argv) > 1 else STORY)
