"""Why a pod is pending, on the test cluster's real kube-scheduler; Warning events, read once.

A pod for each cause the issue names (untolerated taint, insufficient cpu and memory, node
selector, node affinity, unbound claim, scheduling gate) is created in a namespace of the
test's own; the causes and node counts kube-inspect shows are compared with the
scheduler's own PodScheduled message, read back with kubectl.
"""

from __future__ import annotations

import html
import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster
from tests.integration.restricted_users import reader_of

pytestmark = pytest.mark.integration

WAIT = 120
GATE = "kube-inspect.test/hold"
CLAIM = "ki-unbound"
# pod name -> (the cause kube-inspect shows, the message fragment that counts its nodes)
SCHEDULER_CAUSES: dict[str, tuple[str, str | None]] = {
    "needs-cpu": ("insufficient cpu", r"(\d+) Insufficient cpu"),
    "needs-memory": ("insufficient memory", r"(\d+) Insufficient memory"),
    "on-tainted-node": ("untolerated taint", r"(\d+) node\(s\) had untolerated taint"),
    "by-selector": (
        "node selector/affinity mismatch",
        r"(\d+) node\(s\) didn't match Pod's node affinity/selector",
    ),
    "by-affinity": (
        "node selector/affinity mismatch",
        r"(\d+) node\(s\) didn't match Pod's node affinity/selector",
    ),
    "with-claim": ("unbound PersistentVolumeClaim", None),
}


def _pod(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    container = {"name": "app", "image": "localhost/busybox:1.35", "command": ["sleep", "3600"]}
    container.update(spec.pop("container", {}))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [container], "terminationGracePeriodSeconds": 0, **spec},
    }


def _manifests(tainted_node: str) -> list[dict[str, Any]]:
    return [
        _pod("needs-cpu", {"container": {"resources": {"requests": {"cpu": "1000"}}}}),
        _pod("needs-memory", {"container": {"resources": {"requests": {"memory": "100Ti"}}}}),
        _pod("on-tainted-node", {"nodeSelector": {"kubernetes.io/hostname": tainted_node}}),
        _pod("by-selector", {"nodeSelector": {"disktype": "nvme-that-no-node-has"}}),
        _pod(
            "by-affinity",
            {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [
                                        {
                                            "key": "kubernetes.io/arch",
                                            "operator": "In",
                                            "values": ["s390x"],
                                        }
                                    ]
                                }
                            ]
                        }
                    }
                }
            },
        ),
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": CLAIM},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "kube-inspect-no-such-class",
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
        _pod(
            "with-claim",
            {
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": CLAIM}}],
                "container": {"volumeMounts": [{"name": "data", "mountPath": "/data"}]},
            },
        ),
        _pod("gated", {"schedulingGates": [{"name": GATE}]}),
        _pod("runs", {}),
    ]


def _tainted_node(cluster: TestCluster) -> str:
    nodes = json.loads(cluster.kubectl("get", "nodes", "-o", "json"))["items"]
    return next(
        str(n["metadata"]["name"])
        for n in nodes
        if any(t.get("key") == "dedicated" for t in n["spec"].get("taints", []))
    )


def _scheduled_conditions(cluster: TestCluster, namespace: str) -> dict[str, dict[str, Any]]:
    pods = json.loads(cluster.kubectl("get", "pods", "-n", namespace, "-o", "json"))["items"]
    return {
        p["metadata"]["name"]: next(
            (c for c in p["status"].get("conditions", []) if c["type"] == "PodScheduled"), {}
        )
        for p in pods
    }


@pytest.fixture(scope="module")
def pending(
    cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    """Yield a namespace holding a pod per cause, once the scheduler has judged each."""
    namespace = f"ki-pending-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", namespace)
    try:
        path = tmp_path_factory.mktemp("pending") / "pods.yaml"
        path.write_text(yaml.safe_dump_all(_manifests(_tainted_node(cluster))))
        cluster.kubectl("apply", "-n", namespace, "-f", str(path))
        deadline = time.monotonic() + WAIT
        while True:
            conditions = _scheduled_conditions(cluster, namespace)
            judged = {
                name
                for name, c in conditions.items()
                if c.get("reason") in ("Unschedulable", "SchedulingGated") and c.get("message")
            }
            if judged >= {*SCHEDULER_CAUSES, "gated"} and conditions["runs"].get("status"):
                break
            assert time.monotonic() < deadline, f"the scheduler has not judged: {conditions}"
            time.sleep(1)
        yield namespace, conditions
    finally:
        # waited for: a view that a later module compares with kubectl must not meet these
        # pods half deleted (test_selection, run right after this module, once did)
        cluster.kubectl("delete", "namespace", namespace, "--timeout=120s", timeout=150)


