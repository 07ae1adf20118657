"""The one way a request leaves kube-inspect: GET only, over urllib3 or the kubernetes package.

``Transport.request`` is the read-only gate: every request, on either transport, passes
``refuse_writes`` before anything is sent. ``HttpTransport`` is kube-inspect's own, on
urllib3 with a Connection (kube/connection.py): it spares the request path the import of
the ``kubernetes`` package (every model class, pydantic, requests, oauthlib: about 0.2 to
0.4 s). ``KubernetesTransport`` wraps the package's ApiClient, for the contexts the
connection reader leaves to it (auth-provider users, see kube/connection.py).

Both return urllib3 responses, not read yet, whatever their status: the client reads
them and translates failures (kube/client.py).
"""

from __future__ import annotations

import os
import ssl
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import urllib3

from kube_inspect.errors import ConfigError, ReadOnlyViolation
from kube_inspect.kube.connection import Connection
from kube_inspect.kube.credentials import ClientCertificate, Credentials
from kube_inspect.kube.identity import impersonation_headers
from kube_inspect.kube.kubeconfig import first_line
from kube_inspect.kube.warming import WarmingPool

ALLOWED_METHODS = frozenset({"GET"})  # get, list and watch are all HTTP GET
# connections kept per API server: more than the reader threads of a tree ever use, so
# urllib3 never discards one (and logs a warning); the kubernetes package kept 10 on 2 cores
POOL_SIZE = 10

Query = list[tuple[str, Any]] | None
Timeout = float | tuple[float | None, float | None] | None
Headers = tuple[tuple[str, str], ...]  # a name may come more than once (Impersonate-Group)


def refuse_writes(method: str, url: str) -> None:
    """Raise ReadOnlyViolation for any method but GET: the one read-only check."""
    if method.upper() not in ALLOWED_METHODS:
        raise ReadOnlyViolation(f"refused to send {method} {url}: kube-inspect only reads")


class Transport(ABC):
    """Sends requests to one API server; GET only."""

    def request(
        self,
        method: str,
        path: str,
        query: Query = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout = None,
    ) -> urllib3.BaseHTTPResponse:
        """Send ``method path?query`` and return the response, its body not read yet.

        Raises ReadOnlyViolation, before sending anything, for any method but GET; a
        urllib3 HTTPError when the request cannot be sent or answered.
        """
        refuse_writes(method, path)
        return self._send(method, path, query or [], dict(headers or {}), timeout)

    @abstractmethod
    def _send(
        self,
        method: str,
        path: str,
        query: list[tuple[str, Any]],
        headers: dict[str, str],
        timeout: Timeout,
    ) -> urllib3.BaseHTTPResponse:
        """Send a request already let through by the gate."""  # fmt: skip

    def open_ahead(self, count: int, timeout: Timeout) -> None:
        """Start opening ``count`` connections now, for the reads about to be sent.

        Only kube-inspect's own transport, without a proxy, opens any (kube/warming.py).
        """
        return None  # the kubernetes package opens its connections itself

    @abstractmethod
    def close(self) -> None:
        """Release the connections."""


def with_headers(headers: Mapping[str, str], more: Headers) -> Mapping[str, str]:
    """Return ``headers`` and ``more``; each of ``more`` sent as a line of its own."""
    if not more:
        return headers
    merged = urllib3.HTTPHeaderDict(headers)
    for name, value in more:
        merged.add(name, value)
    return merged


def urllib3_timeout(timeout: Timeout) -> urllib3.Timeout:
    """Return a request timeout as urllib3 takes it: a total, or (connect, read)."""
    if isinstance(timeout, tuple):
        return urllib3.Timeout(connect=timeout[0], read=timeout[1])
    if timeout is None:
        return urllib3.Timeout(connect=None, read=None)
    return urllib3.Timeout(total=timeout)


