from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from kubernetes import client as k8s

from kube_inspect.errors import ReadOnlyViolation
from kube_inspect.interpret.objects import build_cluster
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.kubernetes_fallback import ReadOnlyApiClient
from tests.unit.conftest import load
from tests.unit.test_cli import kubeconfig


def test_read_only_client_refuses_writes_before_sending() -> None:
    configuration = k8s.Configuration()
    configuration.host = "https://127.0.0.1:1"  # nothing listens: a sent request would fail
    api = ReadOnlyApiClient(configuration)
    core = k8s.CoreV1Api(api)
    with pytest.raises(ReadOnlyViolation, match="refused to send DELETE"):
        core.delete_namespace("default")
    with pytest.raises(ReadOnlyViolation, match="refused to send POST"):
        core.create_namespace(k8s.V1Namespace(metadata=k8s.V1ObjectMeta(name="x")))
    with pytest.raises(ReadOnlyViolation, match="refused to send PATCH"):
        core.patch_node("n", {"spec": {"unschedulable": True}})
    with pytest.raises(ReadOnlyViolation, match="refused to send PUT"):
        core.replace_node("n", k8s.V1Node(metadata=k8s.V1ObjectMeta(name="n")))


def test_client_never_persists_the_kubeconfig(tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    before = config.read_bytes()
    KubeClient.from_kubeconfig(str(config), None, 1.0).close()
    assert config.read_bytes() == before


def recorded_pages(monkeypatch: pytest.MonkeyPatch, page_size: int) -> list[str]:
    """Serve the recorded LISTs through KubeClient.get, in pages with continue tokens."""
    requests: list[str] = []
    lists = {"/api/v1/nodes": load("nodes.json"), "/api/v1/pods": load("pods.json")}

    def get(
        self: KubeClient,
        path: str,
        query: list[tuple[str, Any]] | None = None,
        decode: Callable[[bytes], Any] = json.loads,
        policy: Any = None,
        accept: str = "",
    ) -> Any:
        params = dict(query or [])
        requests.append(f"{path}?continue={params.get('continue', '')}")
        start = int(params.get("continue") or 0)
        items = lists[path]["items"]
        page = items[start : start + page_size]
        more = start + page_size < len(items)
        body = {"metadata": {"continue": str(start + page_size) if more else ""}, "items": page}
        return decode(json.dumps(body).encode())  # through the decoder the client chose

    monkeypatch.setattr(KubeClient, "get", get)
    monkeypatch.setattr("kube_inspect.kube.paging.PAGE_SIZE", page_size)
    monkeypatch.setattr("kube_inspect.kube.paging.STREAM_PAGE_SIZE", page_size)
    return requests


@pytest.fixture
def offline_client(tmp_path: Path) -> Iterator[KubeClient]:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    client = KubeClient.from_kubeconfig(str(config), None, 1.0)
    yield client
    client.close()


def test_streamed_pods_are_the_listed_pods_in_order(
    monkeypatch: pytest.MonkeyPatch, offline_client: KubeClient
) -> None:
    requests = recorded_pages(monkeypatch, page_size=4)
    listed = offline_client.list_pods()
    streamed = list(offline_client.stream_pods())
    assert listed == load("pods.json")["items"]
    assert [p["metadata"]["name"] for p in streamed] == [p["metadata"]["name"] for p in listed]
    # only what the aggregator reads is kept (test_decode checks it builds the same model)
    assert all(part_of(s, p) for s, p in zip(streamed, listed, strict=True))
    assert all(
        "annotations" not in p["metadata"] and "managedFields" not in p["metadata"]
        for p in streamed
    )
    assert len(requests) == 2 * -(-len(listed) // 4)  # every page read, twice over


def part_of(part: Any, whole: Any) -> bool:
    """Return True when ``part`` is ``whole`` with some keys of its objects left out.

    A skipped value (a volume's source: only its presence is read) stands for any object.
    """
    if isinstance(part, msgspec.Struct):
        return isinstance(whole, dict)
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(
            k in whole and part_of(v, whole[k]) for k, v in part.items()
        )
    if isinstance(part, list):
        return (
            isinstance(whole, list)
            and len(part) == len(whole)
            and all(part_of(a, b) for a, b in zip(part, whole, strict=True))
        )
    return bool(part == whole)


class PagesTold:
    """A kube.progress.Progress that only adds up what the client tells it."""

    def __init__(self) -> None:
        self.counts: dict[str, tuple[int, int]] = {}

    def page(self, kind: str, objects: int) -> None:
        pages, total = self.counts.get(kind, (0, 0))
        self.counts[kind] = (pages + 1, total + objects)

    def done(self) -> None:
        pass


def test_streaming_reports_pages_and_objects_to_the_progress_it_is_given(
    monkeypatch: pytest.MonkeyPatch, offline_client: KubeClient
) -> None:
    recorded_pages(monkeypatch, page_size=4)
    told = offline_client.progress = PagesTold()
    nodes, pods = offline_client.stream_nodes(), offline_client.stream_pods()
    node_count, pod_count = len(list(nodes)), len(list(pods))
    assert told.counts == {
        "nodes": (-(-node_count // 4), node_count),
        "pods": (-(-pod_count // 4), pod_count),
    }


def test_the_streamed_hierarchy_is_the_listed_one(
    monkeypatch: pytest.MonkeyPatch, offline_client: KubeClient
) -> None:
    recorded_pages(monkeypatch, page_size=3)
    listed = build_cluster(
        context="c",
        server="s",
        version="v",
        nodes=offline_client.list_nodes(),
        pods=offline_client.list_pods(),
    )
    streamed = build_cluster(
        context="c",
        server="s",
        version="v",
        nodes=offline_client.stream_nodes(),
        pods=offline_client.stream_pods(),
    )
    assert streamed == listed
    assert len(streamed.pods) == len(load("pods.json")["items"])


def test_a_streamed_page_lets_go_of_its_body_once_handed_on(
    monkeypatch: pytest.MonkeyPatch, offline_client: KubeClient
) -> None:
    # the pages' generator holds each page while it reads the next: without its raw body
    recorded_pages(monkeypatch, page_size=4)
    pages, read = offline_client.pages, []

    def recorded(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for page in pages(*args, **kwargs):
            read.append(page)
            yield page

    monkeypatch.setattr(offline_client, "pages", recorded)
    streamed = list(offline_client.stream_pods())
    assert len(read) == -(-len(streamed) // 4) > 1
    assert all("body" not in page and "metadata" in page for page in read)
