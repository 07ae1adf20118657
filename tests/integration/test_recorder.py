"""deploy/recorder.yaml: `kube-inspect record` as a Deployment writing its journal to a volume.

The API server itself judges the manifest (a server-side dry run, in the test's own
namespace: nothing is created).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

RECORDER = Path(__file__).resolve().parents[2] / "deploy" / "recorder.yaml"


def _in_namespace(namespace: str) -> str:
    docs = [d for d in yaml.safe_load_all(RECORDER.read_text()) if d]
    for doc in docs:
        doc["metadata"]["namespace"] = namespace
    return yaml.safe_dump_all(docs)


def test_recorder_manifest_is_accepted_by_the_api_server(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "recorder.yaml"
    manifest.write_text(_in_namespace(scratch_namespace))
    out = cluster.kubectl("apply", "--dry-run=server", "-f", str(manifest))
    assert "persistentvolumeclaim/kube-inspect-journal created (server dry run)" in out
    assert "deployment.apps/kube-inspect-recorder created (server dry run)" in out
    # a dry run: nothing was made
    assert cluster.kubectl("get", "deployments,pvc", "-n", scratch_namespace, "-o", "name") == ""