class HttpTransport(Transport):
    """kube-inspect's own transport: urllib3, with what a Connection says."""

    def __init__(self, connection: Connection, credentials: Credentials, user_agent: str) -> None:
        """Prepare the connection pool of ``connection`` (nothing is sent yet)."""
        self._connection = connection
        self._credentials = credentials
        self._user_agent = user_agent
        self._lock = threading.Lock()
        self._certificate = credentials.client_certificate()
        self._pool = self._pool_for(self._certificate)
        self._identity = impersonation_headers(connection.impersonation)

    def _send(
        self, method: str, path: str, query: list[tuple[str, Any]], headers: dict[str, str],
        timeout: Timeout,
    ) -> urllib3.BaseHTTPResponse:  # fmt: skip
        url = self._connection.server + path + (f"?{urlencode(query)}" if query else "")
        headers.setdefault("User-Agent", self._user_agent)
        authorization = self._credentials.authorization()
        if authorization is not None:
            headers["Authorization"] = authorization
        return self._current_pool().request(
            method,
            url,
            headers=with_headers(headers, self._identity),
            timeout=urllib3_timeout(timeout),
            retries=0,  # retries are the client's to decide (kube/retry.py)
            redirect=False,
            preload_content=False,
        )

    def open_ahead(self, count: int, timeout: Timeout) -> None:
        """Open ``count`` connections to the server now, each in a thread (kube/warming.py)."""
        pool = self._current_pool().connection_from_url(self._connection.server)
        if isinstance(pool, WarmingPool):
            connect = urllib3_timeout(timeout).connect_timeout
            pool.open_ahead(min(count, POOL_SIZE), urllib3.Timeout.resolve_default_timeout(connect))

    def _current_pool(self) -> urllib3.PoolManager:
        """Return the pool, made again when a plugin's client certificate was renewed."""
        certificate = self._credentials.client_certificate()
        with self._lock:
            if certificate != self._certificate:
                self._pool.clear()
                self._certificate = certificate
                self._pool = self._pool_for(certificate)
            return self._pool

    def _pool_for(self, certificate: ClientCertificate | None) -> urllib3.PoolManager:
        """Return pool_manager's pool; ConfigError when a certificate or key cannot be used."""
        try:
            return pool_manager(self._connection, certificate)
        except (OSError, ValueError) as e:  # ssl.SSLError is an OSError
            raise ConfigError(
                f"cannot use the certificates of context {self._connection.context!r} "
                f"({first_line(e)}): fix certificate-authority, client-certificate or "
                "client-key in the kubeconfig"
            ) from e

    def close(self) -> None:
        """Release the connection pool."""
        self._pool.clear()


def pool_manager(
    connection: Connection, certificate: ClientCertificate | None
) -> urllib3.PoolManager:
    """Return the urllib3 pool manager for ``connection``: TLS, proxy and client certificate."""
    options: dict[str, Any] = {"maxsize": POOL_SIZE}
    if connection.server.lower().startswith("https"):
        options["ssl_context"] = tls_context(connection, certificate)
        if connection.insecure:
            options["cert_reqs"] = ssl.CERT_NONE
            options["assert_hostname"] = False
        if connection.tls_server_name:
            options["server_hostname"] = connection.tls_server_name
    proxy = connection.proxy_url or environment_proxy(connection.server)
    if proxy is None:
        manager = urllib3.PoolManager(**options)
        # its HTTPS pools can open connections ahead (through a proxy, each request opens its own)
        manager.pool_classes_by_scheme = {**manager.pool_classes_by_scheme, "https": WarmingPool}
        return manager
    if proxy.split("://", 1)[0].lower().startswith("socks"):
        from urllib3.contrib.socks import SOCKSProxyManager  # needs PySocks: see connection.py

        return SOCKSProxyManager(proxy, **options)
    return urllib3.ProxyManager(proxy, proxy_headers=proxy_authorization(proxy), **options)


