"""Options shared by the whole suite: which backend the cluster fixture uses."""

from __future__ import annotations

import os
import signal

import pytest

# A run started in the background (nohup, `cmd &`, some CI runners) inherits SIGINT
# ignored, and so would every kube-inspect it starts: the watch tests press Ctrl-C.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kube-inspect cluster")
    group.addoption(
        "--cluster-backend",
        choices=("auto", "both", "kind", "local", "existing"),
        default=os.environ.get("KUBE_INSPECT_TEST_BACKEND", "auto"),
        help="Where integration tests get a cluster: kind (real kubelets in Docker), local "
        "(binaries, kwok's simulated kubelets), both (each test on each, ids [kind] and "
        "[local]), existing (read-only tests on --existing-kubeconfig); auto: both where a "
        "Docker engine answers or can be started here, else local. "
        "Env: KUBE_INSPECT_TEST_BACKEND.",
    )
    group.addoption(
        "--existing-kubeconfig",
        default=os.environ.get("KUBE_INSPECT_TEST_KUBECONFIG"),
        help="Kubeconfig of the cluster the existing backend uses. "
        "Env: KUBE_INSPECT_TEST_KUBECONFIG.",
    )
