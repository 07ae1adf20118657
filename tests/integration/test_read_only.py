"""The read-only promise, read from the real API server's audit log.

Runs last (marker ``runs_last``): the audit log then holds every request the whole suite
made, restricted users and fault proxies included, and this test adds a run of every
command of the CLI.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from kube_inspect import __version__
from kube_inspect.cli import cli
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster
from tests.integration.test_record import start_recording

pytestmark = [pytest.mark.integration, pytest.mark.local_backend, pytest.mark.runs_last]

USER_AGENT = "kube-inspect"
GZIP_TEST_NAMESPACE = "ki-gzip-"  # tests/integration/test_compression.py's big_namespace

# The invocations of commands that have paths of their own. A command not listed here is
# run bare: every command of the CLI is audited.
INVOCATIONS: dict[str, list[list[str]]] = {
    "tree": [
        ["tree"],
        ["tree", "-o", "json"],
        ["tree", "-n", "shop"],
        ["tree", "-o", "wide", "--sort", "cpu", "--problems"],
        [
            "tree",
            "--node",
            "kwok-worker-1",
            "-l",
            "app=web",
            "--field-selector",
            "status.phase=Running",
        ],
        ["tree", "--node-selector", "kubernetes.io/os=linux", "-o", "yaml"],
        ["tree", "--all-contexts", "-o", "json"],  # the fleet's read, one thread a cluster
        ["tree", "--events", "-o", "json"],  # Warning events: one LIST
    ],
    "nodes": [["nodes"], ["nodes", "-o", "wide"], ["nodes", "--all-contexts"]],
    "pods": [["pods", "-o", "json", "-n", "batch"], ["pods", "-o", "wide"]],  # with claims
    "containers": [["containers", "-o", "csv"]],
    "completion": [["completion", "bash"]],
    "check": [
        ["check", "-o", "json"],
        ["check", "-n", "shop", "-l", "app=web", "--junit", "JUNIT"],
        ["check", "--expect", "EXPECT"],
        ["check", "-n", "batch", "--wait", "--timeout", "3s"],  # the crash loop: it watches
        ["check", "--all-contexts", "-n", "batch", "--wait", "--timeout", "3s"],  # a fleet's
    ],
    # diff comes before snapshot (sorted): it takes the snapshot it compares with first
    "diff": [
        ["snapshot", "-o", "SNAPSHOT"],
        ["diff", "SNAPSHOT"],
        ["check", "--baseline", "SNAPSHOT"],
    ],
    "snapshot": [["snapshot", "-n", "shop", "-o", "SNAPSHOT"]],
    # the server's tools run the views as children: test_mcp.py's calls are in the log
    "mcp": [["mcp", "--help"]],
}
# the second names a namespace with nothing in it: check asks whether it exists (a GET)
EXPECT = (
    "- kind: Deployment\n  namespace: shop\n  name: web\n  minReady: 1\n"
    "- kind: Deployment\n  namespace: no-such-namespace\n  name: web\n  minReady: 1\n"
)


def rbac_rules() -> tuple[set[tuple[str, str]], set[str], set[str]]:
    """Return deploy/rbac.yaml's ClusterRole: its (group, resource) pairs, verbs, and URLs."""
    docs = yaml.safe_load_all((Path(__file__).parents[2] / "deploy" / "rbac.yaml").read_text())
    (role,) = [d for d in docs if d["kind"] == "ClusterRole"]
    resources, verbs, urls = set(), set(), set()
    for rule in role["rules"]:
        verbs |= set(rule["verbs"])
        urls |= set(rule.get("nonResourceURLs") or [])
        for group in rule.get("apiGroups") or []:
            resources |= {(group, r) for r in rule["resources"]}
    return resources, verbs, urls


def _received_within(event: dict[str, Any], window: tuple[datetime, datetime]) -> bool:
    """Return True when the API server received the audited request within ``window``."""
    received = datetime.fromisoformat(event["requestReceivedTimestamp"].replace("Z", "+00:00"))
    return window[0] <= received <= window[1]