def proxy_authorization(proxy: str) -> dict[str, str] | None:
    """Return the Proxy-Authorization header of a proxy URL's user (as kubectl sends it)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(proxy)
    if parts.username is None:
        return None
    user = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return urllib3.make_headers(proxy_basic_auth=user)


def environment_proxy(server: str) -> str | None:
    """Return the proxy $HTTPS_PROXY (or $HTTP_PROXY) names for ``server``, if any.

    None when $NO_PROXY spares the server. As the kubernetes package did, and kubectl.
    """
    if not any(k.lower().endswith("_proxy") for k in os.environ):
        return None  # the common case, without importing urllib.request
    import urllib.request
    from urllib.parse import urlsplit

    proxies = urllib.request.getproxies_environment()
    parts = urlsplit(server)
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if not proxy or bypass(parts.netloc, proxies):
        return None
    return proxy


class SharedTlsContext(ssl.SSLContext):
    """A TLS context that several threads open connections with: ALPN is set once.

    urllib3 sets ALPN on the context again for every connection it opens. Done while
    another thread's handshake copies the context (the reads go out at once, beside the
    warm-up), OpenSSL can put a freed buffer in that ClientHello, and the API server
    answers "decode error" (TLSV1_ALERT_DECODE_ERROR, seen now and then in the suite).
    """

    _alpn: tuple[str, ...] = ()

    def set_alpn_protocols(self, alpn_protocols: Iterable[str]) -> None:
        """Set the ALPN protocols, unless they are those already set (then touch nothing)."""
        wanted = tuple(alpn_protocols)
        if wanted != self._alpn:
            super().set_alpn_protocols(wanted)
            self._alpn = wanted


def tls_context(connection: Connection, certificate: ClientCertificate | None) -> ssl.SSLContext:
    """Return the TLS context: the cluster's CA (else the system's), and the client certificate."""
    from urllib3.util.ssl_ import ALPN_PROTOCOLS, create_urllib3_context

    if connection.insecure:
        context = create_urllib3_context(cert_reqs=ssl.CERT_NONE)
        context.check_hostname = False
    else:
        context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
        if connection.ca_data is not None:
            context.load_verify_locations(cadata=connection.ca_data.decode("ascii", "replace"))
        elif connection.ca_file is not None:
            context.load_verify_locations(cafile=connection.ca_file)
        else:
            context.load_default_certs()
    if certificate is not None:
        with _pem_files(certificate) as (cert_file, key_file):
            context.load_cert_chain(cert_file, key_file)
    context.__class__ = SharedTlsContext  # the same object: only set_alpn_protocols differs
    context.set_alpn_protocols(ALPN_PROTOCOLS)  # once, before any thread connects
    return context


@contextmanager
def _pem_files(certificate: ClientCertificate) -> Iterator[tuple[str, str | None]]:
    """Yield the certificate and key as files: PEM data in a private directory, removed after.

    ssl loads a certificate chain from files only: OpenSSL reads them at once.
    """
    if certificate.cert_data is None and certificate.key_data is None:
        assert certificate.cert_file is not None
        yield certificate.cert_file, certificate.key_file
        return
    import tempfile  # only for certificates given as data

    with tempfile.TemporaryDirectory(prefix="kube-inspect-") as directory:  # mode 0700
        cert_file = certificate.cert_file
        key_file = certificate.key_file
        if certificate.cert_data is not None:
            cert_file = _private_file(directory, "client.crt", certificate.cert_data)
        if certificate.key_data is not None:
            key_file = _private_file(directory, "client.key", certificate.key_data)
        assert cert_file is not None
        yield cert_file, key_file


def _private_file(directory: str, name: str, data: bytes) -> str:
    path = os.path.join(directory, name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as f:
        f.write(data)
    return path


class KubernetesTransport(Transport):
    """The kubernetes package's ApiClient, for contexts kube-inspect's reader leaves to it."""

    def __init__(self, api: Any, identity: Headers = ()) -> None:
        """Wrap a (read-only) ApiClient already configured for the context.

        ``identity`` are the impersonation headers (the package itself sends none).
        """
        self._api = api
        self._identity = identity

    def _send(
        self, method: str, path: str, query: list[tuple[str, Any]], headers: dict[str, str],
        timeout: Timeout,
    ) -> urllib3.BaseHTTPResponse:  # fmt: skip
        from kubernetes.client.exceptions import ApiException

        from kube_inspect.kube.translate import HttpStatusError

        method, url, sent, body, post = self._api.param_serialize(
            method, path, query_params=query, header_params=headers, auth_settings=["BearerToken"]
        )
        sent = with_headers(sent, self._identity)
        try:
            response = self._api.call_api(method, url, sent, body, post, _request_timeout=timeout)
        except ApiException as e:  # the package raises some answers itself
            raise HttpStatusError(e.status or 0, e.reason, e.body, e.headers or {}) from e
        raw: urllib3.BaseHTTPResponse = response.response
        return raw

    def close(self) -> None:
        """Release the connection pool."""
        self._api.close()
