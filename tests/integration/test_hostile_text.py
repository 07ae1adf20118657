"""Cluster text with ESC sequences and line breaks, from a real API server, is shown escaped.

kwok's waiting stage writes a container's reason from the pod's annotation
(tests/fixtures/localcluster/stages), and a terminated container's reason and message are
written to the pod's status as a kubelet writes them (kwok's own failure stage cannot
quote them): text holding ESC sequences, a line break and a GitHub workflow command.
The API server stores it as is (read back with kubectl); tree, containers, check (text
and GitHub Actions) and explain show it escaped; no line of check's stdout starts with it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kube_inspect.cli import cli
from kube_inspect.interpret.words import printable
from tests.integration.cli_runner import KUBE_INSPECT, invoke
from tests.integration.conftest import TestCluster, holds_within

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]

HOSTILE = "Evil\x1b[2J\x1b]0;pwned\x07\n::warning file=x::injected"


def _pods(namespace: str) -> list[dict[str, object]]:
    container = {"name": "app", "image": "registry.example/app:1"}
    return [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "waiting",
                "namespace": namespace,
                "labels": {"kube-inspect.test/waiting": "true"},
                "annotations": {"kube-inspect.test/waiting-reason": HOSTILE},
            },
            "spec": {"containers": [container]},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "failed", "namespace": namespace},
            "spec": {"restartPolicy": "Never", "containers": [container]},
        },
    ]


def _reasons(cluster: TestCluster, namespace: str) -> set[str]:
    """Return every container reason and message the API server holds in ``namespace``."""
    pods = json.loads(cluster.kubectl("get", "pods", "-n", namespace, "-o", "json"))["items"]
    found = set()
    for pod in pods:
        for status in pod.get("status", {}).get("containerStatuses") or ():
            for state in status.get("state", {}).values():
                found |= {state.get("reason"), state.get("message")}
    return found


@pytest.fixture
def hostile_namespace(cluster: TestCluster, scratch_namespace: str, tmp_path: Path) -> str:
    """Return a namespace whose pods' containers carry HOSTILE as reason and message."""
    manifest = tmp_path / "hostile.json"
    manifest.write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": _pods(scratch_namespace)})
    )
    cluster.kubectl("apply", "-f", str(manifest))
    cluster.kubectl(
        "wait", "-n", scratch_namespace, "--for=jsonpath={.status.phase}=Running", "pod/failed"
    )
    # its container ends as a kubelet reports it (kwok's own failure stage cannot quote ESC)
    terminated = {"exitCode": 1, "reason": HOSTILE, "message": HOSTILE}
    status = {
        "phase": "Failed",
        "containerStatuses": [
            {
                "name": "app",
                "image": "registry.example/app:1",
                "imageID": "",
                "ready": False,
                "restartCount": 0,
                "state": {"terminated": terminated},
            }
        ],
    }
    cluster.kubectl(
        "patch", "pod", "failed", "-n", scratch_namespace, "--subresource=status",
        "--type=merge", "-p", json.dumps({"status": status}),
    )  # fmt: skip

    def stored() -> None:  # the API server holds the text as is
        assert HOSTILE in _reasons(cluster, scratch_namespace)
        pods = json.loads(cluster.kubectl("get", "pods", "-n", scratch_namespace, "-o", "json"))
        phases = {p["metadata"]["name"]: p["status"].get("phase") for p in pods["items"]}
        assert phases.get("failed") == "Failed", phases
        waiting = next(p for p in pods["items"] if p["metadata"]["name"] == "waiting")
        statuses = waiting["status"].get("containerStatuses") or [{}]
        assert statuses[0].get("state", {}).get("waiting", {}).get("reason") == HOSTILE

    holds_within(stored, timeout=90)
    return scratch_namespace


def _assert_escaped(text: str) -> None:
    assert printable(HOSTILE) in text, text
    assert "\x1b" not in text and "\x07" not in text
    assert not [line for line in text.splitlines() if line.startswith("::warning")]


@pytest.mark.parametrize(
    "args",
    [
        ["tree"],
        ["tree", "-o", "wide"],
        ["containers"],
        ["containers", "-o", "wide"],
        ["check"],
        ["explain"],
        ["explain", "pod", "{ns}/failed"],
        ["explain", "container", "{ns}/waiting/app"],
    ],
    ids=" ".join,
)
def test_hostile_cluster_text_is_shown_escaped(
    cluster: TestCluster, hostile_namespace: str, args: list[str]
) -> None:
    args = [a.format(ns=hostile_namespace) for a in args]
    namespaced = (
        args if args[0] == "explain" and len(args) > 1 else [*args, "-n", hostile_namespace]
    )
    result = invoke(*namespaced, kubeconfig=cluster.kubeconfig)
    assert result.returncode in (0, 1), result.stderr
    _assert_escaped(result.stdout)


def test_check_under_github_actions_starts_no_line_with_cluster_text(
    cluster: TestCluster, hostile_namespace: str, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    env = {
        "KUBECONFIG": str(cluster.kubeconfig),
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    result = CliRunner().invoke(cli, ["check", "-n", hostile_namespace], env=env)
    assert result.exit_code == 1, result.output
    assert "::error title=kube-inspect container-state::" in result.stdout
    _assert_escaped(result.stdout)
    summary_text = summary.read_text()  # a Markdown cell: a line break is a space there
    assert "Evil\\x1b[2J" in summary_text and "\x1b" not in summary_text
    assert not [line for line in summary_text.splitlines() if line.startswith("::")]
    # the same through a process, as a runner would read its stdout
    process = subprocess.run(
        [str(KUBE_INSPECT), "check", "-n", hostile_namespace],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 1, process.stderr
    _assert_escaped(process.stdout)
