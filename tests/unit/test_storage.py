"""Pods' volumes and their PersistentVolumeClaims: built, judged, and read once or not at all."""

from __future__ import annotations

from typing import Any

from kube_inspect.build.health import judge_claim, pod_problem
from kube_inspect.build.objects import build_cluster
from kube_inspect.build.storage import build_claim, volume_words
from kube_inspect.model.cluster import Claim
from tests.unit.recorded import RecordedClient, invoke

GI = 2**30


def _claim(name: str, phase: str | None, **spec: Any) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast", **spec},
    }
    if phase:
        claim["status"] = {"phase": phase}
    return claim


def _pod() -> dict[str, Any]:
    return {
        "metadata": {"name": "app", "namespace": "ns"},
        "spec": {
            "containers": [{"name": "c", "volumeMounts": [{"name": "d", "mountPath": "/d"}]}],
            "volumes": [
                {"name": "d", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "q", "persistentVolumeClaim": {"claimName": "queue"}},
                {"name": "x", "persistentVolumeClaim": {"claimName": "nowhere"}},
                {"name": "s", "secret": {"secretName": "creds"}},
                {"name": "e", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
            ],
        },
        "status": {
            "phase": "Running",
            "containerStatuses": [{"name": "c", "ready": True, "state": {"running": {}}}],
        },
    }


def test_a_bound_claim_carries_its_volume_capacity_and_modes() -> None:
    claim = _claim("data", "Bound", volumeName="pv-1")
    claim["status"] |= {"capacity": {"storage": "2Gi"}, "accessModes": ["ReadWriteOnce"]}
    built = build_claim(claim)
    assert built == Claim("data", "Bound", "pv-1", "fast", 2 * GI, ("ReadWriteOnce",))
    assert volume_words_of(built) == "claim data Bound to pv-1, 2Gi RWO, class fast"


def volume_words_of(claim: Claim) -> str:
    from kube_inspect.model.cluster import Volume

    return volume_words(Volume("v", "persistentVolumeClaim", target=claim.name, claim=claim))


def test_an_unbound_claim_shows_what_it_asks_for() -> None:
    built = build_claim(_claim("queue", "Pending", resources={"requests": {"storage": "5Gi"}}))
    assert built.capacity_bytes == 5 * GI and built.volume is None
    assert judge_claim(built).verdict == "warning"


def _built(claims: list[dict[str, Any]] | None) -> Any:
    cluster = build_cluster(
        context="c", server="s", version="v", nodes=[], pods=[_pod()], claims=claims
    )
    (pod,) = cluster.pods
    return pod


def test_volumes_find_their_claims_and_a_missing_one_has_no_phase() -> None:
    pod = _built([_claim("data", "Bound"), _claim("queue", "Lost")])
    volumes = {v.name: v for v in pod.volumes}
    assert volumes["d"].claim.phase == "Bound" and volumes["d"].mounts == (("c", "/d"),)
    assert volumes["q"].claim.status == "Lost" and judge_claim(volumes["q"].claim).verdict == (
        "failing"
    )
    assert volumes["x"].claim == Claim("nowhere") and volumes["x"].claim.status == "(not found)"
    assert volumes["s"].target == "creds" and volumes["s"].claim is None
    assert volume_words(volumes["e"]) == "emptyDir, medium Memory, size limit 64Mi"


def test_a_lost_claim_makes_a_running_pod_a_problem() -> None:
    assert pod_problem(_built([_claim("data", "Bound"), _claim("queue", "Lost")])) == (
        "claim queue: Lost"
    )


def test_claims_not_read_are_not_judged() -> None:
    pod = _built(None)
    assert all(v.claim is None for v in pod.volumes)
    assert pod_problem(pod) is None


def test_the_default_tree_sends_no_claim_list() -> None:
    client = RecordedClient()
    from kube_inspect.read.cluster import read_cluster
    from kube_inspect.read.selection import Selection

    read_cluster(client, Selection())
    assert not [p for p in client.paths if "persistentvolumeclaims" in p]
    read_cluster(client, Selection(with_volumes=True))
    assert [p for p in client.paths if "persistentvolumeclaims" in p] == [
        "/api/v1/persistentvolumeclaims"
    ]


def test_a_forbidden_claim_list_is_a_partial_result() -> None:
    result = invoke("pods", "-o", "wide", forbidden=("persistentvolumeclaims",))
    assert result.exit_code == 4, result.output
    assert "may not list persistentvolumeclaims: claims shown by name only" in result.output
    json_doc = invoke("pods", "-o", "json", forbidden=("persistentvolumeclaims",))
    assert '"persistentvolumeclaims"' in json_doc.output  # named in the document's unread
    shown = invoke("pods", "-o", "wide")
    assert shown.exit_code == 0 and "VOLUMES" in shown.output