def test_kube_inspect_sends_only_get_list_and_watch(cluster: TestCluster, tmp_path: Path) -> None:
    assert cluster.audit_log is not None, f"the {cluster.backend} backend keeps no audit log"
    (tmp_path / "expect.yaml").write_text(EXPECT)
    files = {
        "JUNIT": str(tmp_path / "junit.xml"),
        "EXPECT": str(tmp_path / "expect.yaml"),
        "SNAPSHOT": str(tmp_path / "snapshot.json.gz"),
        "JOURNAL": str(tmp_path / "journal.sqlite"),
    }
    ran = set()
    # every command, loaded or not yet: commands are loaded lazily, so ``cli.commands``
    # holds only those some earlier test ran in this process (none when run alone)
    commands = set(cli.list_commands(click.Context(cli)))
    for command in sorted(commands):
        if command == "record":  # runs until stopped: a minute's recording, then SIGTERM
            began = datetime.now(UTC)
            recording = start_recording(cluster.kubeconfig, Path(files["JOURNAL"]))
            assert recording.stop() == 0 and "Traceback" not in "".join(recording.rest())
            recording_window = (began, datetime.now(UTC))
            ran.add(command)
            continue
        if command == "history":  # reads only the journal record writes: after the loop
            continue
        for args in INVOCATIONS.get(command) or [[command]]:
            args = [files.get(a, a) for a in args]
            result = run(*args, kubeconfig=cluster.kubeconfig)
            assert result.returncode in (0, 1, 4), (args, result.stderr)
            assert "Traceback" not in result.stderr
            ran.add(command)
    result = run("history", "--problems", "--from", files["JOURNAL"], kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    ran.add("history")
    assert ran == commands
    events = [json.loads(line) for line in cluster.audit_log.read_text().splitlines() if line]
    ours = [e for e in events if e.get("userAgent", "").startswith(USER_AGENT)]
    assert ours, "no request of kube-inspect reached the audit log"
    verbs = {e["verb"] for e in ours}
    assert verbs <= {"get", "list", "watch"}, verbs
    assert {"get", "list", "watch"} <= verbs  # check --wait watched
    # the recorder follows every event, Normal ones too (its own User-Agent says it is it)
    recorded = [e for e in ours if e.get("userAgent", "").endswith(" record")]
    assert {"list", "watch"} <= {e["verb"] for e in recorded} <= {"get", "list", "watch"}
    # it names itself from its first request on, the warm-up's /version GET included:
    # nothing else of kube-inspect's reached the API server while it ran
    during = [e for e in ours if _received_within(e, recording_window)]
    assert {e["userAgent"] for e in during} == {f"{USER_AGENT}/{__version__} record"}
    assert ("get", "/version") in {(e["verb"], e["requestURI"]) for e in during}
    assert {(e.get("objectRef") or {}).get("resource") for e in recorded} >= {"pods", "events"}
    views = [e for e in ours if e not in recorded]
    assert not [e for e in ours if (e.get("objectRef") or {}).get("resource") == "secrets"]
    events_read = [e for e in views if (e.get("objectRef") or {}).get("resource") == "events"]
    assert events_read, "tree --events listed no events"
    assert {e["verb"] for e in events_read} == {"list"}  # one LIST, never a GET per object
    assert all("fieldSelector=type%3DWarning" in e["requestURI"] for e in events_read)
    claims = [
        e for e in views if (e.get("objectRef") or {}).get("resource") == "persistentvolumeclaims"
    ]
    assert claims and {e["verb"] for e in claims} == {"list"}  # one LIST, never a get per pod
    # the in-cluster ClusterRole (deploy/rbac.yaml) holds exactly what a full run read
    resources, role_verbs, urls = rbac_rules()
    # test_compression.py lists ConfigMaps with the client itself, for a big enough LIST:
    # a test's read, not one of kube-inspect's commands
    refs = [
        e.get("objectRef")
        for e in ours
        if not (e.get("objectRef") or {}).get("namespace", "").startswith(GZIP_TEST_NAMESPACE)
    ]
    read = {(r.get("apiGroup", ""), r["resource"]) for r in refs if r and r.get("resource")}
    assert read == resources, (
        f"deploy/rbac.yaml: missing {read - resources}, unused {resources - read}"
    )
    assert verbs <= role_verbs and "secrets" not in {r for _, r in resources}
    paths = {e["requestURI"].split("?")[0] for e in ours if not e.get("objectRef")}
    assert paths <= urls, paths
