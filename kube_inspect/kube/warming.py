"""Connections opened ahead: the TCP and TLS handshakes start before the first request.

A distant API server costs a round trip for the TLS handshake of every new connection,
and a read plan sends its reads at once, each on a connection of its own. Opened when
the kubeconfig is known (kube/opening.py), the handshakes go on while the rest of
start-up runs (the modules of the read path and the view are imported, the plan is
made); each read then takes a connection already open, or waits for one still opening,
instead of opening another after start-up.

``WarmingPool`` is urllib3's HTTPS pool with one difference: connections opened ahead
are handed out first, in the order they were started. A handshake that fails is not
reported here: the request given that connection opens it again and reports the error
through the one request path, as without warming.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import urllib3

if TYPE_CHECKING:  # a Protocol urllib3 defines for type checkers only
    from urllib3._base_connection import BaseHTTPConnection


class WarmingPool(urllib3.HTTPSConnectionPool):
    """An HTTPS connection pool whose first connections can be opened ahead, in threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Make the pool as urllib3 does; nothing is opened yet."""
        super().__init__(*args, **kwargs)
        self._ahead: deque[Future[BaseHTTPConnection]] = deque()
        self._ahead_lock = threading.Lock()

    def open_ahead(self, count: int, connect_timeout: float | None) -> None:
        """Open ``count`` connections now, each in a daemon thread (within the pool's size).

        Each takes a slot of the pool, as a request's connection does, so the pool's
        count of connections stays right when they are put back after use.
        """
        for _ in range(count):
            connection = super()._get_conn()
            opened: Future[BaseHTTPConnection] = Future()
            with self._ahead_lock:
                self._ahead.append(opened)
            work = (connection, connect_timeout, opened)
            threading.Thread(target=_open, args=work, name="connect", daemon=True).start()

    def _get_conn(self, timeout: float | None = None) -> BaseHTTPConnection:
        """Return a connection opened ahead (waiting for its handshake), else urllib3's."""
        with self._ahead_lock:
            opened = self._ahead.popleft() if self._ahead else None
        if opened is not None:
            return opened.result()
        return super()._get_conn(timeout)

    def close(self) -> None:
        """Close the pool, and the connections opened ahead that no request took."""
        with self._ahead_lock:
            unused = list(self._ahead)
            self._ahead.clear()
        for opened in unused:
            opened.add_done_callback(lambda done: done.result().close())
        super().close()


def _open(
    connection: BaseHTTPConnection, timeout: float | None, opened: Future[BaseHTTPConnection]
) -> None:
    """Connect, then hand the connection over, connected or not (its request will say why)."""
    try:
        connection.timeout = timeout
        connection.connect()
    except Exception:  # refused, unreachable, TLS: the request on it connects again
        connection.close()
    opened.set_result(connection)
