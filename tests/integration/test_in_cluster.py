"""kube-inspect inside the cluster: its image, as `check` in a Job, on real kubelets (kind).

The image (Dockerfile, built locally: tests/clusters/image.py) is loaded into the kind
nodes; deploy/rbac.yaml gives its ServiceAccount the read rights and deploy/check-job.yaml
runs `check` with no kubeconfig: kube-inspect reads as the pod's service account
(in-cluster configuration). The Job's outcome is check's verdict and its log the report.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import TestCluster
from tests.integration.test_rbac import wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.kind_backend]

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.fixture(scope="module")
def image(cluster: TestCluster, kube_inspect_image: str) -> str:
    """Return the tag of kube-inspect's image, in the kind nodes, with rbac.yaml applied."""
    cluster.kubectl("apply", "-f", str(DEPLOY / "rbac.yaml"))
    return kube_inspect_image


def run_check_job(cluster: TestCluster, image: str, namespace: str) -> tuple[str, str]:
    """Run deploy/check-job.yaml against ``namespace``; return the Job's outcome and log."""
    job: dict[str, Any] = yaml.safe_load((DEPLOY / "check-job.yaml").read_text())
    name = f"check-{uuid.uuid4().hex[:6]}"
    job["metadata"]["name"] = name
    container = job["spec"]["template"]["spec"]["containers"][0]
    container["image"] = image
    container["env"] = [{"name": "CHECK_NAMESPACE", "value": namespace}]
    path = Path(f"/tmp/{name}.yaml")
    path.write_text(yaml.safe_dump(job))
    cluster.kubectl("apply", "-f", str(path))
    deadline = time.monotonic() + 180
    outcome = ""
    while not outcome and time.monotonic() < deadline:
        status = json.loads(
            cluster.kubectl("get", "job", name, "-n", "kube-inspect", "-o", "json")
        ).get("status", {})
        done = [c["type"] for c in status.get("conditions", []) if c["status"] == "True"]
        outcome = next((c for c in done if c in ("Complete", "Failed")), "")
        time.sleep(1)
    log = cluster.kubectl("logs", f"job/{name}", "-n", "kube-inspect")
    # its pod goes with it, before the next test lists the cluster's pods
    cluster.kubectl(
        "delete", "job", name, "-n", "kube-inspect", "--cascade=foreground", "--timeout=120s",
        timeout=150,
    )  # fmt: skip
    path.unlink()
    return outcome, log


def test_check_job_succeeds_on_a_healthy_namespace(
    cluster: TestCluster, image: str, scratch_namespace: str
) -> None:
    cluster.kubectl(
        "create", "deployment", "app", "--image=localhost/busybox:1.35", "-n", scratch_namespace,
        "--", "sleep", "3600",
    )  # fmt: skip
    wait_ready(cluster, scratch_namespace, "app")
    outcome, log = run_check_job(cluster, image, scratch_namespace)
    assert outcome == "Complete", log
    assert "passed" in log


def test_check_job_fails_on_a_broken_namespace(cluster: TestCluster, image: str) -> None:
    outcome, log = run_check_job(cluster, image, "batch")  # the sample's crash loop and OOM
    assert outcome == "Failed", log
    assert "container-state" in log
    assert "forbidden" not in log  # read with the service account's rights, all granted