def _tree_json(cluster: TestCluster, namespace: str, *more: str) -> dict[str, Any]:
    result = run("tree", "-n", namespace, "-o", "json", *more, kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)["cluster"]
    pods = [p for n in doc["nodes"] for p in n["pods"]] + doc["unscheduled"]
    return {p["name"]: p for p in pods}


def test_each_cause_and_its_node_count_match_the_schedulers_message(
    cluster: TestCluster, pending: tuple[str, dict[str, dict[str, Any]]]
) -> None:
    namespace, conditions = pending
    pods = _tree_json(cluster, namespace)
    for name, (cause, fragment) in SCHEDULER_CAUSES.items():
        message = conditions[name]["message"]
        shown = pods[name]["pending"]
        assert shown is not None, name
        assert shown["message"] == message and shown["source"] == "condition"
        total = re.search(r"0/(\d+) nodes are available", message)
        assert total is not None and shown["nodes"] == int(total.group(1)), message
        # every counted fragment of the message, and only those, with the same numbers
        # (the untolerated taints, which the scheduler does not name, summed over their names)
        counted = re.findall(r"(?:: |, )(\d+) ", message.split(". ")[0])
        assert sorted(_counts_by_kind(shown["causes"])) == sorted(int(n) for n in counted), (
            name,
            message,
            shown,
        )
        found = [c for c in shown["causes"] if c["cause"].startswith(cause)]
        assert found, (name, message, shown)
        if fragment is not None:
            expected = re.search(fragment, message)
            assert expected is not None, message
            assert sum(c["nodes"] for c in found) == int(expected.group(1)), (name, shown)
        if counted:  # causes not about nodes (an unbound claim) are said without them
            assert shown["summary"].startswith(f"{total.group(1)} nodes: ")
    assert pods["runs"]["pending"] is None


def _counts_by_kind(causes: list[dict[str, Any]]) -> list[int]:
    """Return the node counts of the causes, the named untolerated taints' summed up."""
    counts = [c["nodes"] for c in causes if c["nodes"] is not None and c["kind"] != "taint"]
    taints = [c["nodes"] for c in causes if c["nodes"] is not None and c["kind"] == "taint"]
    return counts + ([sum(taints)] if taints else [])


def _untolerated(cluster: TestCluster) -> dict[str, int]:
    """Return each node taint a pod without tolerations cannot pass, with its node count.

    As kubectl reads the nodes: the first NoSchedule or NoExecute taint of each node that
    is not cordoned (a cordoned node is ruled out before its taints are read).
    """
    nodes = json.loads(cluster.kubectl("get", "nodes", "-o", "json"))["items"]
    counts: dict[str, int] = {}
    for node in nodes:
        if node["spec"].get("unschedulable"):
            continue
        for taint in node["spec"].get("taints", []):
            if taint["effect"] in ("NoSchedule", "NoExecute"):
                value = f"={taint['value']}" if taint.get("value") else ""
                text = f"untolerated taint {taint['key']}{value}:{taint['effect']}"
                counts[text] = counts.get(text, 0) + 1
                break
    return counts


def test_the_taints_the_scheduler_leaves_unnamed_are_named(
    cluster: TestCluster, pending: tuple[str, dict[str, dict[str, Any]]]
) -> None:
    namespace, conditions = pending
    message = conditions["on-tainted-node"]["message"]
    unnamed = re.search(r"(\d+) node\(s\) had untolerated taint", message)
    assert unnamed is not None, message
    causes = _tree_json(cluster, namespace)["on-tainted-node"]["pending"]["causes"]
    named = {c["cause"]: c["nodes"] for c in causes if c["kind"] == "taint"}
    assert named == _untolerated(cluster), message  # kubectl's nodes, the scheduler's sum
    assert sum(named.values()) == int(unnamed.group(1))
    assert named["untolerated taint dedicated=gpu:NoSchedule"] == 1
    tree = run("tree", "-n", namespace, "--problems", kubeconfig=cluster.kubeconfig)
    assert "1 untolerated taint dedicated=gpu:NoSchedule" in tree.stdout


