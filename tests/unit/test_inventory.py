"""read_cluster, the one read path, on a client answering with the recorded sample."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kube_inspect.errors import ApiError, Gone
from kube_inspect.kube.prefetch import PageStream, Prefetched
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import Selection
from tests.unit.conftest import load
from tests.unit.recorded import RecordedClient


class ExpiringClient(RecordedClient):
    """Answers the first ``expiries`` reads of pods with 410 Gone.

    As the API server does once etcd has compacted the revision a paged list was reading.
    """

    def __init__(self, expiries: int) -> None:
        super().__init__()
        self.expiries = expiries

    def _get_once(
        self, path: str, query: Any, decode: Callable[[bytes], Any], accept: str = ""
    ) -> Any:
        if path == "/api/v1/pods" and self.expiries:  # the streamed list
            self.expiries -= 1
            raise ApiError("the continue token expired (410 Gone)", 410)
        return super()._get_once(path, query, decode, accept)


def test_a_streamed_list_that_expires_is_read_again_once() -> None:
    client = ExpiringClient(expiries=1)
    cluster = read_cluster(client, Selection(), ForbiddenReads())
    assert client.expiries == 0
    names = sorted(f"{p.namespace}/{p.name}" for p in cluster.pods)
    recorded = load("pods.json")["items"]
    assert names == sorted(
        f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in recorded
    )


class ListingClient(RecordedClient):
    """Lists pods in whole pages with the full JSON decoder, instead of streaming them."""

    def stream_pod_list(
        self, path: str, query: list[tuple[str, Any]], with_volumes: bool = True
    ) -> PageStream[dict[str, Any]]:
        listed = self.list_all(path, query)  # whole pages, full JSON decoder, no read-ahead
        return PageStream(Prefetched([b""], batch=1), lambda body: listed)


def test_streamed_and_listed_pods_build_the_same_cluster() -> None:
    streamed = read_cluster(RecordedClient(), Selection(namespace="shop"))
    assert read_cluster(ListingClient(), Selection(namespace="shop")) == streamed
    assert streamed.pods


def test_a_streamed_list_that_expires_twice_is_gone() -> None:
    with pytest.raises(Gone, match="expired twice while being read in pages"):
        read_cluster(ExpiringClient(expiries=2), Selection(), ForbiddenReads())


class MetricsDownClient(RecordedClient):
    """Serves the sample, but its metrics.k8s.io answers 503 (registered, not answering)."""

    def _get_once(
        self, path: str, query: Any, decode: Callable[[bytes], Any], accept: str = ""
    ) -> Any:
        if path.startswith("/apis/metrics.k8s.io/"):
            self.paths.append(path)
            raise ApiError("the API server failed (503: service unavailable)", 503)
        return super()._get_once(path, query, decode, accept)


def test_a_metrics_server_that_is_down_costs_one_request_and_a_notice() -> None:
    client = MetricsDownClient()
    cluster = read_cluster(client, Selection(with_usage=True), ForbiddenReads())
    asked = [p for p in client.paths if p.startswith("/apis/metrics.k8s.io/")]
    assert asked == ["/apis/metrics.k8s.io/v1beta1/nodes"]  # no retries, no pod metrics
    assert cluster.notices == ("metrics.k8s.io is not answering (503): usage reads n/a",)
    assert all(n.usage is None for n in cluster.nodes)


def test_a_user_who_may_not_list_nodes_still_gets_the_pods_of_the_node_asked_for() -> None:
    node = next(
        p["spec"]["nodeName"] for p in load("pods.json")["items"] if p["spec"].get("nodeName")
    )
    forbidden = ForbiddenReads()
    cluster = read_cluster(
        RecordedClient(forbidden=("nodes",)), Selection(nodes=(node,)), forbidden
    )
    expected = {
        p["metadata"]["name"]
        for p in load("pods.json")["items"]
        if p["spec"].get("nodeName") == node
    }
    assert {p.name for p in cluster.pods} == expected and expected
    assert forbidden.what == ["nodes"] and cluster.unread == ("nodes",)
    assert [n.listed for n in cluster.nodes] == [False]


def test_a_refused_pod_list_is_unread_not_empty() -> None:
    forbidden = ForbiddenReads()
    cluster = read_cluster(RecordedClient(forbidden=("pods",)), Selection(), forbidden)
    assert cluster.unread == ("pods",) and forbidden.what == ["pods"]
    assert cluster.nodes  # the nodes are still shown


def test_a_node_asked_for_that_does_not_exist_is_named_missing() -> None:
    cluster = read_cluster(RecordedClient(), Selection(nodes=("no-such-node",)), ForbiddenReads())
    assert cluster.missing_nodes == ("no-such-node",) and not cluster.pods


def test_every_selection_filter_reaches_the_server() -> None:
    client = RecordedClient()
    read_cluster(client, Selection(namespace="shop", with_usage=False), ForbiddenReads())
    assert "/api/v1/namespaces/shop/pods" in client.paths
    assert "/apis/apps/v1/namespaces/shop/replicasets" in client.paths
