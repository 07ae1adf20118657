"""API server and transport failures, translated once into KubeInspectErrors with advice."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kube_inspect.errors import (
    ApiError,
    ClusterUnreachable,
    Forbidden,
    KubeInspectError,
    NotFound,
    Unauthorized,
)
from kube_inspect.kube import protobuf
from kube_inspect.kube.kubeconfig import first_line
from kube_inspect.kube.retry import parse_retry_after

if TYPE_CHECKING:  # imported with the transport, not at start-up (kube/transport.py)
    import urllib3  # imported again in transport_error, for isinstance


@dataclass(frozen=True, slots=True)
class Target:
    """Where the client points: the kubeconfig context and the API server URL.

    ``namespace`` is the context's namespace: where kubectl reads when no -n is given.
    """

    context: str
    server: str
    namespace: str | None = None


class HttpStatusError(Exception):
    """An answer of the API server with a status other than 2xx, as either transport got it.

    ``body`` is the answer as text (error_text: a protobuf Status as its JSON).
    """

    def __init__(
        self, status: int, reason: str | None, body: str | None, headers: Mapping[str, str]
    ) -> None:
        """Keep what api_error reads of the answer."""
        super().__init__(f"{status} {reason or ''}".strip())
        self.status = status
        self.reason = reason
        self.body = body
        self.headers = headers


def api_error(e: HttpStatusError, target: Target) -> KubeInspectError:
    """Return the KubeInspectError an API server's error answer means, in words."""
    status, server = e.status, target.server
    reason = status_message(e.body) or e.reason or "no reason given"
    if status == 401:
        return Unauthorized(
            f"{server} rejected the credentials of context {target.context!r} "
            "(401 Unauthorized): log in again or fix the user in the kubeconfig"
        )
    if status == 403:
        return Forbidden(f"forbidden: {reason}")
    if status == 404:
        return NotFound(f"not found: {reason}", status)
    headers = e.headers or {}
    retry_after = parse_retry_after(headers.get("Retry-After"))
    if status == 429:
        return ApiError(
            f"the API server at {server} is throttling requests (429 Too Many Requests: {reason})",
            status,
            retry_after,
        )
    if status == 410:
        return ApiError(f"the API server at {server} answered 410 Gone: {reason}", status)
    if isinstance(status, int) and status >= 500:
        return ApiError(
            f"the API server at {server} failed ({status}: {reason})", status, retry_after
        )
    return ApiError(f"the API server at {server} answered {status}: {reason}", status)


def transport_error(
    e: urllib3.exceptions.HTTPError, target: Target, timeout: float | None
) -> KubeInspectError:
    """Return the KubeInspectError a failed connection or read means, in words."""
    import urllib3  # here, not at the top: see TYPE_CHECKING above

    server, context = target.server, target.context
    cause = (e.reason or e) if isinstance(e, urllib3.exceptions.MaxRetryError) else e
    if isinstance(cause, urllib3.exceptions.SSLError) and _closed_early(cause):
        return ClusterUnreachable(
            f"{server} closed the connection before TLS was set up (context {context!r}): "
            "is it the API server's address and port?"
        )
    if isinstance(cause, urllib3.exceptions.SSLError):
        return ClusterUnreachable(
            f"TLS handshake with {server} failed ({first_line(cause)}): check the "
            f"certificate-authority of context {context!r}"
        )
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: test it first.
    if isinstance(cause, urllib3.exceptions.NewConnectionError):
        return ClusterUnreachable(
            f"cannot connect to {server} (context {context!r}): is the cluster running?"
        )
    if isinstance(cause, urllib3.exceptions.TimeoutError):
        return ClusterUnreachable(
            f"{server} did not answer within {timeout or 0:g}s: is the cluster up? "
            "(raise --request-timeout for a slow server)"
        )
    return ClusterUnreachable(f"lost the connection to {server}: {first_line(cause or e)}")


def _closed_early(error: BaseException) -> bool:
    """Return True when a TLS failure is the peer hanging up (EOF, reset), not a bad certificate."""
    seen: BaseException | None = error
    for _ in range(8):  # the chain of causes is short; never follow a cycle for ever
        if seen is None:
            return False
        if isinstance(seen, (ConnectionResetError, ConnectionAbortedError, EOFError)):
            return True
        text = str(seen)
        if "UNEXPECTED_EOF" in text or "EOF occurred" in text or "Connection reset" in text:
            return True
        seen = (
            seen.__cause__
            or seen.__context__
            or next((a for a in getattr(seen, "args", ()) if isinstance(a, BaseException)), None)
        )
    return False


def error_text(data: bytes | None) -> str | None:
    """Return an error answer's body as text, a protobuf Status as the JSON of its message.

    Asked for protobuf, the API server sends its errors (403, 404...) as a protobuf
    Status; the kubernetes package would decode it as UTF-8 text, which binary is not.
    """
    if not data:
        return None
    if protobuf.is_protobuf(data):
        message = protobuf.status_message(data)
        return json.dumps({"kind": "Status", "message": message}) if message else None
    return data.decode("utf-8", "replace")


def status_message(body: Any) -> str | None:
    """Return the message of a Kubernetes Status body, if it is one."""
    try:
        status = json.loads(body) if body else None
    except (TypeError, ValueError):
        return None
    if isinstance(status, dict) and isinstance(status.get("message"), str):
        return str(status["message"])
    return None
