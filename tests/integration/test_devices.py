"""GPUs handed out by Dynamic Resource Allocation, on the real kube-scheduler (issue 24).

tests/fixtures/dra/: two nodes with a ResourceSlice of two GPUs each (A100s on one, H100s on
the other), DeviceClasses, and pods in a namespace of the test's own: three through a claim
template for one H100 (two exist: one pod waits), two sharing one claim, one whose class
matches no device, one whose class does not exist, one whose template does not exist.
The local backend's scheduler allocates (DRA is GA and on by default in 1.34+); kwok
plays the kubelets, so no driver prepares a device, and none needs to. Every figure is
compared with what the API server holds: the claims' ``status.allocation``, the slices'
devices, the pods' ``resourceClaimStatuses``, read back with kubectl.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster, holds_within
from tests.integration.restricted_users import reader_of

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]  # kind: test_devices_on_kind

DRA = Path(__file__).resolve().parents[1] / "fixtures" / "dra"
NODES = ("gpu-a", "gpu-b")


def _json(cluster: TestCluster, *args: str) -> Any:
    return json.loads(cluster.kubectl(*args, "-o", "json"))


def _settled(cluster: TestCluster, namespace: str) -> None:
    pods = _json(cluster, "get", "pods", "-n", namespace)["items"]
    running = {p["metadata"]["name"] for p in pods if p["status"].get("phase") == "Running"}
    assert len(running) == 4, running  # two H100 pods, the two sharing one A100
    assert {"shared-1", "shared-2"} <= running
    unschedulable = {
        p["metadata"]["name"]
        for p in pods
        for c in p["status"].get("conditions", [])
        if c.get("type") == "PodScheduled" and c.get("reason") == "Unschedulable"
    }
    assert unschedulable >= {"tpu", "classless"}
    events = _json(cluster, "get", "events", "-n", namespace)["items"]
    assert any(e["reason"] == "FailedResourceClaimCreation" for e in events)


@pytest.fixture(scope="module")
def dra(cluster: TestCluster) -> Iterator[str]:
    """Yield the namespace of the DRA pods, once the scheduler has placed what it can."""
    namespace = f"ki-dra-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", namespace)
    try:
        cluster.kubectl("apply", "-f", str(DRA / "nodes.yaml"))
        cluster.kubectl("apply", "-f", str(DRA / "devices.yaml"))
        cluster.kubectl("apply", "-n", namespace, "-f", str(DRA / "pods.yaml"))
        holds_within(lambda: _settled(cluster, namespace))
        yield namespace
    finally:
        # the pods go before their nodes: a pod left on a deleted kwok node stays
        # Terminating, and every later test of the shared cluster would see it
        cluster.kubectl("delete", "namespace", namespace, "--timeout=120s")
        cluster.kubectl("delete", "-f", str(DRA / "devices.yaml"), "--ignore-not-found")
        cluster.kubectl("delete", "-f", str(DRA / "nodes.yaml"), "--ignore-not-found")


def _allocations(cluster: TestCluster, namespace: str) -> dict[str, list[dict[str, str]]]:
    """Return each ResourceClaim's allocated devices, as the API server holds them."""
    claims = _json(cluster, "get", "resourceclaims", "-n", namespace)["items"]
    return {
        c["metadata"]["name"]: c.get("status", {})
        .get("allocation", {})
        .get("devices", {})
        .get("results", [])
        for c in claims
    }


def _slices(cluster: TestCluster) -> list[dict[str, Any]]:
    return [
        s["spec"]
        for s in _json(cluster, "get", "resourceslices")["items"]
        if s["spec"].get("nodeName") in NODES
    ]


def test_each_node_shows_its_devices_allocated_and_free_as_the_api_holds_them(
    cluster: TestCluster, dra: str
) -> None:
    shown = run("nodes", "-o", "json", kubeconfig=cluster.kubeconfig)
    assert shown.returncode == 0, shown.stderr
    nodes = {n["name"]: n for n in json.loads(shown.stdout)["nodes"]}
    taken = Counter(
        (r["driver"], r["pool"]) for results in _allocations(cluster, dra).values() for r in results
    )
    for spec in _slices(cluster):
        pools = nodes[spec["nodeName"]]["devices"]
        pool = next(p for p in pools if p["pool"] == spec["pool"]["name"])
        assert pool["driver"] == spec["driver"]
        assert pool["total"] == len(spec["devices"])
        assert pool["allocated"] == taken[(spec["driver"], spec["pool"]["name"])]
        assert pool["free"] == pool["total"] - pool["allocated"]
        models = {d["attributes"]["model"]["string"] for d in spec["devices"]}
        assert {d["attributes"]["model"] for d in pool["devices"]} == models
    tree = run(
        "tree",
        "--node",
        "gpu-a",
        "--node",
        "gpu-b",
        "-o",
        "wide",
        "--depth",
        "pod",
        kubeconfig=cluster.kubeconfig,
    )
    for spec in _slices(cluster):
        row = next(line for line in tree.stdout.splitlines() if f"node/{spec['nodeName']} " in line)
        allocated = taken[(spec["driver"], spec["pool"]["name"])]
        assert f"devices:{spec['driver']}={allocated}/{len(spec['devices'])}" in row
        model = spec["devices"][0]["attributes"]["model"]["string"]
        assert f"pool:{spec['driver']}/{spec['pool']['name']}[" in row and f"model={model}" in row
    wide = run("nodes", "-o", "wide", kubeconfig=cluster.kubeconfig)
    for spec in _slices(cluster):
        row = next(line for line in wide.stdout.splitlines() if line.startswith(spec["nodeName"]))
        allocated = taken[(spec["driver"], spec["pool"]["name"])]
        assert f"{spec['driver']}={allocated}/{len(spec['devices'])}" in row
        assert f"{spec['driver']}={len(spec['devices']) - allocated}" in row


