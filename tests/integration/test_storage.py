"""Issue 14, storage: each pod's volumes, its PersistentVolumeClaims as the real API
server reports them (statically bound, unbound, missing), ConfigMaps and Secrets by name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kube_inspect.model.quantity import whole
from kube_inspect.schema import load_check_schema, load_schema
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster, holds_within
from tests.integration.restricted_users import issue_user

pytestmark = pytest.mark.integration

CLASS = "ki-manual"  # no StorageClass of that name: nothing provisions, binding is static


def _manifests(namespace: str, volume: str) -> list[dict[str, Any]]:
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim"}
    return [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": volume},
            "spec": {
                "capacity": {"storage": "2Gi"},
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": CLASS,
                "hostPath": {"path": f"/tmp/{volume}"},
                "claimRef": {"namespace": namespace, "name": "data"},
            },
        },
        {
            **claim,
            "metadata": {"name": "data", "namespace": namespace},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": CLASS,
                "volumeName": volume,
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
        {
            **claim,
            "metadata": {"name": "waiting", "namespace": namespace},
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "storageClassName": CLASS,
                "resources": {"requests": {"storage": "5Gi"}},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "app", "namespace": namespace},
            "spec": {
                "containers": [
                    {
                        "name": "main",
                        "image": "busybox:1.36",
                        "command": ["sleep", "3600"],
                        "volumeMounts": [
                            {"name": "data", "mountPath": "/data"},
                            {"name": "scratch", "mountPath": "/scratch"},
                        ],
                    }
                ],
                "volumes": [
                    {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                    {"name": "queue", "persistentVolumeClaim": {"claimName": "waiting"}},
                    {"name": "gone", "persistentVolumeClaim": {"claimName": "no-such-claim"}},
                    {"name": "config", "configMap": {"name": "app-config"}},
                    {"name": "creds", "secret": {"secretName": "app-creds"}},
                    {"name": "scratch", "emptyDir": {"sizeLimit": "64Mi"}},
                    {
                        "name": "bundle",
                        "projected": {
                            "sources": [
                                {"configMap": {"name": "app-config"}},
                                {"secret": {"name": "app-creds"}},
                            ]
                        },
                    },
                ],
            },
        },
    ]


@pytest.fixture
def claims(cluster: TestCluster, scratch_namespace: str, tmp_path: Path) -> Iterator[str]:
    """Yield the namespace once its claims are settled: ``data`` Bound, ``waiting`` Pending."""
    volume = f"{scratch_namespace}-pv"
    manifest = tmp_path / "storage.yaml"
    manifest.write_text(yaml.safe_dump_all(_manifests(scratch_namespace, volume)))
    cluster.kubectl("apply", "-f", str(manifest))
    try:

        def bound() -> None:
            phase = cluster.kubectl(
                "get", "pvc", "data", "-n", scratch_namespace, "-o", "jsonpath={.status.phase}"
            )
            assert phase == "Bound", phase

        holds_within(bound)
        yield scratch_namespace
    finally:
        cluster.kubectl("delete", "pod", "app", "-n", scratch_namespace, "--force")
        cluster.kubectl("delete", "pvc", "--all", "-n", scratch_namespace, "--wait=false")
        cluster.kubectl("delete", "pv", volume, "--wait=false")


def inspect(cluster: TestCluster, *args: str) -> dict[str, Any]:
    result = run(*args, "-o", "json", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(doc, load_schema())
    return doc


def test_claims_are_shown_as_the_api_server_reports_them(cluster: TestCluster, claims: str) -> None:
    (pod,) = inspect(cluster, "pods", "-n", claims)["pods"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    served = {
        c["metadata"]["name"]: c
        for c in json.loads(cluster.kubectl("get", "pvc", "-n", claims, "-o", "json"))["items"]
    }
    for name, claim in (("data", "data"), ("queue", "waiting")):
        mine, theirs = volumes[name]["claim"], served[claim]
        assert volumes[name]["source"] == "persistentVolumeClaim"
        assert mine["name"] == claim and mine["phase"] == theirs["status"]["phase"]
        assert mine["volume"] == theirs["spec"].get("volumeName")
        assert mine["storage_class"] == theirs["spec"]["storageClassName"] == CLASS
        assert mine["access_modes"] == (
            theirs["status"].get("accessModes") or theirs["spec"]["accessModes"]
        )
        capacity = theirs["status"].get("capacity", theirs["spec"]["resources"]["requests"])
        assert mine["capacity_bytes"] == whole(capacity["storage"])
    assert volumes["data"]["claim"]["phase"] == "Bound"
    assert volumes["data"]["claim"]["capacity_bytes"] == 2 * 2**30  # the volume's, not asked
    assert volumes["queue"]["claim"]["phase"] == "Pending"
    assert volumes["gone"]["claim"]["phase"] is None  # no such claim
    assert volumes["data"]["mounts"] == [{"container": "main", "path": "/data"}]


def test_configmaps_and_secrets_are_named_never_read(cluster: TestCluster, claims: str) -> None:
    tree = inspect(cluster, "tree", "-n", claims)["cluster"]
    (pod,) = [p for n in tree["nodes"] for p in n["pods"]] + tree["unscheduled"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert (volumes["config"]["source"], volumes["config"]["target"]) == ("configMap", "app-config")
    assert (volumes["creds"]["source"], volumes["creds"]["target"]) == ("secret", "app-creds")
    assert volumes["bundle"]["target"] == "configMap/app-config,secret/app-creds"
    assert volumes["scratch"]["size_limit_bytes"] == 64 * 2**20
    assert volumes["creds"]["claim"] is None


def test_the_wide_tree_shows_volumes_under_the_pod(cluster: TestCluster, claims: str) -> None:
    result = run("tree", "-n", claims, "-o", "wide", "--ascii", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()[2:]
    lines = {line.lstrip("|-` ").split()[0]: line for line in rows if line.strip()}
    assert "Bound" in lines["volume/data"] and f"to {claims}-pv, 2Gi RWO" in lines["volume/data"]
    assert "Pending" in lines["volume/queue"] and "5Gi RWX" in lines["volume/queue"]
    assert "(not found)" in lines["volume/gone"]
    assert "Secret app-creds" in lines["volume/creds"]
    assert "size limit 64Mi" in lines["volume/scratch"]
    assert "volume/" not in run("tree", "-n", claims, kubeconfig=cluster.kubeconfig).stdout


def test_a_pending_or_missing_claim_is_a_problem_in_plain_words(
    cluster: TestCluster, claims: str
) -> None:
    result = run("explain", "pod", f"{claims}/app", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Claim Pending: the claim is not bound to a volume yet" in text
    assert "Claim (not found): the pod names a claim its namespace does not have" in text
    result = run("pods", "-n", claims, "--problems", "-o", "wide", kubeconfig=cluster.kubeconfig)
    assert "queue=persistentVolumeClaim:waiting(Pending)" in result.stdout


@pytest.mark.local_backend  # kwokctl issues the users of the local backend
def test_a_user_who_may_not_list_claims_gets_a_partial_result(
    cluster: TestCluster, claims: str, tmp_path: Path
) -> None:
    user = f"podreader-{claims}"
    cluster.kubectl(
        "create", "role", "pods-only", "--verb=get,list,watch", "--resource=pods", "-n", claims
    )
    cluster.kubectl(
        "create", "rolebinding", "pods-only", "--role=pods-only", f"--user={user}", "-n", claims
    )
    kubeconfig = issue_user(cluster, user, tmp_path / "user.yaml")
    result = run("pods", "-n", claims, "-o", "json", kubeconfig=kubeconfig)
    assert result.returncode == 4, result.stderr
    assert (
        f'warning: user "{user}" may not list persistentvolumeclaims: claims shown by name '
        "only, without phase, volume or capacity"
    ) in result.stderr.splitlines()
    (pod,) = json.loads(result.stdout)["pods"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["data"]["target"] == "data" and volumes["data"]["claim"] is None
    wide = run("tree", "-n", claims, "-o", "wide", kubeconfig=kubeconfig)
    assert wide.returncode == 4 and "claim data (claims not read)" in wide.stdout


def _scheduler_message(cluster: TestCluster, namespace: str, pod: str) -> str:
    return cluster.kubectl(
        "get", "pod", pod, "-n", namespace, "-o",
        'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}',
    )  # fmt: skip


def _served_claims(cluster: TestCluster, namespace: str) -> dict[str, str]:
    """Return each claim's phase as kubectl reads it."""
    items = json.loads(cluster.kubectl("get", "pvc", "-n", namespace, "-o", "json"))["items"]
    return {c["metadata"]["name"]: c["status"].get("phase", "Pending") for c in items}


