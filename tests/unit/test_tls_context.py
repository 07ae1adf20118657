"""The TLS context that every thread's connections share sets ALPN once, never per connection.

urllib3 sets ALPN on the context for each connection it opens; done while another thread's
handshake copies the context, a ClientHello could carry a freed buffer and the API server
answered "decode error". The context made for a cluster must make those sets no-ops.
"""

from __future__ import annotations

import ssl

import pytest
from urllib3.util.ssl_ import ALPN_PROTOCOLS

from kube_inspect.kube.connection import Connection
from kube_inspect.kube.transport import tls_context


def test_urllib3_s_alpn_set_per_connection_does_not_touch_the_shared_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connection = Connection(server="https://127.0.0.1:6443", context="test", insecure=True)
    context = tls_context(connection, None)
    calls: list[object] = []
    monkeypatch.setattr(ssl.SSLContext, "set_alpn_protocols", lambda self, p: calls.append(p))
    for _ in range(3):  # as urllib3's ssl_wrap_socket does for each new connection
        context.set_alpn_protocols(ALPN_PROTOCOLS)
    assert calls == []
    context.set_alpn_protocols(["h2"])  # another choice still reaches the context
    assert calls == [("h2",)]
