"""The sender: a plan's reads go out together, and each failure is raised where it is used."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest

from kube_inspect.errors import Forbidden
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import Selection
from kube_inspect.read.sending import MAX_IN_FLIGHT, Sender
from tests.unit.recorded import RecordedClient


def test_reads_are_in_flight_together() -> None:
    sender = Sender(cast(Any, None))
    together = threading.Barrier(MAX_IN_FLIGHT, timeout=5)  # broken unless all wait at once
    try:
        futures = [sender.start(together.wait) for _ in range(MAX_IN_FLIGHT)]
        assert sorted(f.result(timeout=10) for f in futures) == list(range(MAX_IN_FLIGHT))
    finally:
        sender.close()


def test_a_failure_is_raised_where_the_answer_is_awaited() -> None:
    sender = Sender(cast(Any, None))

    def refused() -> None:
        raise Forbidden("forbidden: nodes")

    try:
        future = sender.start(refused)
        with pytest.raises(Forbidden):
            future.result(timeout=10)
    finally:
        sender.close()


def test_reads_not_started_are_dropped_when_the_view_ends() -> None:
    sender = Sender(cast(Any, None), workers=1)
    release = threading.Event()
    first = sender.start(lambda: release.wait(10))
    queued = sender.start(lambda: "never")
    sender.close()
    release.set()
    assert first.result(timeout=10) is True
    assert queued.cancelled()


class OrderedClient(RecordedClient):
    """Records which reads were in flight at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0
        self.gate = threading.Barrier(3, timeout=5)  # nodes, replicasets, jobs at once

    def _get_once(self, path: str, query: Any, decode: Any, accept: str = "") -> Any:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        try:
            if path in ("/api/v1/nodes", "/apis/apps/v1/replicasets", "/apis/batch/v1/jobs"):
                self.gate.wait()  # a BrokenBarrierError unless the three are sent together
            return super()._get_once(path, query, decode, accept)
        finally:
            with self.lock:
                self.in_flight -= 1


def test_read_cluster_sends_the_plan_at_once() -> None:
    client = OrderedClient()
    cluster = read_cluster(client, Selection(with_usage=False), ForbiddenReads())
    assert cluster.nodes and cluster.pods
    assert client.most >= 3
