"""The one request path: a GET through the transport, retried, translated, decoded.

Every request kube-inspect sends leaves through ``RequestPath._send`` (and so through the
transport's read-only gate); 429 and 5xx answers are retried here (kube/retry.py), every
failure leaves as a ``KubeInspectError``, and bodies are parsed by msgspec into plain dicts
(no typed models: they cost time and memory at scale). Asked for, answers come gzipped and
are inflated as they are read.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kube_inspect.errors import ApiError
from kube_inspect.kube.decode import decode_json
from kube_inspect.kube.protobuf import is_protobuf
from kube_inspect.kube.retry import DEFAULT_POLICY, RETRYABLE_STATUSES, RetryPolicy, retry_delay
from kube_inspect.kube.translate import (
    HttpStatusError,
    Target,
    api_error,
    error_text,
    transport_error,
)
from kube_inspect.kube.wires import JSON

if TYPE_CHECKING:  # urllib3 is imported when a client is made, not at start-up
    import urllib3

    from kube_inspect.kube.transport import Transport

NO_RETRIES = RetryPolicy(retries=0)  # for extras: a failure costs one request, then a notice


class RequestPath:
    """Sends GETs to one API server through a transport: retries, errors, decoding."""

    def __init__(self, transport: Transport, target: Target, timeout: float | None) -> None:
        """Wrap a transport already configured for ``target``."""
        self._transport = transport
        self.target = target
        self._timeout = timeout
        self.retry_policy: RetryPolicy = DEFAULT_POLICY
        # Replaced in unit tests, to see the retry delays without waiting them out.
        self.sleep: Callable[[float], None] = time.sleep
        self.compress = False  # ask for gzip (kube/compression.py decides, from the kubeconfig)
        self.gzipped = 0  # answers that came gzip-encoded (tests see compression happen)
        # a command's own User-Agent (the recorder's), so an audit log tells its requests apart
        self.user_agent: str | None = None
        self._count_lock = threading.Lock()

    def close(self) -> None:
        """Release the connection pool."""
        self._transport.close()

    def now(self) -> datetime:
        """Return the time of what this client reads: now, for a live cluster."""
        return datetime.now(UTC)

    def get(
        self,
        path: str,
        query: list[tuple[str, Any]] | None = None,
        decode: Callable[[bytes], Any] = decode_json,
        policy: RetryPolicy | None = None,
        accept: str = JSON,
    ) -> dict[str, Any]:
        """Return the parsed body of a GET, retrying 429 and 5xx answers (bounded).

        See ``kube_inspect.kube.retry`` for the policy: exponential backoff with jitter, and at
        least the Retry-After the server asks for.
        """
        policy = policy or self.retry_policy
        attempt = 0
        while True:
            try:
                return self._get_once(path, query, decode, accept)
            except ApiError as e:
                attempt += 1
                delay = retry_delay(policy, attempt, e.status, e.retry_after, random.random)
                if delay is None:
                    raise self._gave_up(e, attempt - 1, policy) from e
                self.sleep(delay)

    def _gave_up(self, e: ApiError, retries: int, policy: RetryPolicy) -> ApiError:
        """Return the error to report once retrying ``e`` stops, saying why it stopped."""
        if e.status not in RETRYABLE_STATUSES:
            return e
        limit = policy.max_retry_after
        if e.retry_after is not None and e.retry_after > limit:
            ending = (
                f"and asks to wait {e.retry_after:g}s, longer than kube-inspect waits "
                f"({limit:g}s): try again later"
            )
        else:
            advice = "try again later" if e.status == 429 else "check the control plane's health"
            ending = f"and kept doing so after {retries} retries: {advice}"
        return ApiError(f"{e} {ending}", e.status, e.retry_after)

    def _get_once(
        self,
        path: str,
        query: list[tuple[str, Any]] | None,
        decode: Callable[[bytes], Any],
        accept: str = JSON,
    ) -> dict[str, Any]:
        """Send one GET and return its parsed body, translating every failure.

        The raw body is parsed directly, by msgspec: the generated typed models would cost
        several times the time and memory at scale (figures in docs/performance.md).
        """
        headers = {"Accept": accept}
        if self.compress:
            headers["Accept-Encoding"] = "gzip"  # urllib3 decodes it when reading
        response = self._send(path, query, timeout=self._timeout, headers=headers)
        if response.headers.get("Content-Encoding") == "gzip":  # inflated as it was read
            with self._count_lock:
                self.gzipped += 1
        try:
            body = decode(response.data or b"null")
        except ValueError as e:
            raise self._malformed(response.data or b"") from e
        if not isinstance(body, dict):
            raise ApiError(f"the API server at {self.target.server} sent an unexpected answer")
        return body

    def _send(
        self,
        path: str,
        query: list[tuple[str, Any]] | None,
        *,
        timeout: Any,
        headers: dict[str, str] | None = None,
        stream: bool = False,
    ) -> urllib3.BaseHTTPResponse:
        """Send one GET: the ONE place a request leaves kube-inspect.

        Returns the response with a 2xx status (its body read, unless ``stream``);
        anything else, and every transport failure, is raised as a KubeInspectError.
        """
        if self.user_agent is not None:
            headers = {**(headers or {}), "User-Agent": self.user_agent}
        with self._translated():
            response = self._transport.request("GET", path, query, headers, timeout)
            ok = 200 <= response.status <= 299
            if not stream or not ok:
                response.read(cache_content=True)  # then response.data holds it
                response.release_conn()
            if not ok:
                raise HttpStatusError(
                    response.status, response.reason, error_text(response.data), response.headers
                )
            return response

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        """Turn HTTP error statuses and urllib3's failures into KubeInspectErrors."""
        import urllib3  # loaded with the transport by then: no cost here

        try:
            yield
        except HttpStatusError as e:
            raise api_error(e, self.target) from e
        except urllib3.exceptions.HTTPError as e:
            raise transport_error(e, self.target, self._timeout) from e

    def _malformed(self, body: bytes) -> ApiError:
        """Return the error for an answer that does not decode, named by its encoding."""
        encoding = "protobuf" if is_protobuf(body) else "JSON"
        return ApiError(f"the API server at {self.target.server} sent malformed {encoding}")

    def _decoded(self, body: bytes, decode: Callable[[bytes], Any]) -> dict[str, Any]:
        """Return a page decoded by ``decode``; ApiError if it is not an object."""
        try:
            page = decode(body)
        except ValueError as e:
            raise self._malformed(body) from e
        if not isinstance(page, dict):
            raise ApiError(f"the API server at {self.target.server} sent an unexpected answer")
        return page
