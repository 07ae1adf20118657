"""Paging: every LIST read in pages, following continue tokens; big lists streamed ahead.

``list_all`` reads a whole LIST (restarted once when its continue token expires);
``stream`` reads the pages of a big LIST in a thread, one ahead of the caller, and
decodes each page only when the caller reaches it: memory holds a few pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kube_inspect.kube.compression import GzipBody, KeepsGzip, inflate, inflated_head
from kube_inspect.kube.decode import decode_json, decode_object_list, list_metadata
from kube_inspect.kube.prefetch import PageStream, Prefetched
from kube_inspect.kube.progress import Progress
from kube_inspect.kube.request_path import RequestPath
from kube_inspect.kube.retry import RetryPolicy, again_if_gone
from kube_inspect.kube.wires import JSON

PAGE_SIZE = 500  # as kubectl get
# stream_* (tree's nodes and pods) read pages of 1,000: at 30,000 pods, with the pages
# served from the API server's watch cache, 1,000 was a little faster than 500 and 2,000
# (10 interleaved runs: 3.33, 3.68-3.92 and 3.45 s) and holds ~7 MB of JSON a page.
STREAM_PAGE_SIZE = 1000
# A big list is read in bigger pages once its first page says how big it is: every
# continue page costs the API server in proportion to the whole list, not the page
# (docs/performance.md, "Bigger pages for big lists"), so fewer pages cost it less.
BIG_LIST_ABOVE = 50_000
BIG_LIST_PAGE_SIZE = 5_000
# A distant server (gzip asked: kube/compression.py) costs a round trip a page, the page
# read whole before the next is asked for: after the first page, pages of 5,000 as soon
# as more than one page remains (at 10,000 pods over 20 Mbit/s + 100 ms, pages of 1,000
# took 1.7x the unpaged floor; docs/performance.md). Each waits gzipped, so a bigger page
# costs memory only while it is decoded.
DISTANT_GROW_ABOVE = STREAM_PAGE_SIZE
# inflated to read a gzipped page's metadata: the API server writes it before the items
HEAD_BYTES = 16_384


class Paging(RequestPath):
    """Reads LISTs in pages, whole or streamed."""

    progress: Progress | None = None  # counts the pages of streamed lists

    def list_all(
        self,
        path: str,
        query: list[tuple[str, Any]] | None = None,
        policy: RetryPolicy | None = None,
        decode: Callable[[bytes], Any] = decode_json,
        limit: int = PAGE_SIZE,
    ) -> list[dict[str, Any]]:
        """Return every item of the LIST at ``path``; restart it once if its continue token expires.

        A 410 Gone in the middle of a paged LIST means etcd compacted the revision the
        list was reading: the pages so far are dropped and the list starts again, once.
        ``decode`` parses each page (decode_object_list: without managedFields).
        """
        return again_if_gone(lambda: list(self.paged(path, query, decode, policy, limit)), path)

    def paged(
        self,
        path: str,
        query: list[tuple[str, Any]] | None = None,
        decode: Callable[[bytes], Any] = decode_json,
        policy: RetryPolicy | None = None,
        limit: int = PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Yield the items of a LIST at ``path``, read in pages of ``limit``.

        ``decode`` parses each page: decode_object_list leaves out managedFields.
        """
        for page in self.pages(path, query, decode, policy, limit):
            yield from page.get("items") or []

    def pages(
        self,
        path: str,
        query: list[tuple[str, Any]] | None = None,
        decode: Callable[[bytes], Any] = decode_json,
        policy: RetryPolicy | None = None,
        limit: int = PAGE_SIZE,
        accept: str = JSON,
        big: tuple[int, str] | None = None,
        grow: tuple[int, int] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Yield each page of a LIST at ``path`` as ``decode`` returns it, following continues.

        ``accept`` is the Accept header: ``decode`` must read every encoding it names.
        With ``big``, (count, header): once a page says more than count items remain, the
        following pages are asked for with that header instead (the continue token does
        not depend on the encoding). With ``grow``, (count, limit): once a page says more
        than count items remain, the following pages ask for ``limit`` items each.
        """
        token: str | None = None
        while True:
            page_query: list[tuple[str, Any]] = [*(query or []), ("limit", limit)]
            if token:
                page_query.append(("continue", token))
            page = self.get(path, page_query, decode, policy, accept)
            yield page
            metadata = page.get("metadata") or {}
            token = metadata.get("continue")
            if not token:
                return
            remaining = metadata.get("remainingItemCount") or 0
            if big is not None and remaining > big[0]:
                accept, big = big[1], None
            if grow is not None and remaining > grow[0]:
                limit, grow = max(limit, grow[1]), None

    def stream(
        self,
        path: str,
        kind: str,
        query: list[tuple[str, Any]] | None = None,
        decode: Callable[[bytes], Any] = decode_object_list,
        accept: str = JSON,
        big: tuple[int, str] | None = None,
    ) -> PageStream[dict[str, Any]]:
        """Return the items of a LIST at ``path``, paged, the next page read while this one is used.

        A thread reads the pages (STREAM_PAGE_SIZE objects each, BIG_LIST_PAGE_SIZE once a
        page says more than BIG_LIST_ABOVE remain, or, from a distant server asked for gzip,
        more than DISTANT_GROW_ABOVE), asking for the next one
        as soon as a page has arrived; each page is decoded by ``decode`` when the caller
        reaches it. Only a few pages are held at once: memory is bounded by what the
        caller keeps. A 410 Gone surfaces where the items are consumed; the caller
        restarts the read (see kube_inspect.read.cluster).
        """
        progress = self.progress

        def items_of(body: bytes) -> list[dict[str, Any]]:
            page = self._decoded(body, decode)
            items = page.get("items")
            return items if isinstance(items, list) else []

        def count(objects: int) -> None:
            if progress is not None:
                progress.page(kind, objects)

        # the reader decodes only each page's metadata, for its continue token; a gzipped
        # page waits gzipped and is inflated by the caller, as it decodes it
        pages = self.pages(
            path,
            query,
            KeepsGzip(_body_and_metadata),
            limit=STREAM_PAGE_SIZE,
            accept=accept,
            big=big,
            grow=(DISTANT_GROW_ABOVE if self.compress else BIG_LIST_ABOVE, BIG_LIST_PAGE_SIZE),
        )
        # popped: the pages' generator holds each page while it reads the next one
        bodies = Prefetched((page.pop("body") for page in pages), batch=1, depth=2)
        return PageStream(bodies, items_of, count)


def _body_and_metadata(body: bytes) -> dict[str, Any]:
    """Return a LIST page's body as it came (maybe gzipped) with its decoded metadata."""
    if not isinstance(body, GzipBody):
        return {"body": body, "metadata": list_metadata(body)}
    try:
        metadata = list_metadata(inflated_head(body, HEAD_BYTES))
    except ValueError:  # not in the API server's order: inflate it all
        metadata = list_metadata(inflate(body))
    return {"body": body, "metadata": metadata}
