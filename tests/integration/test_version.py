"""The cluster runs the Kubernetes version the run asked for (make test-matrix relies on it)."""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.clusters.local import BUILD_SCRIPT
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration


def asked_version() -> str:
    """Return K8S_VERSION, else the default build.sh builds."""
    default = re.search(r"K8S_VERSION=\$\{K8S_VERSION:-(v[0-9.]+)\}", BUILD_SCRIPT.read_text())
    assert default is not None
    return os.environ.get("K8S_VERSION") or default.group(1)


@pytest.mark.local_backend
def test_local_api_server_is_the_version_built(cluster: TestCluster) -> None:
    served = json.loads(cluster.kubectl("version", "-o", "json"))["serverVersion"]
    assert served["gitVersion"] == asked_version()
    assert served["minor"] == asked_version().split(".")[1]
