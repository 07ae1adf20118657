"""Watching: a WATCH's events as they come, and waiting for a LIST to change."""

from __future__ import annotations

from collections.abc import Iterator
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