def test_the_unbound_claim_a_pod_waits_on_is_named(
    cluster: TestCluster, pending: tuple[str, dict[str, dict[str, Any]]]
) -> None:
    namespace, conditions = pending
    assert "unbound immediate PersistentVolumeClaims" in conditions["with-claim"]["message"]
    phase = cluster.kubectl("get", "pvc", CLAIM, "-n", namespace, "-o", "jsonpath={.status.phase}")
    named = f"unbound PersistentVolumeClaim {CLAIM} ({phase})"
    # the views that read the claims name it; the plain tree, which does not, keeps the words
    assert _tree_json(cluster, namespace)["with-claim"]["pending"]["summary"] == named
    problems = run("tree", "-n", namespace, "--problems", kubeconfig=cluster.kubeconfig)
    assert f"↳ pending: {named}" in problems.stdout
    plain = run("tree", "-n", namespace, kubeconfig=cluster.kubeconfig)
    assert "↳ pending: unbound PersistentVolumeClaim\n" in plain.stdout


def test_a_gated_pod_says_which_gate_holds_it(
    cluster: TestCluster, pending: tuple[str, dict[str, dict[str, Any]]]
) -> None:
    namespace, conditions = pending
    assert conditions["gated"]["reason"] == "SchedulingGated"
    shown = _tree_json(cluster, namespace)["gated"]
    assert shown["pending"]["summary"] == f"scheduling gate {GATE}"
    assert shown["pending"]["nodes"] is None


def test_tree_shows_the_causes_under_each_pod_and_problems_sums_them_up(
    cluster: TestCluster, pending: tuple[str, dict[str, dict[str, Any]]]
) -> None:
    namespace, _conditions = pending
    pods = _tree_json(cluster, namespace)
    result = run("tree", "-n", namespace, "--problems", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name in [*SCHEDULER_CAUSES, "gated"]:
        row = next(i for i, line in enumerate(lines) if f"pod/{namespace}/{name} " in line)
        assert lines[row + 1].endswith(f"↳ pending: {pods[name]['pending']['summary']}")
    summary = lines[lines.index("pending pods by cause:") + 1 :]
    counts: dict[str, int] = {}
    for pod in pods.values():
        for cause in {c["cause"] for c in (pod["pending"] or {}).get("causes", [])}:
            counts[cause] = counts.get(cause, 0) + 1
    assert {line.rsplit("  ", 1)[0].strip(): line.split()[-2] for line in summary} == {
        cause: str(count) for cause, count in counts.items()
    }


def test_check_explain_wide_and_html_say_why(
    cluster: TestCluster, pending: tuple[str, dict[str, dict[str, Any]]]
) -> None:
    namespace, _conditions = pending
    summary = _tree_json(cluster, namespace)["needs-cpu"]["pending"]["summary"]
    check = run(
        "check", "-n", namespace, "--max-pending", "0s", "-o", "json",
        kubeconfig=cluster.kubeconfig,
    )  # fmt: skip
    assert check.returncode == 1, check.stderr
    finding = next(
        f for f in json.loads(check.stdout)["findings"] if f["object"].endswith("/needs-cpu")
    )
    assert finding["rule"] == "pod-pending" and finding["message"].endswith(f": {summary}")
    explain = run("explain", "pod", f"{namespace}/needs-cpu", kubeconfig=cluster.kubeconfig)
    assert explain.returncode == 0, explain.stderr
    # "1 node lacks" on kind's single free worker, "2 nodes lack" on the local backend's
    assert re.search(
        r"\d+ nodes? lacks? enough unrequested cpu for the pod's requests", explain.stdout
    )
    wide = run("pods", "-n", namespace, "-o", "csv", kubeconfig=cluster.kubeconfig)
    assert f",{summary}" in wide.stdout.replace('"', "")
    page = run("tree", "-n", namespace, "-o", "html", kubeconfig=cluster.kubeconfig)
    assert html.escape(summary, quote=False) in page.stdout or summary in page.stdout


def _warning_event(namespace: str, pod: str) -> dict[str, Any]:
    """Return a Warning event about ``pod``, as a kubelet writes one (kwok writes none)."""
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{pod}.ki-test", "namespace": namespace},
        "type": "Warning",
        "reason": "BackOff",
        "message": f"Back-off restarting failed container app in pod {pod}_{namespace}",
        "count": 7,
        "firstTimestamp": "2026-01-01T10:00:00Z",
        "lastTimestamp": "2026-01-01T10:30:00Z",
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "namespace": namespace, "name": pod},
        "source": {"component": "kubelet"},
    }