def test_check_fails_a_pod_on_a_missing_or_long_pending_claim(
    cluster: TestCluster, claims: str
) -> None:
    assert _served_claims(cluster, claims) == {"data": "Bound", "waiting": "Pending"}
    args = ("check", "-n", claims, "--rule", "pod-claims", "-o", "json")
    now = run(*args, kubeconfig=cluster.kubeconfig)
    assert now.returncode == 1, now.stdout + now.stderr
    doc = json.loads(now.stdout)
    jsonschema.validate(doc, load_check_schema())
    (finding,) = doc["findings"]
    assert finding["object"] == f"pod/{claims}/app" and finding["rule"] == "pod-claims"
    # a missing claim fails at once; the Pending one only after --max-pending (5m)
    assert finding["message"] == "claim no-such-claim does not exist in the pod's namespace"
    late = run(*args, "--max-pending", "0s", kubeconfig=cluster.kubeconfig)
    assert late.returncode == 1, late.stderr
    (finding,) = json.loads(late.stdout)["findings"]
    assert finding["message"].startswith("claim waiting Pending for ")
    assert finding["message"].endswith(
        "(more than 0s): not bound to a volume; "
        "claim no-such-claim does not exist in the pod's namespace"
    )


def test_tree_problems_shows_the_pod_on_claims_with_why(cluster: TestCluster, claims: str) -> None:
    result = run("tree", "-n", claims, "--problems", "--ascii", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    row = next(i for i, line in enumerate(lines) if f"pod/{claims}/app " in line)
    notes = [line.split("-> ", 1)[1] for line in lines[row + 1 :] if "-> " in line]
    assert (
        "claim waiting: Pending: the claim is not bound to a volume yet (none matches, or one "
        "is being made): a pod using it cannot start until it is"
    ) in notes
    message = _scheduler_message(cluster, claims, "app")
    if 'persistentvolumeclaim "no-such-claim" not found' in message:  # the scheduler's words
        assert "pending: missing PersistentVolumeClaim no-such-claim" in notes, message
    else:
        assert any(n.startswith("claim no-such-claim: (not found)") for n in notes), notes


def _lost_manifests(namespace: str, volume: str) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": volume},
            "spec": {
                "capacity": {"storage": "1Gi"},
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": CLASS,
                # created if missing: a kind node's kubelet mounts it for the running pod
                "hostPath": {"path": f"/tmp/{volume}", "type": "DirectoryOrCreate"},
                "claimRef": {"namespace": namespace, "name": "kept"},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "kept", "namespace": namespace},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": CLASS,
                "volumeName": volume,
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "holder", "namespace": namespace},
            "spec": {
                "containers": [
                    {
                        "name": "main",
                        "image": "localhost/busybox:1.35",
                        "command": ["sleep", "3600"],
                    }
                ],
                "volumes": [{"name": "kept", "persistentVolumeClaim": {"claimName": "kept"}}],
                "terminationGracePeriodSeconds": 0,
            },
        },
    ]


