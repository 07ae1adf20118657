"""The read-only promise, read from the real API server's audit log."""

from __future__ import annotations

import json

import pytest

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]

USER_AGENT = "kube-inspect"


def test_kube_inspect_sends_only_get_list_and_watch(cluster: TestCluster) -> None:
    assert cluster.audit_log is not None, f"the {cluster.backend} backend keeps no audit log"
    for args in (["tree"], ["tree", "-o", "json"], ["tree", "-n", "shop"]):
        assert run(*args, kubeconfig=cluster.kubeconfig).returncode == 0
    events = [json.loads(line) for line in cluster.audit_log.read_text().splitlines() if line]
    ours = [e for e in events if e.get("userAgent", "").startswith(USER_AGENT)]
    assert ours, "no request of kube-inspect reached the audit log"
    verbs = {e["verb"] for e in ours}
    assert verbs <= {"get", "list", "watch"}
    assert {"get", "list"} <= verbs
    assert not [e for e in ours if (e.get("objectRef") or {}).get("resource") == "secrets"]
