"""`explain` and `tree --explain` against a real API server, checked against kubectl."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster, holds_within

pytestmark = pytest.mark.integration


def kubectl_items(cluster: TestCluster, *args: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(cluster.kubectl("get", *args, "-o", "json"))["items"]
    return items


def explain(cluster: TestCluster, *args: str) -> str:
    result = run("explain", *args, kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def unhealthy(pods: list[dict[str, Any]]) -> set[str]:
    """Return ns/name of pods kubectl shows as stuck or failing."""
    found = set()
    for pod in pods:
        status = pod.get("status", {})
        waiting = [
            s for s in status.get("containerStatuses", []) if "waiting" in s.get("state", {})
        ]
        if status.get("phase") in ("Pending", "Failed", "Unknown") or waiting:
            found.add(f"{pod['metadata']['namespace']}/{pod['metadata']['name']}")
    return found


def test_tour_counts_nodes_and_names_every_unhealthy_pod(cluster: TestCluster) -> None:
    """The tour counts what kubectl lists and names every pod kubectl shows unhealthy.

    kubectl lists the pods before and after the tour: a pod of an earlier test's namespace
    may still be going away on kind (and turn Failed as it does), so the tour's count lies
    between the two and it names each pod both show unhealthy. The crasher is, for a moment,
    running between two waits: the three reads are taken again until they agree.
    """

    def agree() -> None:
        before = kubectl_items(cluster, "pods", "-A")
        text = explain(cluster)
        after = kubectl_items(cluster, "pods", "-A")
        nodes = kubectl_items(cluster, "nodes")
        assert f"This one has {len(nodes)} nodes" in text
        counted = re.search(r"The (\d+) pods spread over the nodes", text)
        assert counted is not None, text
        assert min(len(before), len(after)) <= int(counted[1]) <= max(len(before), len(after))
        attention = text[text.index("What needs attention") :]
        for ref in unhealthy(before) & unhealthy(after):
            assert re.search(rf"(pod|container)/{re.escape(ref)}\b", attention), ref
        assert unhealthy(before) & unhealthy(after), "the sample has a crash loop, a pending pod"

    holds_within(agree)


def test_tour_example_pod_is_a_real_multi_container_pod_with_its_ip(
    cluster: TestCluster,
) -> None:
    text = explain(cluster)
    found = re.search(r"Example: pod (\S+)/(\S+) on node (\S+):", text)
    assert found is not None, text
    namespace, name, node = found.groups()
    pod = json.loads(cluster.kubectl("get", "pod", "-n", namespace, name, "-o", "json"))
    assert len(pod["spec"]["containers"]) > 1
    assert pod["spec"]["nodeName"] == node.rstrip(":")
    assert f"share one IP address, {pod['status']['podIP']}" in text


def test_tour_names_the_workloads_that_own_pods(cluster: TestCluster) -> None:
    text = explain(cluster)
    owners = {
        (ref["kind"], pod["metadata"]["namespace"])
        for pod in kubectl_items(cluster, "pods", "-A")
        for ref in pod["metadata"].get("ownerReferences", [])
    }
    for kind, namespace in owners:
        shown = "Deployment" if kind == "ReplicaSet" else kind
        assert re.search(rf"  {shown} {namespace}/\S+: \d+ pods?", text), (kind, namespace)


def test_explain_pod_names_its_owner_and_node(cluster: TestCluster) -> None:
    for pod in kubectl_items(cluster, "pods", "-n", "shop"):
        meta = pod["metadata"]
        text = explain(cluster, "pod", f"{meta['namespace']}/{meta['name']}")
        for ref in meta.get("ownerReferences", []):
            assert f"{ref['kind']} {ref['name']}" in text
        if pod["spec"].get("nodeName"):
            assert f"It runs on node {pod['spec']['nodeName']}" in text
        else:
            assert "It is on no node yet." in text


def test_explain_container_gives_the_last_exit_kubectl_reports(cluster: TestCluster) -> None:
    def status() -> dict[str, Any]:
        pod = json.loads(cluster.kubectl("get", "pod", "-n", "batch", "crasher", "-o", "json"))
        found: dict[str, Any] = pod["status"]["containerStatuses"][0]
        return found

    def agree() -> None:
        # read at a steady moment: the crasher may restart between kubectl's two reads, and
        # be running, for a moment, when explain reads it
        before = status()
        text = explain(cluster, "container", "batch/crasher/worker")
        after = status()
        assert before == after, "the crasher moved while explain read it"
        assert "running" not in after["state"], "the crasher runs, for a moment"
        last = after["lastState"]["terminated"]
        assert f"last exit: {last['reason']} (exit {last['exitCode']})" in text
        state = after["state"]
        assert (
            f"waiting: {state['waiting']['reason']}" in text
            if "waiting" in state
            else f"terminated: {state['terminated']['reason']}" in text
        )
        assert text.rstrip().endswith("Next: kubectl logs -n batch crasher -c worker --previous")

    holds_within(agree)


def test_explain_node_lists_its_taints_as_the_node_has_them(cluster: TestCluster) -> None:
    for node in kubectl_items(cluster, "nodes"):
        text = explain(cluster, "node", node["metadata"]["name"])
        for taint in node["spec"].get("taints", []):
            assert f"Taint {taint['key']}" in text


def test_explain_what_does_not_exist_is_exit_2(cluster: TestCluster) -> None:
    result = run("explain", "pod", "shop/does-not-exist", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 2
    assert (
        result.stderr == "error: pod shop/does-not-exist not found: see kube-inspect tree -n shop\n"
    )


def test_tree_explain_keeps_every_row_of_the_tree_and_explains_the_odd_ones(
    cluster: TestCluster,
) -> None:
    def labels(text: str) -> list[str]:
        return re.findall(r"(?:node|pod|container)/\S+", text)

    def agree() -> None:
        # the plain tree is read before and after: a pod of an earlier test's namespace may
        # still be going away on kind; the crasher is, for a moment, running between two
        # waits (no note): the reads are taken again until they agree
        before = run("tree", kubeconfig=cluster.kubeconfig)
        explained = run("tree", "--explain", kubeconfig=cluster.kubeconfig)
        after = run("tree", kubeconfig=cluster.kubeconfig)
        assert before.returncode == explained.returncode == after.returncode == 0, explained.stderr
        rows = [line for line in explained.stdout.splitlines() if "↳" not in line]
        assert labels("\n".join(rows)) in (labels(before.stdout), labels(after.stdout))
        notes = [line.split("↳ ", 1)[1] for line in explained.stdout.splitlines() if "↳" in line]
        # a real kubelet (kind) flips the crasher between Error and CrashLoopBackOff
        assert any(note.startswith(("CrashLoopBackOff: ", "Error: ")) for note in notes)
        assert any(note.startswith("Unschedulable: no node can take it") for note in notes)
        assert not any("not in kube-inspect's table" in note for note in notes)

    holds_within(agree)
