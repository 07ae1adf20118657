"""`check` judges rollouts as `kubectl rollout status` does, on a real control plane.

The local backend runs the real scheduler and controllers (kwok plays the kubelets), so
a Deployment updated to a template no node can take is stuck the way it is on any
cluster: the new pod Pending, the old ones kept (maxUnavailable 0).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: NAMESPACE}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: localhost/busybox:1.35, command: [sleep, "3600"]}]
"""
NOWHERE = {"spec": {"template": {"spec": {"nodeSelector": {"disktype": "none-has-it"}}}}}
NODELESS = ("--skip-rule", "node-ready", "--skip-rule", "node-pressure")


def rollout_status(cluster: TestCluster, namespace: str, timeout: str) -> tuple[int, str]:
    """Return kubectl rollout status's exit code and what it said."""
    result = subprocess.run(
        [cluster.kubectl_bin, "--kubeconfig", str(cluster.kubeconfig), "rollout", "status",
         "deployment/web", "-n", namespace, f"--timeout={timeout}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


def test_stuck_rollout_fails_check_wait_as_kubectl_rollout_status_waits(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path
) -> None:
    namespace = scratch_namespace
    manifest = tmp_path / "web.yaml"
    manifest.write_text(DEPLOYMENT.replace("NAMESPACE", namespace))
    cluster.kubectl("apply", "-f", str(manifest))
    code, said = rollout_status(cluster, namespace, "120s")
    assert code == 0, said  # the first rollout completes
    healthy = run(
        "check", "-n", namespace, *NODELESS, "--wait", "--timeout", "20s",
        kubeconfig=cluster.kubeconfig,
    )  # fmt: skip
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert f"deployment/{namespace}/web" not in healthy.stdout.split("FAIL")[-1]

    cluster.kubectl("patch", "deployment", "web", "-n", namespace, "-p", json.dumps(NOWHERE))
    stuck = run(
        "check", "-n", namespace, *NODELESS, "--wait", "--timeout", "20s",
        kubeconfig=cluster.kubeconfig,
    )  # fmt: skip
    code, said = rollout_status(cluster, namespace, "5s")
    assert code != 0 and "1 out of 2 new replicas have been updated" in said, said
    assert stuck.returncode == 1, stuck.stdout + stuck.stderr
    line = next(x for x in stuck.stdout.splitlines() if f"deployment/{namespace}/web" in x)
    assert line.startswith("FAIL  workload-ready")
    # the old replicas are still ready: only the rollout says what is wrong, and why
    assert "2/2 replicas ready; rollout not complete: 1 of 2 new replicas updated" in line
    assert "Pending: Unschedulable" in line
    assert f"deployment/{namespace}/web (workload-ready)" in stuck.stderr  # what --wait waited on

    without_wait = run("check", "-n", namespace, *NODELESS, kubeconfig=cluster.kubeconfig)
    assert without_wait.returncode == 1, without_wait.stdout


def test_wait_ends_when_the_rollout_passes_its_progress_deadline(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path
) -> None:
    namespace = scratch_namespace
    manifest = tmp_path / "web.yaml"
    manifest.write_text(
        DEPLOYMENT.replace("NAMESPACE", namespace).replace(
            "  replicas: 2\n", "  replicas: 2\n  progressDeadlineSeconds: 5\n"
        )
    )
    cluster.kubectl("apply", "-f", str(manifest))
    assert rollout_status(cluster, namespace, "120s")[0] == 0
    cluster.kubectl("patch", "deployment", "web", "-n", namespace, "-p", json.dumps(NOWHERE))
    code, said = rollout_status(cluster, namespace, "120s")
    assert code != 0 and "exceeded its progress deadline" in said, said  # kubectl gave up
    started = time.monotonic()
    result = run(
        "check", "-n", namespace, *NODELESS, "--wait", "--timeout", "5m",
        kubeconfig=cluster.kubeconfig,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert time.monotonic() - started < 60  # not the 5 minutes of --timeout
    assert "rollout failed: " in result.stdout
    assert f"not waiting: the rollout of deployment/{namespace}/web failed" in result.stderr
