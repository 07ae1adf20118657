"""Read an iterator ahead in a background thread, in batches.

The thread waits on the network (it releases the GIL there) while the caller parses
and builds the model, so the API server prepares the next page while we work on this
one. The queue between them is short: memory holds a few batches, never the whole list.
"""

from __future__ import annotations

import itertools
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar, cast

T = TypeVar("T")

_END = object()

# How long a thread that is ready to run may wait for the GIL. A reader thread needs it
# back after every TLS record (4 KB each from the API server): with Python's default of
# 5 ms and the main thread busy building the model, reading 30,000 pods took 4 times as
# long (docs/performance.md).
HANDOFF_SECONDS = 0.0005


@contextmanager
def quick_handoffs(seconds: float = HANDOFF_SECONDS) -> Iterator[None]:
    """Shorten the interpreter's thread switch interval inside the block."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(seconds, previous))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _handed_out(items: list[T]) -> Iterator[T]:
    """Yield the items in order, each let go by the list as it is yielded (emptied at the end).

    A page's thousand decoded pods, or a raw page, then live only as long as the consumer
    keeps them, not until the next page arrives (issue 13: peak memory).
    """
    items.reverse()
    while items:
        yield items.pop()


class Prefetched(Generic[T]):
    """An iterable that reads ``items`` ahead, ``batch`` at a time, from the moment it exists.

    Exceptions raised while reading are raised again where the items are consumed.
    Iterate it once; leaving the loop early stops the reader.
    """

    def __init__(
        self,
        items: Iterable[T],
        batch: int,
        depth: int = 2,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        """Start reading ``items`` in a daemon thread, at most ``depth`` batches ahead."""
        self._queue: queue.Queue[object] = queue.Queue(depth)
        self._stop = threading.Event()
        self._on_batch = on_batch
        self._thread = threading.Thread(
            target=self._read, args=(iter(items), batch), name="kube-inspect-prefetch", daemon=True
        )
        self._thread.start()

    def _read(self, items: Iterator[T], batch: int) -> None:
        try:
            while not self._stop.is_set():
                chunk = list(itertools.islice(items, batch))
                if not chunk:
                    break
                if self._on_batch is not None:
                    self._on_batch(len(chunk))
                self._put(chunk)
            self._put(_END)
        except BaseException as e:  # handed to the consumer, which raises it
            self._put(e)

    def _put(self, value: object) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(value, timeout=0.1)
                return
            except queue.Full:
                continue

    def __iter__(self) -> Iterator[T]:
        """Yield the items in order; raise what the reader raised."""
        try:
            while True:
                got = self._queue.get()
                if got is _END:
                    return
                if isinstance(got, BaseException):
                    raise got
                yield from _handed_out(cast(list[T], got))
                del got
        finally:
            self.close()

    def close(self) -> None:
        """Stop reading ahead; the thread ends at its next batch."""
        self._stop.set()


class PageStream(Generic[T]):
    """The items of pages read ahead by a Prefetched, each page decoded as it is reached.

    Decoding on the consumer's side lets the reader ask for the next page as soon as this
    one has arrived. ``on_page`` gets the number of items of each page decoded.
    """

    def __init__(
        self,
        pages: Prefetched[bytes],
        items_of: Callable[[bytes], list[T]],
        on_page: Callable[[int], None] | None = None,
    ) -> None:
        """Wrap ``pages``, already being read, with the function that decodes one."""
        self._pages = pages
        self._items_of = items_of
        self._on_page = on_page

    def __iter__(self) -> Iterator[T]:
        """Yield every item of every page in order; raise what reading or decoding raised."""
        for page in self._pages:
            items = self._items_of(page)
            del page  # its bytes are not needed once decoded
            if self._on_page is not None:
                self._on_page(len(items))
            yield from _handed_out(items)
            del items

    def close(self) -> None:
        """Stop reading ahead."""
        self._pages.close()
