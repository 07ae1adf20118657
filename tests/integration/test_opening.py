"""Connections opened ahead, on the real API server: opened before any read, then reused.

The CLI opens as many connections as the read plan has requests in flight at once, as
soon as the kubeconfig is read (kube/opening.py, kube/warming.py): the reads must find
them open and open no other; a server that cannot be reached is reported as before.
"""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pytest
import yaml

from kube_inspect.cli.options import ClusterFlags
from kube_inspect.cli.reading import kubeconfig_client
from kube_inspect.errors import EXIT_UNREACHABLE
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.transport import HttpTransport
from kube_inspect.kube.warming import WarmingPool
from kube_inspect.read.plan import plan_reads
from kube_inspect.read.selection import Selection
from tests.integration.cli_runner import invoke, run
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration


def pool_of(client: KubeClient) -> WarmingPool:
    """Return the HTTPS pool the client's requests go through."""
    transport = client._transport  # the test looks at what was opened
    assert isinstance(transport, HttpTransport)
    pool = transport._current_pool().connection_from_url(client.target.server)
    assert isinstance(pool, WarmingPool)
    return pool


def opened_ahead(pool: WarmingPool, seconds: float = 10) -> list[bool]:
    """Return, for each connection opened ahead and not taken yet, whether it is connected."""
    ahead = list(pool._ahead)  # the test looks at what was opened
    wait(ahead, timeout=seconds)
    return [f.done() and not f.result().is_closed for f in ahead]


def test_the_plan_s_connections_are_open_before_any_read(cluster: TestCluster) -> None:
    """kubeconfig_client opens what the plan needs; reads sent at once open nothing more."""
    wanted = plan_reads(Selection()).connections
    assert wanted >= 4  # the default tree: version, pods, nodes, owners, metrics...
    client = kubeconfig_client(ClusterFlags(str(cluster.kubeconfig), None, 30.0), wanted)
    try:
        pool = pool_of(client)
        assert client.version().startswith("v")  # the warm-up's answer, on the first one
        # before: one connection, opened by the warm-up after every import
        assert opened_ahead(pool) == [True] * (wanted - 1)
        assert pool.num_connections == wanted
        paths = ["/api/v1/nodes", "/api/v1/namespaces", "/api/v1/pods", "/version"]
        paths += ["/apis/apps/v1/replicasets"] * (wanted - len(paths))
        with ThreadPoolExecutor(len(paths)) as sending:  # at once, as the plan sends them
            answers = list(sending.map(client.get, paths))
        assert [a.get("kind") for a in answers[:3]] == ["NodeList", "NamespaceList", "PodList"]
        assert pool.num_connections == wanted  # each read took a connection already open
    finally:
        client.close()


def test_tree_reads_through_the_connections_opened_ahead(cluster: TestCluster) -> None:
    """The whole tree, read over the connections opened ahead, holds every pod kubectl lists.

    kubectl lists before and after the tree: a pod of an earlier test's namespace may still
    be going away (a real kubelet takes its grace period), so the tree must hold every pod
    both listings hold and nothing neither holds.
    """

    def listed() -> set[str]:
        items = json.loads(cluster.kubectl("get", "pods", "-A", "-o", "json"))["items"]
        return {p["metadata"]["name"] for p in items}

    before = listed()
    result = invoke("tree", "-o", "json", "-q", kubeconfig=cluster.kubeconfig)
    after = listed()
    assert result.returncode == 0, result.stderr
    assert before & after  # the sample cluster has pods
    shown = json.loads(result.stdout)["cluster"]
    found = {p["name"] for n in shown["nodes"] for p in n["pods"]}
    found |= {p["name"] for p in shown["unscheduled"]}
    assert before & after <= found <= before | after, (before ^ after, found)


def test_a_server_nobody_listens_on_is_reported_once(cluster: TestCluster, tmp_path: Path) -> None:
    """Connections opened ahead that fail say nothing; the read says why, in one line."""
    with socket.socket() as s:  # a port of 127.0.0.1 nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    doc = yaml.safe_load(cluster.kubeconfig.read_text())
    doc["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"
    kubeconfig = tmp_path / "closed.yaml"
    kubeconfig.write_text(yaml.safe_dump(doc))
    result = run("tree", kubeconfig=kubeconfig)
    assert result.returncode == EXIT_UNREACHABLE, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0], result.stderr
