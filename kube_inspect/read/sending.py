"""Send a plan's reads at once: a few threads over the client's one request path.

Each read is started as soon as it is known and awaited where its answer is used, so the
round trips overlap instead of adding up. Failures travel with the answer (a Future) and
are raised where it is awaited: read/cluster.py decides there what a 403, 404 or 503
means for that read, exactly as when reads were sent one after another.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from kube_inspect.errors import ApiError
from kube_inspect.kube.client import NO_RETRIES, KubeClient
from kube_inspect.kube.decode import decode_json, decode_object_list
from kube_inspect.kube.paging import STREAM_PAGE_SIZE
from kube_inspect.read.plan import MAX_IN_FLIGHT as MAX_IN_FLIGHT  # under the pool's 10
from kube_inspect.read.plan import Read

T = TypeVar("T")
WHOLE = frozenset({"events", "metrics/nodes", "metrics/pods"})  # not spec and status
# as the streamed pods: a thousand nodes in one page (kubectl's 500 would be two)
LIST_PAGE_SIZE = STREAM_PAGE_SIZE


def fetch(client: KubeClient, read: Read) -> Any:
    """Return the answer to one read of the plan: the object of a GET, the items of a LIST.

    Items of a LIST that names a ``kind`` get it (a LIST leaves it out of its items).
    """
    if read.name is not None:
        return client.get(read.path)
    if read.resource == "nodes":  # a thousand nodes are a big list: counted by the progress line
        return list(client.stream(read.path, "nodes", list(read.query), decode_object_list))
    policy = None if read.retried else NO_RETRIES
    # objects of spec and status lose their managedFields; events and usage keep their
    # own top-level fields (reason, usage), so they are decoded whole
    decode = decode_json if read.resource in WHOLE else decode_object_list
    items = client.list_all(read.path, list(read.query), policy, decode, LIST_PAGE_SIZE)
    if read.kind:
        return [{**item, "kind": read.kind} for item in items]
    return items


def blamed(read: Read, task: Callable[[], T]) -> Callable[[], T]:
    """Return ``task`` whose ApiError carries the selectors ``read``'s request carried."""

    def run() -> T:
        try:
            return task()
        except ApiError as e:
            e.selectors = e.selectors or read.selectors
            raise

    return run


class Sender:
    """Runs tasks on up to MAX_IN_FLIGHT daemon threads, in the order they were started.

    Daemon threads: a request still in flight when the view fails or is interrupted never
    holds up the process's exit.
    """

    def __init__(self, client: KubeClient, workers: int = MAX_IN_FLIGHT) -> None:
        """Send through ``client``; threads are started as tasks come."""
        self._client = client
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._workers = workers
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def start(self, task: Callable[[], T]) -> Future[T]:
        """Return the future answer of ``task``, run as soon as a thread is free."""
        future: Future[T] = Future()
        self._tasks.put((future, task))
        with self._lock:
            if len(self._threads) < self._workers:
                thread = threading.Thread(target=self._work, name="read", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def send(self, read: Read, task: Callable[[], Any] | None = None) -> Future[Any]:
        """Return the future answer of ``read``: ``task``'s, by default ``fetch``'s.

        Its ApiError carries the selectors the read's request carried (``blamed``).
        """
        return self.start(blamed(read, task or (lambda: fetch(self._client, read))))

    def _work(self) -> None:
        while not self._closed.is_set():
            got = self._tasks.get()
            if got is None:
                return
            future, task = got
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(task())
            except BaseException as e:
                future.set_exception(e)

    def close(self) -> None:
        """Drop the tasks not started yet; those in flight end on their own."""
        self._closed.set()
        while True:
            try:
                got = self._tasks.get_nowait()
            except queue.Empty:
                break
            if got is not None:
                got[0].cancel()
        for _ in self._threads:
            self._tasks.put(None)
