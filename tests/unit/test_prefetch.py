from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Iterator

import pytest

from kube_inspect.kube.prefetch import PageStream, Prefetched


def test_items_come_out_in_order_across_batches() -> None:
    items = list(range(1234))
    assert list(Prefetched(iter(items), batch=100)) == items


def test_an_empty_source_gives_nothing() -> None:
    assert list(Prefetched(iter([]), batch=10)) == []


def test_the_readers_error_is_raised_after_the_items_before_it() -> None:
    def source() -> Iterator[int]:
        yield from range(5)
        raise RuntimeError("connection lost")

    seen: list[int] = []
    with pytest.raises(RuntimeError, match="connection lost"):
        for item in Prefetched(source(), batch=2):
            seen.append(item)
    assert seen == [0, 1, 2, 3]  # the last batch, [4], died with the error


def test_reading_starts_before_iteration_and_stays_a_few_batches_ahead() -> None:
    pulled = itertools.count()
    third_batch = threading.Event()
    batches = itertools.count(1)

    def source() -> Iterator[int]:
        for i in itertools.count():
            next(pulled)
            yield i

    def on_batch(size: int) -> None:
        if next(batches) == 3:
            third_batch.set()

    ahead = Prefetched(source(), batch=10, depth=2, on_batch=on_batch)
    assert third_batch.wait(10), "the reader did not start on its own"
    # Two batches queued and a third waiting to be: the reader cannot pull a fourth
    # until the consumer takes one, whatever the timing.
    assert next(pulled) <= 31
    ahead.close()


def test_leaving_the_loop_early_stops_the_reader() -> None:
    ahead = Prefetched(itertools.count(), batch=10)
    for item in ahead:
        if item == 25:
            break
    ahead._thread.join(10)
    assert not ahead._thread.is_alive()


def test_a_page_stream_decodes_each_page_where_it_is_consumed() -> None:
    decoded_in: list[str] = []
    counted: list[int] = []

    def items_of(page: bytes) -> list[int]:
        decoded_in.append(threading.current_thread().name)
        return list(page)

    pages = Prefetched(iter([b"\x01\x02", b"", b"\x03"]), batch=1)
    stream = PageStream(pages, items_of, counted.append)
    assert list(stream) == [1, 2, 3]
    assert counted == [2, 0, 1]
    assert set(decoded_in) == {threading.current_thread().name}  # not in the reader thread


class _Pod:
    """An item a weak reference can follow (a dict cannot)."""


def test_a_page_lets_go_of_each_item_once_handed_out() -> None:
    # a page's thousand decoded pods live as long as the consumer keeps them (issue 13)
    page = [_Pod() for _ in range(3)]
    alive = [weakref.ref(p) for p in page]
    stream = iter(PageStream(Prefetched(iter([b"page"]), batch=1), lambda _body: page))
    next(stream)
    second = next(stream)
    assert alive[0]() is None  # handed out, then dropped by the consumer
    assert alive[1]() is second and alive[2]() is not None
    assert list(stream) == [alive[2]()] and page == []


def test_the_reader_lets_go_of_an_item_once_queued() -> None:
    # the reader holds no page the consumer has done with while it reads the next (issue 13)
    held, asked, release = [_Pod()], threading.Event(), threading.Event()
    alive = weakref.ref(held[0])

    def source() -> Iterator[_Pod]:
        yield held.pop()
        asked.set()
        release.wait(5)
        yield _Pod()

    items = iter(Prefetched(source(), batch=1))
    next(items)
    assert asked.wait(5)
    assert alive() is None
    release.set()
    assert len(list(items)) == 1