@pytest.mark.parametrize("wire", ["json", "protobuf"])
def test_each_pods_claims_hold_the_devices_the_scheduler_allocated(
    cluster: TestCluster, dra: str, wire: str
) -> None:
    shown = run("pods", "-n", dra, "-o", "json", "--wire", wire, kubeconfig=cluster.kubeconfig)
    assert shown.returncode == 0, shown.stderr
    pods = {p["name"]: p for p in json.loads(shown.stdout)["pods"]}
    allocations = _allocations(cluster, dra)
    for api_pod in _json(cluster, "get", "pods", "-n", dra)["items"]:
        made = {
            s["name"]: s.get("resourceClaimName")
            for s in api_pod["status"].get("resourceClaimStatuses", [])
        }
        for entry, claim in zip(
            api_pod["spec"]["resourceClaims"],
            pods[api_pod["metadata"]["name"]]["claims"],
            strict=True,
        ):
            name = entry.get("resourceClaimName") or made.get(entry["name"])
            assert (claim["name"], claim["claim"]) == (entry["name"], name)
            results = allocations.get(name or "", [])
            assert [(d["driver"], d["pool"], d["device"]) for d in claim["devices"]] == [
                (r["driver"], r["pool"], r["device"]) for r in results
            ]
            users = [
                c["name"]
                for c in api_pod["spec"]["containers"]
                if entry["name"] in [u["name"] for u in c.get("resources", {}).get("claims", [])]
            ]
            assert claim["containers"] == users


def _pending(cluster: TestCluster, namespace: str) -> dict[str, list[str]]:
    shown = run("tree", "-n", namespace, "--problems", "-o", "json", kubeconfig=cluster.kubeconfig)
    assert shown.returncode == 0, shown.stderr
    return {
        p["name"]: [c["cause"] for c in p["pending"]["causes"]]
        for p in json.loads(shown.stdout)["cluster"]["unscheduled"]
        if p["pending"]
    }


def test_a_claim_that_cannot_be_allocated_names_its_class_and_counts_devices(
    cluster: TestCluster, dra: str
) -> None:
    causes = _pending(cluster, dra)
    waiting = [name for name in causes if name.startswith("h100-")]
    assert len(waiting) == 1
    taken = {
        (r["driver"], r["pool"], r["device"])
        for results in _allocations(cluster, dra).values()
        for r in results
    }
    h100 = [
        (s["driver"], s["pool"]["name"], d["name"])
        for s in _slices(cluster)
        for d in s["devices"]
        if d["attributes"]["model"]["string"] == "H100"
    ]
    free = sum(1 for d in h100 if d not in taken)
    named = causes[waiting[0]]
    assert "cannot allocate all claims" in named
    text = next(c for c in named if c.startswith("claim gpu ("))
    assert "of class gpu-h100.example.com" in text
    assert text.endswith(f": {len(h100)} devices match, {free} free")


def test_a_class_that_matches_nothing_and_missing_objects_are_named(
    cluster: TestCluster, dra: str
) -> None:
    causes = _pending(cluster, dra)
    assert causes["tpu"][-1].endswith('"tpu.example.com"]: 0 devices match, 0 free')
    assert causes["classless"] == [
        "claim gpu (no-class): missing DeviceClass no-such-class.example.com"
    ]
    # the controller's FailedResourceClaimCreation event names the missing template
    assert causes["orphan"] == ["missing ResourceClaimTemplate no-such-template"]


def test_check_fails_a_pod_waiting_for_devices(cluster: TestCluster, dra: str) -> None:
    checked = run(
        "check",
        "-n",
        dra,
        "--rule",
        "pod-pending",
        "--max-pending",
        "1s",
        "-o",
        "json",
        kubeconfig=cluster.kubeconfig,
    )
    assert checked.returncode == 1, checked.stderr
    document = json.loads(checked.stdout)
    failed = json.dumps(document)
    for name in ("tpu", "classless", "orphan"):
        assert name in failed


