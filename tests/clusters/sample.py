"""The sample cluster: apply tests/fixtures/sample-cluster and wait until it has settled."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample-cluster"
Kubectl = Callable[..., str]


def apply_sample(kubectl: Kubectl, *, simulated_nodes: bool) -> None:
    """Apply the sample manifests; with ``simulated_nodes``, the kwok nodes first."""
    if simulated_nodes:
        kubectl("apply", "-f", str(SAMPLE / "kwok"))
    kubectl("apply", "-f", str(SAMPLE))


def _pods(kubectl: Kubectl) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(kubectl("get", "pods", "-A", "-o", "json"))["items"]
    return items


def unsettled(pods: list[dict[str, Any]]) -> list[str]:
    """Return what is not yet as the sample means it to be, one phrase per pod."""
    problems = []
    for pod in pods:
        meta, status = pod["metadata"], pod.get("status", {})
        name = f"{meta['namespace']}/{meta['name']}"
        labels = meta.get("labels", {})
        if labels.get("kube-inspect.test/expect") == "pending":
            continue
        if labels.get("kube-inspect.test/crash-loop") == "true":
            waiting = [
                s
                for s in status.get("containerStatuses", [])
                if s.get("state", {}).get("waiting", {}).get("reason") == "CrashLoopBackOff"
                and s.get("restartCount", 0) >= 1
            ]
            if not waiting:
                problems.append(f"{name} not yet in CrashLoopBackOff")
            continue
        if status.get("phase") not in ("Running", "Succeeded"):
            problems.append(f"{name} is {status.get('phase')}")
    return problems


WORKLOADS = (
    ("shop", "deployment/web"),
    ("shop", "statefulset/db"),
    ("monitoring", "daemonset/node-exporter"),
)


def wait_settled(kubectl: Kubectl, timeout: float = 240) -> None:
    """Wait until the workloads rolled out, the job completed and every pod settled."""
    deadline = time.monotonic() + timeout
    for namespace, workload in WORKLOADS:
        left = max(1, int(deadline - time.monotonic()))
        kubectl(
            "rollout", "status", "-n", namespace, workload, f"--timeout={left}s", timeout=left + 10
        )
    left = max(1, int(deadline - time.monotonic()))
    kubectl(
        "wait",
        "-n",
        "batch",
        "--for=condition=complete",
        "job/migrate",
        f"--timeout={left}s",
        timeout=left + 10,
    )
    problems = ["no pods yet"]
    while time.monotonic() < deadline:
        problems = unsettled(_pods(kubectl))
        if not problems:
            return
        time.sleep(1)
    raise RuntimeError("sample cluster did not settle: " + "; ".join(problems))
