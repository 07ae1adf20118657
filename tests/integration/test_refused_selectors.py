"""With -l and --node-selector both given, a refused selector is named by its own request.

The exit-2 line names the flag the refused request carried (the read plan puts it on the
error), never one guessed from the server's words. The API server's own refusal of a bad
selector gives the words; kubectl says which of the two selectors it accepts.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.clusters.httpfaults import HttpFaultProxy
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

GOOD_LABELS = "app=web"
GOOD_NODES = "kubernetes.io/os=linux"
BAD = "app=" + "v" * 64  # a label value over 63 characters: the API server refuses it


def kubectl_get(cluster: TestCluster, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [cluster.kubectl_bin, "--kubeconfig", str(cluster.kubeconfig), "get", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def server_refusal(cluster: TestCluster) -> str:
    """Return the words the API server answers a pod list with a bad label selector."""
    found = kubectl_get(cluster, "--raw", "/api/v1/pods?labelSelector=%3Dapp")
    assert found.returncode != 0
    return found.stderr.strip().split("(BadRequest): ", 1)[1]


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(("refused", "flag", "value"), [
    ("/api/v1/pods", "-l", GOOD_LABELS),
    ("/api/v1/nodes", "--node-selector", GOOD_NODES),
])  # fmt: skip
def test_the_refused_request_names_its_own_selector(
    cluster: TestCluster,
    http_fault_proxy: HttpFaultProxy,
    tmp_path: Path,
    refused: str,
    flag: str,
    value: str,
) -> None:
    words = server_refusal(cluster)
    assert kubectl_get(cluster, "pods", "-A", "-l", GOOD_LABELS).returncode == 0
    assert kubectl_get(cluster, "nodes", "-l", GOOD_NODES).returncode == 0
    rule = {"path": refused, "status": 400, "reason": "BadRequest", "message": words}
    http_fault_proxy.set_plan(rules=[rule])
    kubeconfig = http_fault_proxy.kubeconfig(tmp_path / "via-mitmproxy.yaml")
    args = ("tree", "-A", "-l", GOOD_LABELS, "--node-selector", GOOD_NODES)
    line = error_line(run(*args, kubeconfig=kubeconfig))
    assert line == f"error: invalid {flag} {value!r}: the API server says: {words}"
    answered = [r["injected"] for r in http_fault_proxy.requests() if r["path"] == refused]
    assert 400 in answered


@pytest.mark.parametrize(("labels", "nodes", "named"), [
    (BAD, GOOD_NODES, "-l"),
    (GOOD_LABELS, BAD, "--node-selector"),
])  # fmt: skip
@pytest.mark.parametrize("command", ["tree", "pods"])
def test_a_bad_selector_beside_a_good_one_is_named(
    cluster: TestCluster, command: str, labels: str, nodes: str, named: str
) -> None:
    # the API server refuses the bad one, as kubectl shows, and takes the good one
    assert kubectl_get(cluster, "pods", "-A", "-l", labels).returncode == (labels == BAD)
    assert kubectl_get(cluster, "nodes", "-l", nodes).returncode == (nodes == BAD)
    args = (command, "-A", "-l", labels, "--node-selector", nodes)
    line = error_line(run(*args, kubeconfig=cluster.kubeconfig))
    assert line.startswith(f"error: invalid label selector {BAD!r}: ")
    assert line.endswith(f" (in {named})")