def test_the_default_tree_reads_devices_only_for_a_pending_pod_with_claims(
    cluster: TestCluster, dra: str
) -> None:
    shown = run("tree", "-n", dra, kubeconfig=cluster.kubeconfig)
    assert shown.returncode == 0, shown.stderr
    assert "devices match" in shown.stdout  # read: pods wait with claims
    assert "devices:" not in shown.stdout  # but no pool is drawn in the plain tree


def test_a_user_who_may_not_list_slices_gets_a_partial_result(
    cluster: TestCluster, dra: str, tmp_path: Path
) -> None:
    user = f"no-slices-{uuid.uuid4().hex[:6]}"
    resources = (
        "nodes,pods,events,persistentvolumeclaims,replicasets.apps,jobs.batch,"
        "deviceclasses.resource.k8s.io,resourceclaims.resource.k8s.io"
    )
    with reader_of(cluster, user, resources, tmp_path / "user.yaml") as kubeconfig:
        shown = run("nodes", "-o", "wide", kubeconfig=kubeconfig)
        assert shown.returncode == 4, shown.stderr
        assert (
            f'warning: user "{user}" may not list resourceslices: devices not shown' in shown.stderr
        )
        document = run("tree", "-n", dra, "-o", "json", kubeconfig=kubeconfig)
        assert document.returncode == 4, document.stderr
        body = json.loads(document.stdout)["cluster"]
        assert "resourceslices" in body["unread"]
        assert all(n["devices"] is None for n in body["nodes"])
        pods = [p for n in body["nodes"] for p in n["pods"]]
        assert any(c["devices"] for p in pods for c in p["claims"])  # claims were read
        plain = run("tree", "-n", dra, kubeconfig=kubeconfig)  # read for its pending pods only
        assert plain.returncode == 0, plain.stderr
        assert "reading resource.k8s.io/v1 is forbidden for this user" in plain.stderr


@pytest.fixture(scope="module")
def extended(cluster: TestCluster) -> Iterator[str]:
    """Yield the namespace of pods asking for GPUs, MIG profiles and shared GPUs."""
    namespace = f"ki-ext-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", namespace)
    try:
        cluster.kubectl("apply", "-f", str(DRA / "extended.yaml"))
        cluster.kubectl("apply", "-n", namespace, "-f", str(DRA / "extended-pods.yaml"))
        holds_within(lambda: _all_running(cluster, namespace))
        yield namespace
    finally:
        cluster.kubectl("delete", "namespace", namespace, "--timeout=120s")  # before the nodes
        cluster.kubectl("delete", "-f", str(DRA / "extended.yaml"), "--ignore-not-found")


def _all_running(cluster: TestCluster, namespace: str) -> None:
    pods = _json(cluster, "get", "pods", "-n", namespace)["items"]
    assert pods and all(p["status"].get("phase") == "Running" for p in pods)


def test_mig_profiles_and_shared_gpus_are_counted_free_per_node(
    cluster: TestCluster, extended: str
) -> None:
    node = _json(cluster, "get", "node", "gpu-ext")
    requested: Counter[str] = Counter()
    for pod in _json(cluster, "get", "pods", "-A", "--field-selector", "spec.nodeName=gpu-ext")[
        "items"
    ]:
        for container in pod["spec"]["containers"]:
            limits = container.get("resources", {}).get("limits", {})
            requested.update({k: int(v) for k, v in limits.items() if "/" in k})
    allocatable = {k: int(v) for k, v in node["status"]["allocatable"].items() if "/" in k}
    free = {k: v - requested[k] for k, v in allocatable.items()}
    assert {"nvidia.com/mig-1g.10gb", "nvidia.com/gpu.shared"} <= set(free)
    shown = run("nodes", "--node", "gpu-ext", "-o", "json", kubeconfig=cluster.kubeconfig)
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)["nodes"][0]
    assert document["free"] == free
    assert document["requests"]["other"] == dict(requested)
    wide = run("nodes", "--node", "gpu-ext", "-o", "wide", kubeconfig=cluster.kubeconfig)
    cell = " ".join(f"{k}={v}" for k, v in sorted(free.items()))
    assert cell in wide.stdout
    sorted_pods = run(
        "pods", "-n", extended, "--sort", "nvidia.com/gpu.shared", kubeconfig=cluster.kubeconfig
    )
    names = [line.split()[1] for line in sorted_pods.stdout.splitlines()[1:]]
    assert names[:2] == ["ext-shared-a", "ext-shared-b"]  # 3 before 2: the biggest request first