def test_events_shows_each_pods_latest_warning_events(
    cluster: TestCluster, pending: tuple[str, dict[str, dict[str, Any]]], tmp_path: Path
) -> None:
    namespace, _conditions = pending
    path = tmp_path / "event.yaml"
    path.write_text(yaml.safe_dump(_warning_event(namespace, "runs")))
    cluster.kubectl("apply", "-f", str(path))  # the test writes; kube-inspect only reads
    pods = _tree_json(cluster, namespace, "--events")
    by_kubectl = json.loads(
        cluster.kubectl(
            "get", "events", "-n", namespace, "--field-selector", "type=Warning", "-o", "json"
        )
    )["items"]
    backoff = [e for e in pods["runs"]["events"] if e["reason"] == "BackOff"]
    assert backoff == [
        {
            "reason": "BackOff",
            "count": 7,
            "last_seen": "2026-01-01T10:30:00Z",
            "message": f"Back-off restarting failed container app in pod runs_{namespace}",
        }
    ]
    # the real scheduler's FailedScheduling events, as kubectl lists them
    scheduling = {
        e["message"]
        for e in by_kubectl
        if e["reason"] == "FailedScheduling" and e["involvedObject"]["name"] == "needs-cpu"
    }
    shown = {e["message"] for e in pods["needs-cpu"]["events"] if e["reason"] == "FailedScheduling"}
    assert shown and shown <= scheduling
    tree = run("tree", "-n", namespace, "--events", kubeconfig=cluster.kubeconfig)
    assert "↳ warning BackOff x7, " in tree.stdout


def _events_requests(audit_log: Path, namespace: str) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in audit_log.read_text().splitlines() if line]
    return [
        e
        for e in entries
        if e.get("userAgent", "").startswith("kube-inspect")
        and (e.get("objectRef") or {}).get("resource") == "events"
        and (e.get("objectRef") or {}).get("namespace") == namespace
        and e.get("stage") == "ResponseComplete"
    ]


@pytest.mark.local_backend
def test_events_are_read_with_one_list_whatever_the_pod_count(
    cluster: TestCluster, pending: tuple[str, dict[str, dict[str, Any]]]
) -> None:
    namespace, _conditions = pending
    assert cluster.audit_log is not None
    before = len(_events_requests(cluster.audit_log, namespace))
    result = run("tree", "-n", namespace, "--events", "-o", "json", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    deadline = time.monotonic() + WAIT
    while len(requests := _events_requests(cluster.audit_log, namespace)) == before:
        assert time.monotonic() < deadline, "the events LIST never reached the audit log"
        time.sleep(0.5)
    ours = requests[before:]
    assert [(e["verb"], e["requestURI"].split("?")[0]) for e in ours] == [
        ("list", f"/api/v1/namespaces/{namespace}/events")
    ]
    assert "fieldSelector=type%3DWarning" in ours[0]["requestURI"]


@pytest.mark.local_backend
def test_a_user_who_may_not_read_events_gets_the_rest_and_exit_4(
    cluster: TestCluster, pending: tuple[str, dict[str, dict[str, Any]]], tmp_path: Path
) -> None:
    namespace, _conditions = pending
    user = f"no-events-{uuid.uuid4().hex[:6]}"
    # everything a view needs but events
    resources = (
        "nodes,pods,persistentvolumeclaims,replicasets.apps,jobs.batch,"
        "nodes.metrics.k8s.io,pods.metrics.k8s.io,deviceclasses.resource.k8s.io,"
        "resourceslices.resource.k8s.io,resourceclaims.resource.k8s.io"
    )
    with reader_of(cluster, user, resources, tmp_path / "user.yaml") as kubeconfig:
        _reads_all_but_events(namespace, user, kubeconfig)


def _reads_all_but_events(namespace: str, user: str, kubeconfig: Path) -> None:
    asked = run("pods", "-n", namespace, "-o", "wide", "--events", kubeconfig=kubeconfig)
    assert asked.returncode == 4, asked.stderr
    assert asked.stderr == (
        f'warning: user "{user}" may not list events: Warning events not shown\n'
    )
    assert "needs-cpu" in asked.stdout and "insufficient cpu" in asked.stdout
    implicit = run("tree", "-n", namespace, kubeconfig=kubeconfig)
    assert implicit.returncode == 0, implicit.stderr
    assert implicit.stderr == (
        "notice: reading events is forbidden for this user: pending pods are explained "
        "from their own status only\n"
    )
    assert "↳ pending: " in implicit.stdout
