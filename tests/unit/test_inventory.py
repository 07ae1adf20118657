from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kube_inspect.errors import ApiError, Gone
from kube_inspect.kube.client import KubeClient, Target
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import Selection
from tests.unit.conftest import load
from tests.unit.test_cli import recorded_get


def client() -> KubeClient:
    return KubeClient(None, Target("c", "https://127.0.0.1:1"), 1.0)  # type: ignore[arg-type]


def test_a_streamed_list_that_expires_is_read_again_once(monkeypatch: pytest.MonkeyPatch) -> None:
    failures = {"left": 1}

    def get(
        self: KubeClient, path: str, query: Any = None, decode: Any = None, policy: Any = None
    ) -> Any:
        if path == "/api/v1/pods" and failures["left"]:  # the streamed list
            failures["left"] -= 1
            raise ApiError("the continue token expired (410 Gone)", 410)
        return recorded_get(self, path, query, decode)

    monkeypatch.setattr(KubeClient, "get", get)
    cluster = read_cluster(client(), Selection(), ForbiddenReads())
    assert failures["left"] == 0
    names = sorted(f"{p.namespace}/{p.name}" for p in cluster.pods)
    recorded = load("pods.json")["items"]
    assert names == sorted(
        f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in recorded
    )


def test_streamed_and_listed_pods_build_the_same_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(KubeClient, "get", recorded_get)
    streamed = read_cluster(client(), Selection(namespace="shop"))

    def listed(self: KubeClient, *args: Any) -> Iterator[dict[str, Any]]:
        yield from self.list_pods(*args)  # whole pages, full JSON decoder, no read-ahead

    monkeypatch.setattr(KubeClient, "stream_pods", listed)
    assert read_cluster(client(), Selection(namespace="shop")) == streamed
    assert streamed.pods


def test_a_streamed_list_that_expires_twice_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    def get(
        self: KubeClient, path: str, query: Any = None, decode: Any = None, policy: Any = None
    ) -> Any:
        if path == "/api/v1/pods":  # the streamed list, read by tree
            raise ApiError("the continue token expired (410 Gone)", 410)
        return recorded_get(self, path, query, decode)

    monkeypatch.setattr(KubeClient, "get", get)
    with pytest.raises(Gone, match="expired twice while being read in pages"):
        read_cluster(client(), Selection(), ForbiddenReads())


def test_a_metrics_server_that_is_down_costs_one_request_and_a_notice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def get_once(self: KubeClient, path: str, query: Any = None, decode: Any = None) -> Any:
        if path.startswith("/apis/metrics.k8s.io/"):
            asked.append(path)
            raise ApiError("the API server failed (503: service unavailable)", 503)
        return recorded_get(self, path, query, decode)

    monkeypatch.setattr(KubeClient, "_get_once", get_once)
    cluster = read_cluster(client(), Selection(with_usage=True), ForbiddenReads())
    assert asked == ["/apis/metrics.k8s.io/v1beta1/nodes"]  # no retries, no pod metrics
    assert cluster.notices == ("metrics.k8s.io is not answering (503): usage reads n/a",)
    assert all(n.usage is None for n in cluster.nodes)