@pytest.fixture
def lost(cluster: TestCluster, scratch_namespace: str, tmp_path: Path) -> Iterator[str]:
    """Yield a namespace whose pod ``holder`` runs on claim ``kept``, Lost: its volume is gone."""
    volume = f"{scratch_namespace}-lost"
    manifest = tmp_path / "lost.yaml"
    manifest.write_text(yaml.safe_dump_all(_lost_manifests(scratch_namespace, volume)))
    cluster.kubectl("apply", "-f", str(manifest))
    try:

        def placed() -> None:
            node = cluster.kubectl(
                "get", "pod", "holder", "-n", scratch_namespace, "-o", "jsonpath={.spec.nodeName}"
            )
            assert node, "holder is not placed yet"

        holds_within(placed)
        # the volume goes from under its claim (the test writes; kube-inspect only reads)
        cluster.kubectl("delete", "pv", volume, "--wait=false")
        cluster.kubectl(
            "patch", "pv", volume, "--type=merge", "-p", '{"metadata":{"finalizers":null}}'
        )

        def claim_lost() -> None:
            assert _served_claims(cluster, scratch_namespace) == {"kept": "Lost"}

        holds_within(claim_lost)
        yield scratch_namespace
    finally:
        cluster.kubectl("delete", "pod", "holder", "-n", scratch_namespace, "--force")
        cluster.kubectl("delete", "pvc", "--all", "-n", scratch_namespace, "--wait=false")
        cluster.kubectl("delete", "pv", volume, "--ignore-not-found", "--wait=false")


def test_a_running_pod_on_a_lost_claim_fails_check_and_is_a_problem(
    cluster: TestCluster, lost: str
) -> None:
    check = run("check", "-n", lost, "-o", "json", kubeconfig=cluster.kubeconfig)
    assert check.returncode == 1, check.stdout + check.stderr
    failed = [f for f in json.loads(check.stdout)["findings"] if not f["passed"]]
    assert [(f["rule"], f["object"]) for f in failed] == [("pod-claims", f"pod/{lost}/holder")]
    assert failed[0]["message"] == (
        "claim kept is Lost: the volume the claim was bound to is gone: its data cannot be "
        "reached and the pod cannot mount it"
    )
    text = run("check", "-n", lost, kubeconfig=cluster.kubeconfig)
    assert f"FAIL  pod-claims          pod/{lost}/holder: claim kept is Lost" in text.stdout
    problems = run("tree", "-n", lost, "--problems", "--ascii", kubeconfig=cluster.kubeconfig)
    assert problems.returncode == 0, problems.stderr
    lines = problems.stdout.splitlines()
    row = next(i for i, line in enumerate(lines) if f"pod/{lost}/holder " in line)
    assert lines[row + 1].endswith(
        "-> claim kept: Lost: the volume the claim was bound to is gone: its data cannot be "
        "reached and the pod cannot mount it"
    )
    plain = run("tree", "-n", lost, kubeconfig=cluster.kubeconfig)
    assert f"pod/{lost}/holder" in plain.stdout and "claim kept" not in plain.stdout
