"""Open a context's connection as soon as the kubeconfig is known, before the client is made.

This module imports only what opening needs (the kubeconfig reader, the credentials, the
transport and urllib3): ``connect`` opens the context, and only then imports the client
(kube/client.py), so that import, the CLI's import of the read path (read/) and building
the read plan run while the TCP and TLS handshakes to the API server go on
(kube/warming.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kube_inspect.kube import USER_AGENT
from kube_inspect.kube.connection import Connection, read_connection
from kube_inspect.kube.credentials import Credentials
from kube_inspect.kube.overrides import NO_OVERRIDES, ConnectionOverrides
from kube_inspect.kube.transport import HttpTransport

if TYPE_CHECKING:  # imported by connect, once the connections are opening
    from kube_inspect.kube.client import KubeClient


@dataclass(frozen=True, slots=True)
class Opened:
    """A context's connection settings and its transport, whose connections are opening."""

    connection: Connection
    transport: HttpTransport


def open_context(
    kubeconfig: str | None,
    context: str | None,
    timeout: float | None,
    overrides: ConnectionOverrides = NO_OVERRIDES,
    connections: int = 0,
) -> Opened | None:
    """Read the context and start opening ``connections`` connections to its server.

    None for a context that kube-inspect's own reader leaves to the kubernetes package (an
    auth-provider user: kube/connection.py); nothing is opened then. Raises ConfigError
    when the kubeconfig cannot be used; Unauthorized when its credential plugin fails.
    """
    connection = read_connection(kubeconfig, context, overrides)
    if connection is None:
        return None
    credentials = Credentials(connection, plugin_timeout=timeout)
    transport = HttpTransport(connection, credentials, USER_AGENT)
    if connections > 0:
        transport.open_ahead(connections, timeout)
    return Opened(connection, transport)


def connect(
    kubeconfig: str | None,
    context: str | None,
    timeout: float | None,
    overrides: ConnectionOverrides = NO_OVERRIDES,
    connections: int = 0,
) -> KubeClient:
    """Return the client of ``context``, its ``connections`` opening before the client's import.

    A context left to the kubernetes package (``open_context`` returned None) is read
    through it. Raises what ``open_context`` raises.
    """
    opened = open_context(kubeconfig, context, timeout, overrides, connections)
    from kube_inspect.kube.client import KubeClient  # imported while the connections open

    if opened is None:  # an auth-provider user: the kubernetes package reads the context
        return KubeClient.through_kubernetes(kubeconfig, context, timeout, overrides)
    return KubeClient.from_opened(opened, timeout)
