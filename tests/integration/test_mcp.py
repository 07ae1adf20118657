"""`kube-inspect mcp`: the SDK's own client drives the server over stdio, against a real cluster.

Each tool's answer is compared with what the CLI prints for the same view and flags: the
server adds no read path of its own. The audit-log test (test_read_only.py) covers the
requests its children send.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster
from tests.integration.restricted_users import issue_user

pytestmark = pytest.mark.integration

SNAPSHOT = Path(__file__).parents[1] / "fixtures" / "sample-snapshot.json"
TOOLS = {"tree", "pods", "nodes", "check", "explain"}
Done = subprocess.CompletedProcess[str]


def served(*args: str) -> StdioServerParameters:
    """Return how to start `kube-inspect mcp ARGS` as an assistant would."""
    return StdioServerParameters(command=sys.executable, args=["-m", "kube_inspect", "mcp", *args])


def call_all(server: StdioServerParameters, calls: list[tuple[str, dict[str, Any]]]) -> Any:
    """Return the tool names, then each call's structured answer, in one session."""

    async def session() -> tuple[set[str], list[dict[str, Any]]]:
        async with Client(server, read_timeout_seconds=120) as client:
            listed = await client.list_tools()
            answers = []
            for name, arguments in calls:
                result = await client.call_tool(name, arguments)
                assert not result.is_error, result.content
                assert isinstance(result.structured_content, dict)
                answers.append(result.structured_content)
            return {t.name for t in listed.tools}, answers

    return anyio.run(session)


def pods_by_node(tree: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """Return each node's pods as (namespace, name, phase): what must agree between two reads."""
    return {
        node["name"]: sorted((p["namespace"], p["name"], p["phase"]) for p in node["pods"])
        for node in tree["cluster"]["nodes"]
    }


def pod_places(tree: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    """Return each pod on a node as (node, namespace, name, phase), to bracket a read."""
    return {(node, *pod) for node, pods in pods_by_node(tree).items() for pod in pods}


def rule_verdicts(report: dict[str, Any]) -> list[tuple[str, bool, int, int]]:
    """Return each rule's verdict and counts from check's JSON."""
    return [(r["name"], r["passed"], r["checked"], r["failed"]) for r in report["rules"]]


def test_offline_tools_answer_what_the_cli_prints() -> None:
    names, answers = call_all(
        served("--from", str(SNAPSHOT)),
        [("tree", {"namespace": "shop"}), ("check", {}), ("pods", {"problems": True})],
    )
    assert names == TOOLS
    for (view, args), got in zip(
        [("tree", ["-n", "shop"]), ("check", []), ("pods", ["--problems"])], answers, strict=True
    ):
        cli = run(view, "-o", "json", "--from", str(SNAPSHOT), *args)
        assert got["exit_code"] == cli.returncode
        assert got["result"] == json.loads(cli.stdout), view


def test_tools_read_the_live_cluster_as_the_cli_does(cluster: TestCluster) -> None:
    """Each tool answers as the CLI does, read just before and just after the server's run.

    The cluster moves between the reads (a pod of an earlier test's namespace may still be
    going away on kind, the shop's stuck pod may pass pod-pending's age limit): what the
    tools say must be what one of the two CLI reads says, and what both say when they agree.
    """

    def cli_reads() -> tuple[Done, Done]:  # tree, then check of the shop
        tree = run("tree", "-o", "json", kubeconfig=cluster.kubeconfig)
        assert tree.returncode == 0, tree.stderr
        return tree, run("check", "-o", "json", "-n", "shop", kubeconfig=cluster.kubeconfig)

    kubeconfig = str(cluster.kubeconfig)
    cli_before = cli_reads()
    names, (tree, check, pods, explain) = call_all(
        served("--kubeconfig", kubeconfig),
        [
            ("tree", {}),
            ("check", {"namespace": "shop"}),
            ("pods", {"namespace": "shop"}),
            ("explain", {"what": "pod shop/multi"}),
        ],
    )
    cli_after = cli_reads()
    assert names == TOOLS
    assert tree["exit_code"] == 0
    cli_trees = [json.loads(cli[0].stdout) for cli in (cli_before, cli_after)]
    nodes = {*pods_by_node(tree["result"])}
    assert nodes == {*pods_by_node(cli_trees[0])} == {*pods_by_node(cli_trees[1])}
    placed = [pod_places(t) for t in cli_trees]
    both, either = placed[0] & placed[1], placed[0] | placed[1]
    assert both <= pod_places(tree["result"]) <= either, (either - both, tree["result"])
    checked = [
        (cli[1].returncode, rule_verdicts(json.loads(cli[1].stdout)))
        for cli in (cli_before, cli_after)
    ]
    assert (check["exit_code"], rule_verdicts(check["result"])) in checked
    listed = json.loads(cluster.kubectl("get", "pods", "-n", "shop", "-o", "json"))
    assert sorted(p["name"] for p in pods["result"]["pods"]) == sorted(
        p["metadata"]["name"] for p in listed["items"]
    )
    assert explain["exit_code"] == 0
    assert "shop/multi" in explain["result"]


@pytest.mark.local_backend
def test_a_restricted_user_gets_a_partial_answer(cluster: TestCluster, tmp_path: Path) -> None:
    user = f"mcp-viewer-{uuid.uuid4().hex[:6]}"
    namespace = "shop"
    cluster.kubectl(
        "create", "rolebinding", user, "--clusterrole=view", f"--user={user}", "-n", namespace
    )  # fmt: skip
    try:
        kubeconfig = issue_user(cluster, user, tmp_path / "viewer.yaml")
        _, (tree,) = call_all(
            served("--kubeconfig", str(kubeconfig)), [("tree", {"namespace": namespace})]
        )
        cli = run("tree", "-o", "json", "-n", namespace, kubeconfig=kubeconfig)
    finally:
        cluster.kubectl("delete", "rolebinding", user, "-n", namespace)
    assert tree["exit_code"] == cli.returncode == 4
    assert tree["meaning"].startswith("partial result")
    assert f'user "{user}" may not list nodes' in tree["stderr"]
    assert pods_by_node(tree["result"]) == pods_by_node(json.loads(cli.stdout))
