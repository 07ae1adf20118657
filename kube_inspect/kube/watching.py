"""Watching: a WATCH's events as they come, and waiting for a LIST to change."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

from kube_inspect.errors import ApiError
from kube_inspect.kube.decode import json_lines
from kube_inspect.kube.request_path import RequestPath


class Watching(RequestPath):
    """Follows changes with WATCH requests (GETs with ``watch=true``)."""

    def wait_for_change(self, path: str, seconds: float) -> bool:
        """Return True when the LIST at ``path`` changes within ``seconds``, False otherwise.

        Reads the list's current resourceVersion with a one-item LIST, then opens a WATCH
        from it and returns as soon as one event arrives: a wait that costs no polling.
        """
        head = self.get(path, [("limit", 1)])
        version = (head.get("metadata") or {}).get("resourceVersion")
        query = [
            ("watch", "1"),
            ("timeoutSeconds", max(1, int(seconds))),
            ("allowWatchBookmarks", "false"),
        ]
        if version:
            query.append(("resourceVersion", version))
        connect = self._timeout or 30.0
        raw = self._send(path, query, timeout=(connect, seconds + connect), stream=True)
        try:
            with self._translated():
                return any(chunk.strip() for chunk in raw.stream(4096))
        finally:
            raw.close()

    def wait_for_any_change(self, paths: Sequence[str], seconds: float) -> bool:
        """Return True when any of the LISTs at ``paths`` changes within ``seconds``.

        One ``wait_for_change`` each, side by side (-n a,b watches a and b, not every
        namespace); the first change ends the wait, and the other WATCHes end on their own
        within ``seconds``. A namespace that cannot be watched (403: its pods were not
        readable either) leaves the others to wait on; when none can be, the first
        failure is raised.
        """
        if len(paths) == 1:
            return self.wait_for_change(paths[0], seconds)
        waits: list[Future[bool]] = []
        for path in paths:
            future: Future[bool] = Future()
            waits.append(future)
            threading.Thread(
                target=_settle, args=(future, self.wait_for_change, path, seconds), daemon=True
            ).start()
        pending = set(waits)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            if any(f.exception() is None and f.result() for f in done):
                return True
        if all(f.exception() is not None for f in waits):
            waits[0].result()  # raises: no namespace could be watched
        return False

    def watch(
        self,
        path: str,
        resource_version: str,
        timeout_seconds: int = 300,
        selectors: list[tuple[str, Any]] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Yield the events of a WATCH at ``path`` from ``resource_version``, as they come.

        A GET with ``watch=true``: the server streams one JSON event a line and ends the
        stream after ``timeout_seconds``; the caller watches again from the last version.
        An ``ERROR`` event (e.g. 410 Gone: the version is too old) is yielded as is.
        """
        query: list[tuple[str, Any]] = [
            ("watch", "true"),
            ("resourceVersion", resource_version),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", timeout_seconds),
            *(selectors or []),
        ]
        # connect within the request timeout; between events, wait past the server's end
        timeouts = (self._timeout, timeout_seconds + (self._timeout or 30))
        response = self._send(path, query, timeout=timeouts, stream=True)
        with self._translated():
            try:
                yield from json_lines(response)
            except ValueError as e:
                raise ApiError(f"the API server at {self.target.server} sent malformed JSON") from e


def _settle(
    future: Future[bool], waiting: Callable[[str, float], bool], path: str, seconds: float
) -> None:
    """Run ``waiting(path, seconds)`` and put its answer, or its failure, in ``future``."""
    try:
        future.set_result(waiting(path, seconds))
    except BaseException as e:  # raised where the answers are awaited
        future.set_exception(e)
