"""DRA on kind: what the API server holds when no driver can prepare a device (issue 24).

kind's nodes run real kubelets but no DRA driver. The objects a driver would publish are
written by hand (a DeviceClass, a ResourceSlice on a real node); the real scheduler then
allocates a device to the claim and binds the pod, and the kubelet cannot prepare it
(no driver registered for gpu.example.com), so the pod stays Pending on its node. What
kube-inspect shows is compared with the claim's ``status.allocation`` and the pod's own
status, read with kubectl: the allocation is the API server's, the pod never runs.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster, delete_namespace, holds_within

pytestmark = [pytest.mark.integration, pytest.mark.kind_backend]

DRIVER = "gpu.example.com"


def _objects(node: str, namespace: str) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "resource.k8s.io/v1",
            "kind": "DeviceClass",
            "metadata": {"name": f"{namespace}.{DRIVER}"},
            "spec": {"selectors": [{"cel": {"expression": f'device.driver == "{DRIVER}"'}}]},
        },
        {
            "apiVersion": "resource.k8s.io/v1",
            "kind": "ResourceSlice",
            "metadata": {"name": f"{namespace}-{node}"},
            "spec": {
                "driver": DRIVER,
                "nodeName": node,
                "pool": {"name": f"{namespace}-{node}", "generation": 1, "resourceSliceCount": 1},
                "devices": [{"name": "gpu-0", "attributes": {"model": {"string": "A100"}}}],
            },
        },
    ]


def _claimed(namespace: str) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "resource.k8s.io/v1",
            "kind": "ResourceClaim",
            "metadata": {"name": "gpu", "namespace": namespace},
            "spec": {
                "devices": {
                    "requests": [
                        {"name": "gpu", "exactly": {"deviceClassName": f"{namespace}.{DRIVER}"}}
                    ]
                }
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "trainer", "namespace": namespace},
            "spec": {
                "terminationGracePeriodSeconds": 0,
                "resourceClaims": [{"name": "gpu", "resourceClaimName": "gpu"}],
                "containers": [
                    {
                        "name": "main",
                        "image": "localhost/busybox:1.35",
                        "command": ["sleep", "3600"],
                        "resources": {"claims": [{"name": "gpu"}]},
                    }
                ],
            },
        },
    ]


@pytest.fixture
def claimed(cluster: TestCluster, tmp_path: Any) -> Iterator[str]:
    namespace = f"ki-dra-{uuid.uuid4().hex[:8]}"
    # a node the pod may go to: the sample's cluster has a tainted node and a cordoned one
    node = next(
        n
        for n in json.loads(cluster.kubectl("get", "nodes", "-o", "json"))["items"]
        if not n["spec"].get("unschedulable") and not n["spec"].get("taints")
    )
    cluster_scoped = tmp_path / "devices.yaml"
    cluster_scoped.write_text(yaml.safe_dump_all(_objects(node["metadata"]["name"], namespace)))
    cluster.kubectl("create", "namespace", namespace)
    try:
        cluster.kubectl("apply", "-f", str(cluster_scoped))
        pods = tmp_path / "pods.yaml"
        pods.write_text(yaml.safe_dump_all(_claimed(namespace)))
        cluster.kubectl("apply", "-f", str(pods))
        yield namespace
    finally:
        delete_namespace(cluster, namespace)
        cluster.kubectl("delete", "-f", str(cluster_scoped), "--ignore-not-found")


def test_the_allocation_is_shown_though_no_driver_prepares_the_device(
    cluster: TestCluster, claimed: str
) -> None:
    def allocated() -> list[dict[str, Any]]:
        claim = json.loads(
            cluster.kubectl("get", "resourceclaim", "gpu", "-n", claimed, "-o", "json")
        )
        found: list[dict[str, Any]] = (
            claim.get("status", {}).get("allocation", {}).get("devices", {}).get("results", [])
        )
        return found

    def scheduled() -> None:
        assert allocated(), "the scheduler has not allocated yet"

    holds_within(scheduled)
    results = allocated()
    pod = json.loads(cluster.kubectl("get", "pod", "trainer", "-n", claimed, "-o", "json"))
    assert pod["status"]["phase"] == "Pending"  # bound, but no driver prepares the device
    shown = run("pods", "-n", claimed, "-o", "json", kubeconfig=cluster.kubeconfig)
    assert shown.returncode == 0, shown.stderr
    claim = json.loads(shown.stdout)["pods"][0]["claims"][0]
    assert claim["state"] == "allocated"
    assert [(d["driver"], d["pool"], d["device"]) for d in claim["devices"]] == [
        (r["driver"], r["pool"], r["device"]) for r in results
    ]
    node = pod["spec"]["nodeName"]
    nodes = json.loads(run("nodes", "-o", "json", kubeconfig=cluster.kubeconfig).stdout)["nodes"]
    pool = next(p for n in nodes if n["name"] == node for p in n["devices"] or ())
    assert (pool["allocated"], pool["total"]) == (1, 1)  # the API's figures, not a device's
