"""Options shared by the whole suite: which backend the cluster fixture uses."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kube-inspect cluster")
    group.addoption(
        "--cluster-backend",
        choices=("auto", "kind", "local", "existing"),
        default=os.environ.get("KUBE_INSPECT_TEST_BACKEND", "auto"),
        help="Where integration tests get a cluster: kind (Docker), local (binaries), "
        "existing (read-only tests on --existing-kubeconfig); auto: kind when Docker "
        "answers, else local. Env: KUBE_INSPECT_TEST_BACKEND.",
    )
    group.addoption(
        "--existing-kubeconfig",
        default=os.environ.get("KUBE_INSPECT_TEST_KUBECONFIG"),
        help="Kubeconfig of the cluster the existing backend uses. "
        "Env: KUBE_INSPECT_TEST_KUBECONFIG.",
    )
