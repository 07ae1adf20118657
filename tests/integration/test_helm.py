"""The Helm chart (deploy/chart/) on kind: `helm install`, then `helm test` runs check.

helm is built from its Go module (tests/clusters/helm.py); the image is kube-inspect's
own (the Dockerfile), loaded into the kind nodes. The chart's test hook is a pod running
`kube-inspect check` as the release's ServiceAccount: `helm test` passes when every check
does and fails when one fails, and `helm test --logs` prints check's report.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.clusters.helm import CHART, helm_path
from tests.integration.conftest import TestCluster
from tests.integration.test_rbac import wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.kind_backend]

Helm = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def helm(cluster: TestCluster) -> Helm:
    """Return a function running helm against the cluster (exit status not checked)."""
    binary = str(helm_path())

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [binary, "--kubeconfig", str(cluster.kubeconfig), *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run


@pytest.fixture
def release(helm: Helm, scratch_namespace: str) -> Iterator[str]:
    """Yield a release name of the test's own in its namespace; uninstall it after."""
    name = f"ki-{uuid.uuid4().hex[:6]}"
    yield name
    helm("uninstall", name, "-n", scratch_namespace)


def install_and_test(
    helm: Helm, release: str, namespace: str, image: str, *values: str
) -> subprocess.CompletedProcess[str]:
    """Install the chart as ``release`` in ``namespace``; return `helm test --logs`'s result."""
    installed = helm(
        "install", release, str(CHART), "-n", namespace, "--set", f"image={image}",
        "--set", "imagePullPolicy=Never", *values,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    return helm("test", release, "-n", namespace, "--logs", "--timeout", "3m")


def test_helm_test_passes_on_a_healthy_namespace(
    cluster: TestCluster, helm: Helm, release: str, scratch_namespace: str, kube_inspect_image: str
) -> None:
    cluster.kubectl(
        "create", "deployment", "app", "--image=localhost/busybox:1.35", "-n", scratch_namespace,
        "--", "sleep", "3600",
    )  # fmt: skip
    wait_ready(cluster, scratch_namespace, "app")
    # check.namespace left empty: the release's own namespace is checked
    tested = install_and_test(helm, release, scratch_namespace, kube_inspect_image)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "Phase:          Succeeded" in tested.stdout
    # check's report, from the test pod's log: the app's rollout judged, every rule passed
    assert re.search(r"^ok +workload-ready +1/1 passed$", tested.stdout, re.MULTILINE)
    assert re.search(r"^all \d+ rules passed", tested.stdout, re.MULTILINE), tested.stdout


def test_helm_test_fails_on_a_broken_namespace(
    cluster: TestCluster, helm: Helm, release: str, scratch_namespace: str, kube_inspect_image: str
) -> None:
    tested = install_and_test(
        helm, release, scratch_namespace, kube_inspect_image, "--set", "check.namespace=batch"
    )  # the sample's crash loop and OOM
    assert tested.returncode != 0, tested.stdout
    assert "Phase:          Failed" in tested.stdout
    assert "container-state" in tested.stdout  # the failing rule, in check's report
    assert "forbidden" not in tested.stdout  # the release's ClusterRole grants every read
