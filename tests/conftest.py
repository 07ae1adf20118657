"""Options shared by the whole suite: which backend the cluster fixture uses."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator

import pytest

from tests.clusters.postgres import PostgresServer, postgres_available

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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Yield a PostgreSQL server of the session's own (tests/clusters/postgres.py)."""
    if not postgres_available():
        pytest.skip("no PostgreSQL server binaries: make system-deps installs them")
    server = PostgresServer().start()
    try:
        yield server
    finally:
        assert server.stop(), "the PostgreSQL server outlived its fixture"


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """Return the URL of a fresh, empty database of the test's own on the session's server."""
    return postgres_server.create_database(f"ki_{uuid.uuid4().hex[:12]}")
