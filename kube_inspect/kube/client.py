"""The only module that talks to the API server, through one transport (kube/transport.py).

It reads the kubeconfig, sends GET requests only (get, list and watch), pages every LIST,
puts a timeout on every request, and returns plain dicts parsed from the raw response body
(no typed models: they cost time and memory at scale). Every failure leaves this module as
a ``KubeInspectError``.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from kube_inspect import __version__
from kube_inspect.errors import ApiError
from kube_inspect.kube.compression import asks_gzip
from kube_inspect.kube.decode import (
    decode_json,
    decode_object_list,
    decode_pod_list,
    json_lines,
    list_metadata,
)
from kube_inspect.kube.kubeconfig import (
    context_names as context_names,  # re-exported: shell completion reads them here
)
from kube_inspect.kube.kubeconfig import fleet_contexts as fleet_contexts  # for the CLI
from kube_inspect.kube.kubeconfig import kubeconfig_paths as kubeconfig_paths
from kube_inspect.kube.prefetch import PageStream, Prefetched
from kube_inspect.kube.progress import Progress
from kube_inspect.kube.protobuf import is_protobuf
from kube_inspect.kube.retry import (
    DEFAULT_POLICY,
    RETRYABLE_STATUSES,
    RetryPolicy,
    retry_delay,
)
from kube_inspect.kube.retry import again_if_gone as again_if_gone  # re-exported for read/
from kube_inspect.kube.translate import HttpStatusError, api_error, error_text, transport_error
from kube_inspect.kube.translate import Target as Target  # re-exported for the CLI
from kube_inspect.kube.wires import ACCEPT, AUTO_PROTOBUF_ABOVE, JSON

if TYPE_CHECKING:  # urllib3 is imported when a client is made, not at start-up
    import urllib3

    from kube_inspect.kube.transport import Transport

T = TypeVar("T")

PAGE_SIZE = 500
# stream_* (tree's nodes and pods) read pages of 1,000: at 30,000 pods, with the pages
# served from the API server's watch cache, 1,000 was a little faster than 500 and 2,000
# (10 interleaved runs: 3.33, 3.68-3.92 and 3.45 s) and holds ~7 MB of JSON a page.
STREAM_PAGE_SIZE = 1000
# A big list is read in bigger pages once its first page says how big it is: every
# continue page costs the API server in proportion to the whole list, not the page
# (docs/performance.md, "Bigger pages for big lists"), so fewer pages cost it less.
BIG_LIST_ABOVE = 50_000
BIG_LIST_PAGE_SIZE = 5_000
USER_AGENT = f"kube-inspect/{__version__}"
METRICS_API = "/apis/metrics.k8s.io/v1beta1"
NO_RETRIES = RetryPolicy(retries=0)  # for extras: a failure costs one request, then a notice
WORKLOAD_RESOURCES = ("deployments", "statefulsets", "daemonsets")  # all in apps/v1


class KubeClient:
    """Reads what kube-inspect shows, from the cluster a kubeconfig context names."""

    def __init__(self, transport: Transport, target: Target, timeout: float | None) -> None:
        """Wrap a transport already configured for ``target``."""
        self._transport = transport
        self.target = target
        self._timeout = timeout
        self.retry_policy: RetryPolicy = DEFAULT_POLICY
        # Replaced in unit tests, to see the retry delays without waiting them out.
        self.sleep: Callable[[float], None] = time.sleep
        self.progress: Progress | None = None  # counts the pages of stream_* lists
        self.compress = False  # ask for gzip (kube/compression.py decides, from the kubeconfig)
        self.gzipped = 0  # answers that came gzip-encoded (tests see compression happen)
        self._count_lock = threading.Lock()
        self._warm: Future[str] | None = None  # the version asked for early (warm_up)
        # --wire: the encoding asked for pods (kube/wires.py); the rest is read as JSON
        self.wire = "json"

    @classmethod
    def from_kubeconfig(
        cls, kubeconfig: str | None, context: str | None, timeout: float | None
    ) -> KubeClient:
        """Return a client for ``context`` (or the current one) of the kubeconfig.

        Raises ConfigError when no kubeconfig is found, it is malformed, or it has no such
        context; Unauthorized when its credential plugin fails. A context that
        kube-inspect's own reader leaves to the kubernetes package (an auth-provider:
        kube/connection.py) is read through it.
        """
        from kube_inspect.kube.connection import read_connection
        from kube_inspect.kube.credentials import Credentials
        from kube_inspect.kube.transport import HttpTransport

        connection = read_connection(kubeconfig, context)
        if connection is None:
            return cls.through_kubernetes(kubeconfig, context, timeout)
        credentials = Credentials(connection, plugin_timeout=timeout)
        transport = HttpTransport(connection, credentials, USER_AGENT)
        client = cls(transport, Target(connection.context, connection.server), timeout)
        client.compress = asks_gzip(connection.server, connection.disable_compression, os.environ)
        return client

    @classmethod
    def through_kubernetes(
        cls, kubeconfig: str | None, context: str | None, timeout: float | None
    ) -> KubeClient:
        """Return a client whose kubeconfig and requests go through the kubernetes package."""
        from kube_inspect.kube.apiclient import ReadOnlyApiClient, load_configuration
        from kube_inspect.kube.transport import KubernetesTransport

        configuration, name = load_configuration(kubeconfig, context, timeout)
        configuration.retries = 0  # retries are ours to decide, within the request timeout
        api = ReadOnlyApiClient(configuration)
        api.user_agent = USER_AGENT
        return cls(KubernetesTransport(api), Target(name, configuration.host), timeout)

    def close(self) -> None:
        """Release the connection pool."""
        self._transport.close()

    def now(self) -> datetime:
        """Return the time of what this client reads: now, for a live cluster."""
        return datetime.now(UTC)

    def warm_up(self) -> None:
        """Start asking for the version now, in a thread: the connection opens meanwhile.

        The TCP and TLS handshakes (two round trips to a distant server) then overlap the
        rest of start-up; ``version`` returns this answer, or raises its error.
        """
        if self._warm is not None:
            return
        warm: Future[str] = Future()
        self._warm = warm

        def ask() -> None:
            try:
                warm.set_result(self._version())
            except BaseException as e:  # raised by version(), where the answer is used
                warm.set_exception(e)

        threading.Thread(target=ask, name="warm-up", daemon=True).start()

    def version(self) -> str:
        """Return the API server's Kubernetes version, e.g. ``v1.36.3``."""
        if self._warm is not None:
            return self._warm.result()
        return self._version()

    def _version(self) -> str:
        body = self.get("/version")
        return str(body.get("gitVersion", "unknown"))

    def list_nodes(self, label_selector: str | None = None) -> list[dict[str, Any]]:
        """Return every node, or those matching a label selector, read in pages."""
        return self.list_all("/api/v1/nodes", selectors(label_selector, None))

    def list_namespaces(self) -> list[dict[str, Any]]:
        """Return every namespace (for shell completion)."""
        return self.list_all("/api/v1/namespaces")

    def get_namespace(self, name: str) -> dict[str, Any]:
        """Return one namespace by name (NotFound if there is none)."""
        return self.get(f"/api/v1/namespaces/{quote(name, safe='')}")

    def get_node(self, name: str) -> dict[str, Any]:
        """Return one node by name (NotFound if there is none)."""
        return self.get(f"/api/v1/nodes/{quote(name, safe='')}")

    def list_pods(
        self,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]:
        """Return the pods of one namespace (all when None) matching the selectors."""
        query = selectors(label_selector, field_selector)
        return self.list_all(_namespaced("/api/v1", "pods", namespace), query)

    def list_replicasets(self, namespace: str | None = None) -> list[dict[str, Any]]:
        """Return ReplicaSets, the link from a Deployment's pods to the Deployment."""
        return self.list_all(_namespaced("/apis/apps/v1", "replicasets", namespace))

    def list_claims(self, namespace: str | None = None) -> list[dict[str, Any]]:
        """Return PersistentVolumeClaims, one LIST for every pod's claim volumes."""
        return self.list_all(_namespaced("/api/v1", "persistentvolumeclaims", namespace))

    def list_jobs(self, namespace: str | None = None) -> list[dict[str, Any]]:
        """Return Jobs, the link from a CronJob's pods to the CronJob."""
        return self.list_all(_namespaced("/apis/batch/v1", "jobs", namespace))

    def list_events(
        self, namespace: str | None = None, field_selector: str | None = "type=Warning"
    ) -> list[dict[str, Any]]:
        """Return the events of one namespace (all when None), Warning ones by default.

        One paged LIST for every pod and node: never one request per object.
        """
        return self.list_all(
            _namespaced("/api/v1", "events", namespace), selectors(None, field_selector)
        )

    def list_node_metrics(self) -> list[dict[str, Any]]:
        """Return live node usage from metrics.k8s.io (NotFound when it is not served).

        Not retried: usage is an extra, and an unavailable metrics server (503) should
        cost one request, not the retries a view's own objects deserve.
        """
        return self.list_all(f"{METRICS_API}/nodes", policy=NO_RETRIES)

    def list_pod_metrics(self, namespace: str | None = None) -> list[dict[str, Any]]:
        """Return live pod usage from metrics.k8s.io (NotFound when it is not served)."""
        return self.list_all(_namespaced(METRICS_API, "pods", namespace), policy=NO_RETRIES)

    def stream_nodes(self, label_selector: str | None = None) -> PageStream[dict[str, Any]]:
        """Return every node (or those with the labels), read ahead from now on."""
        return self.stream("/api/v1/nodes", "nodes", selectors(label_selector, None))

    def stream_pods(
        self,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        with_volumes: bool = True,
    ) -> PageStream[dict[str, Any]]:
        """Return the pods of one namespace (all when None), read ahead from now on."""
        query = selectors(label_selector, field_selector)
        path = _namespaced("/api/v1", "pods", namespace)
        return self.stream_pod_list(path, query, with_volumes)

    def stream_pod_list(
        self, path: str, query: list[tuple[str, Any]], with_volumes: bool = True
    ) -> PageStream[dict[str, Any]]:
        """Return the pods of the LIST at ``path`` (with ``query``), read ahead from now on."""
        decode = decode_pod_list if with_volumes else decode_lean_pod_list
        # decode_pod_list reads protobuf pages too: pods are asked for in --wire's encoding
        if self.wire == "auto":  # JSON, unless the list is big (kube/wires.py)
            big = (AUTO_PROTOBUF_ABOVE, ACCEPT["auto"])
            return self.stream(path, "pods", query, decode, JSON, big)
        return self.stream(path, "pods", query, decode, ACCEPT[self.wire])

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

        A thread reads the pages (STREAM_PAGE_SIZE objects each, BIG_LIST_PAGE_SIZE once the
        first page says more than BIG_LIST_ABOVE remain), asking for the next one
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

        # the reader decodes only each page's metadata, for its continue token
        pages = self.pages(
            path,
            query,
            _body_and_metadata,
            limit=STREAM_PAGE_SIZE,
            accept=accept,
            big=big,
            grow=(BIG_LIST_ABOVE, BIG_LIST_PAGE_SIZE),
        )
        # popped: the pages' generator holds each page while it reads the next one
        bodies = Prefetched((page.pop("body") for page in pages), batch=1, depth=2)
        return PageStream(bodies, items_of, count)

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

    def list_workloads(
        self, resource: str, namespace: str | None = None, label_selector: str | None = None
    ) -> list[dict[str, Any]]:
        """Return the Deployments, StatefulSets or DaemonSets (apps/v1) of one or all namespaces.

        Each item gets the ``kind`` a LIST leaves out, so later code can tell them apart.
        """
        if resource not in WORKLOAD_RESOURCES:
            raise ValueError(f"not a workload resource: {resource}")
        scope = "" if namespace is None else f"/namespaces/{quote(namespace, safe='')}"
        kind = {"deployments": "Deployment", "statefulsets": "StatefulSet"}.get(
            resource, "DaemonSet"
        )
        return [
            {**item, "kind": kind}
            for item in self.list_all(
                f"/apis/apps/v1{scope}/{resource}", selectors(label_selector, None)
            )
        ]

    def list_all(
        self,
        path: str,
        query: list[tuple[str, Any]] | None = None,
        policy: RetryPolicy | None = None,
    ) -> list[dict[str, Any]]:
        """Return every item of the LIST at ``path``; restart it once if its continue token expires.

        A 410 Gone in the middle of a paged LIST means etcd compacted the revision the
        list was reading: the pages so far are dropped and the list starts again, once.
        """
        return again_if_gone(lambda: list(self.paged(path, query, policy=policy)), path)

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


def _body_and_metadata(body: bytes) -> dict[str, Any]:
    """Return a LIST page's raw body with its decoded metadata (see stream)."""
    return {"body": body, "metadata": list_metadata(body)}


def _namespaced(prefix: str, resource: str, namespace: str | None) -> str:
    if namespace is None:
        return f"{prefix}/{resource}"
    return f"{prefix}/namespaces/{quote(namespace, safe='')}/{resource}"


def selectors(label: str | None, field: str | None) -> list[tuple[str, Any]]:
    """Return the query parameters of a label and a field selector, where given."""
    query: list[tuple[str, Any]] = []
    if label:
        query.append(("labelSelector", label))
    if field:
        query.append(("fieldSelector", field))
    return query


def decode_lean_pod_list(body: bytes) -> dict[str, Any]:
    """Return a LIST page of pods without their volumes and mounts (see decode_pod_list)."""
    return decode_pod_list(body, with_volumes=False)
