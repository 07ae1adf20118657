"""Pods' volumes and their PersistentVolumeClaims: built, judged, and read once or not at all."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kube_inspect.check.rules import CheckOptions, run_checks
from kube_inspect.interpret.arrange import arrange
from kube_inspect.interpret.health import judge_claim, judge_pod, pod_problem
from kube_inspect.interpret.objects import build_cluster
from kube_inspect.interpret.scheduling import cause_phrase
from kube_inspect.interpret.storage import build_claim, volume_words
from kube_inspect.model.checks import Finding
from kube_inspect.model.cluster import Claim, PendingCause
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.selection import Selection
from kube_inspect.render.tree import render_tree
from tests.unit.recorded import RecordedClient, invoke
from tests.unit.test_pending import _run

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
    judged = judge_pod(_built([_claim("data", "Bound"), _claim("queue", "Lost")]))
    assert judged.verdict == "failing" and judged.reason.startswith("claim queue: Lost: ")
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


# The real kube-scheduler's messages (v1.36) for a pod on a claim that is not bound.
IMMEDIATE = "0/5 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found"
FIRST_CONSUMER = (
    "0/5 nodes are available: 1 node(s) were unschedulable, 4 node(s) didn't find available "
    "persistent volumes to bind. preemption: 0/5 nodes are available: 5 Preemption is not "
    "helpful for scheduling."
)


def _pending_pod(message: str) -> dict[str, Any]:
    pod = _pod()
    pod["status"] = {
        "phase": "Pending",
        "conditions": [
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": message,
            }
        ],
    }
    return pod


def _pending_of(message: str, claims: list[dict[str, Any]] | None) -> Any:
    cluster = build_cluster(
        context="c", server="s", version="v", nodes=[], pods=[_pending_pod(message)], claims=claims
    )
    (pod,) = cluster.pods
    return pod.pending


def test_the_unbound_claims_a_pod_waits_on_are_named_when_claims_were_read() -> None:
    pending = _pending_of(IMMEDIATE, [_claim("data", "Bound"), _claim("queue", "Pending")])
    assert pending.describe() == (
        "unbound PersistentVolumeClaim queue (Pending), missing PersistentVolumeClaim nowhere"
    )
    assert [cause_phrase(c) for c in pending.causes] == [
        "it waits for PersistentVolumeClaim queue to be bound to a volume",
        "it names PersistentVolumeClaim nowhere, which its namespace does not have",
    ]
    assert _pending_of(IMMEDIATE, None).describe() == "unbound PersistentVolumeClaim"


def test_a_wait_for_first_consumer_claim_is_named_after_the_nodes_it_found_none_on() -> None:
    claims = [_claim("data", "Pending"), _claim("queue", "Bound"), _claim("nowhere", "Bound")]
    assert _pending_of(FIRST_CONSUMER, claims).describe() == (
        "5 nodes: 1 cordoned, 4 no persistent volume to bind, "
        "unbound PersistentVolumeClaim data (Pending)"
    )


def test_a_lost_claim_is_named_lost() -> None:
    claims = [_claim("data", "Lost"), _claim("queue", "Bound"), _claim("nowhere", "Bound")]
    pending = _pending_of(IMMEDIATE, claims)
    assert pending.describe() == "lost PersistentVolumeClaim data (Lost)"
    assert cause_phrase(pending.causes[0]).startswith("its PersistentVolumeClaim data is Lost")


def test_the_schedulers_missing_claim_is_named_from_its_message() -> None:
    pending = _pending_of('0/5 nodes are available: persistentvolumeclaim "gone" not found.', None)
    assert pending.causes == (PendingCause("missing PersistentVolumeClaim gone", None, "claim"),)


def _checked(claims: list[dict[str, Any]], age: timedelta, phase: str = "Running") -> Finding:
    pod = _pod()
    pod["metadata"]["creationTimestamp"] = "2026-01-01T10:00:00Z"
    pod["status"]["phase"] = phase
    cluster = build_cluster(
        context="c", server="s", version="v", nodes=[], pods=[pod], claims=claims
    )
    now = datetime(2026, 1, 1, 10, 0, tzinfo=UTC) + age
    (finding,) = run_checks(cluster, ["pod-claims"], CheckOptions(), now).findings
    assert finding.object == "pod/ns/app"
    return finding


BOUND = [_claim("data", "Bound"), _claim("queue", "Bound"), _claim("nowhere", "Bound")]


def test_check_passes_a_pod_whose_claims_are_all_bound() -> None:
    finding = _checked(BOUND, timedelta(hours=1))
    assert finding.passed and finding.message == "claims Bound: data, queue, nowhere"


def test_check_fails_a_lost_or_missing_claim_at_once() -> None:
    finding = _checked([_claim("data", "Bound"), _claim("queue", "Lost")], timedelta(seconds=1))
    assert not finding.passed
    assert finding.message == (
        "claim queue is Lost: the volume the claim was bound to is gone: its data cannot be "
        "reached and the pod cannot mount it; "
        "claim nowhere does not exist in the pod's namespace"
    )


def test_check_fails_a_pending_claim_only_after_the_pending_grace() -> None:
    claims = [_claim("data", "Bound"), _claim("queue", "Pending"), _claim("nowhere", "Bound")]
    early = _checked(claims, timedelta(minutes=4), phase="Pending")
    assert early.passed and early.message == "claim queue Pending for 4m (within 5m)"
    late = _checked(claims, timedelta(minutes=6), phase="Pending")
    assert not late.passed
    assert late.message == "claim queue Pending for 6m (more than 5m): not bound to a volume"


def test_check_leaves_finished_pods_and_unread_claims_alone() -> None:
    lost = [_claim("data", "Lost")]
    cluster = build_cluster(context="c", server="s", version="v", nodes=[], pods=[_pod()])
    now = datetime(2026, 1, 2, tzinfo=UTC)
    assert run_checks(cluster, ["pod-claims"], CheckOptions(), now).findings == ()
    pod = _pod()
    pod["status"]["phase"] = "Succeeded"
    done = build_cluster(context="c", server="s", version="v", nodes=[], pods=[pod], claims=lost)
    assert run_checks(done, ["pod-claims"], CheckOptions(), now).findings == ()


def test_a_forbidden_claim_list_leaves_the_claim_rule_not_checked() -> None:
    result = invoke("check", "-o", "json", forbidden=("persistentvolumeclaims",))
    doc = json.loads(result.stdout)
    rules = {r["name"]: r for r in doc["rules"]}
    assert rules["pod-claims"]["passed"] is None and rules["pod-claims"]["checked"] == 0
    assert "may not list persistentvolumeclaims: pods' claims are not judged" in result.stderr


def test_problems_read_the_claims_with_one_list_and_a_forbidden_one_is_partial() -> None:
    client = RecordedClient()
    read_cluster(client, Selection(problems=True))
    assert [p for p in client.paths if "persistentvolumeclaims" in p] == [
        "/api/v1/persistentvolumeclaims"
    ]
    result = invoke("tree", "--problems", forbidden=("persistentvolumeclaims",))
    assert result.exit_code == 4, result.output
    assert "may not list persistentvolumeclaims: pods' claims are not judged" in result.output


def test_a_problem_pod_on_a_lost_claim_says_why_under_its_row() -> None:
    pod = _pod()
    pod["spec"]["nodeName"] = "n1"
    cluster = build_cluster(
        context="c", server="s", version="v", nodes=[], pods=[pod], claims=BOUND[:1]
    )
    cluster = arrange(cluster, problems=True, key="name")
    out = io.StringIO()
    render_tree(cluster, out, now=datetime(2026, 1, 2, tzinfo=UTC), ascii_only=True)
    rows = out.getvalue().splitlines()
    assert "pod/ns/app" in rows[3]
    assert rows[4:6] == [
        "        -> claim queue: (not found): the pod names a claim its namespace does not "
        "have: the pod cannot start until it is created",
        "        -> claim nowhere: (not found): the pod names a claim its namespace does not "
        "have: the pod cannot start until it is created",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("check", "-n", "shop"),
        ("tree", "-n", "shop", "--problems"),
        ("pods", "-n", "shop", "-o", "json"),
    ],
)
def test_claims_are_listed_once_scoped_like_the_pods(args: tuple[str, ...]) -> None:
    result, paths = _run(*args)
    assert result.exit_code in (0, 1), result.output
    assert [p for p in paths if "persistentvolumeclaims" in p] == [
        "/api/v1/namespaces/shop/persistentvolumeclaims"
    ]


def test_check_without_the_claim_rule_reads_no_claims() -> None:
    result, paths = _run("check", "-n", "shop", "--skip-rule", "pod-claims")
    assert result.exit_code == 1, result.output
    assert not [p for p in paths if "persistentvolumeclaims" in p]
