"""The only module that talks to the API server, through the official ``kubernetes`` package.

It reads the kubeconfig, sends GET requests only (get, list and watch), pages every LIST,
puts a timeout on every request, and returns plain dicts parsed from the raw response body
(no typed models: they cost time and memory at scale). Every failure leaves this module as
a ``KubeInspectError``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import urllib3
import yaml
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from kube_inspect import __version__
from kube_inspect.decode import decode_json, decode_object_list
from kube_inspect.errors import (
    ApiError,
    ClusterUnreachable,
    ConfigError,
    Forbidden,
    KubeInspectError,
    ReadOnlyViolation,
    Unauthorized,
)
from kube_inspect.prefetch import Prefetched
from kube_inspect.progress import Progress

PAGE_SIZE = 500
# stream_* read bigger pages: each LIST page costs the API server a fixed share more
# (at 30,000 pods, curl of pages of 500 takes twice the time of pages of 5,000, which
# is close to one unpaged LIST), while 2,000 pods a page still hold memory to ~50 MB.
STREAM_PAGE_SIZE = 2000
USER_AGENT = f"kube-inspect/{__version__}"
DEFAULT_KUBECONFIG = "~/.kube/config"
ALLOWED_METHODS = frozenset({"GET"})  # get, list and watch are all HTTP GET


class ReadOnlyApiClient(k8s.ApiClient):
    """An ApiClient that refuses, before sending anything, any method but GET."""

    def call_api(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        """Send a GET request; raise ReadOnlyViolation for any other method.

        Every request of the generated client, typed or raw, passes through here.
        """
        if method.upper() not in ALLOWED_METHODS:
            raise ReadOnlyViolation(f"refused to send {method} {url}: kube-inspect only reads")
        return super().call_api(method, url, *args, **kwargs)


@dataclass(frozen=True, slots=True)
class Target:
    """Where the client points: the kubeconfig context and the API server URL."""

    context: str
    server: str


def kubeconfig_paths(kubeconfig: str | None) -> str:
    """Return the kubeconfig path list to read: the flag, else $KUBECONFIG, else the default."""
    return kubeconfig or os.environ.get("KUBECONFIG") or DEFAULT_KUBECONFIG


def current_context(paths: str) -> str | None:
    """Return the current-context as kubectl merges it: the first file that sets one wins."""
    for path in paths.split(os.pathsep):
        path = os.path.expanduser(path)
        if not path or not os.path.exists(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            raise ConfigError(f"cannot read kubeconfig {path}: {_first_line(e)}") from e
        if isinstance(doc, dict) and doc.get("current-context"):
            return str(doc["current-context"])
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


class KubeClient:
    """Reads what kube-inspect shows, from the cluster a kubeconfig context names."""

    def __init__(self, api: k8s.ApiClient, target: Target, timeout: float | None) -> None:
        """Wrap an ApiClient already configured for ``target``."""
        self._api = api
        self.target = target
        self._timeout = timeout
        self.progress: Progress | None = None  # counts the pages of stream_* lists
        self.compress = False  # ask for gzip: see docs/performance.md before turning it on

    @classmethod
    def from_kubeconfig(
        cls, kubeconfig: str | None, context: str | None, timeout: float | None
    ) -> KubeClient:
        """Return a client for ``context`` (or the current one) of the kubeconfig.

        Raises ConfigError when no kubeconfig is found, it is malformed, or it has no such
        context.
        """
        paths = kubeconfig_paths(kubeconfig)
        existing = [
            p for p in paths.split(os.pathsep) if p and os.path.exists(os.path.expanduser(p))
        ]
        if not existing:
            raise ConfigError(
                f"no kubeconfig found at {paths}: pass --kubeconfig or set KUBECONFIG"
            )
        name = context or current_context(paths)
        if not name:
            raise ConfigError(f"no current context in {paths}: pass --context NAME")
        configuration = k8s.Configuration()
        try:
            k8s_config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=paths,
                context=name,
                client_configuration=configuration,
                persist_config=False,  # never write to the user's kubeconfig
            )
        except ConfigException as e:
            raise ConfigError(_config_message(str(e), name, paths)) from e
        except (KeyError, TypeError, AttributeError, ValueError, yaml.YAMLError) as e:
            raise ConfigError(f"malformed kubeconfig {paths}: {_first_line(e)}") from e
        configuration.retries = 0  # retries are ours to decide, within the request timeout
        api = ReadOnlyApiClient(configuration)
        api.user_agent = USER_AGENT
        return cls(api, Target(name, configuration.host), timeout)

    def close(self) -> None:
        """Release the connection pool."""
        self._api.close()  # type: ignore[no-untyped-call]

    def version(self) -> str:
        """Return the API server's Kubernetes version, e.g. ``v1.36.3``."""
        body = self.get("/version")
        return str(body.get("gitVersion", "unknown"))

    def list_nodes(self) -> list[dict[str, Any]]:
        """Return every node, read in pages."""
        return list(self.paged("/api/v1/nodes"))

    def list_pods(self, namespace: str | None = None) -> list[dict[str, Any]]:
        """Return the pods of one namespace, or of all namespaces when it is None."""
        if namespace is None:
            return list(self.paged("/api/v1/pods"))
        return list(self.paged(f"/api/v1/namespaces/{quote(namespace, safe='')}/pods"))

    def stream_nodes(self) -> Prefetched[dict[str, Any]]:
        """Return every node, read ahead in a background thread from now on."""
        return self.stream("/api/v1/nodes", "nodes")

    def stream_pods(self, namespace: str | None = None) -> Prefetched[dict[str, Any]]:
        """Return the pods of one namespace (all when None), read ahead from now on."""
        if namespace is None:
            return self.stream("/api/v1/pods", "pods")
        return self.stream(f"/api/v1/namespaces/{quote(namespace, safe='')}/pods", "pods")

    def stream(self, path: str, kind: str) -> Prefetched[dict[str, Any]]:
        """Return the items of a LIST at ``path``, paged, the next page read while this one is used.

        Only a few pages are held at once: memory is bounded by what the caller keeps.
        """
        progress = self.progress

        def count(objects: int) -> None:
            if progress is not None:
                progress.page(kind, objects)

        pages = self.paged(path, decode_object_list, STREAM_PAGE_SIZE)
        return Prefetched(pages, STREAM_PAGE_SIZE, depth=1, on_batch=count)

    def paged(
        self, path: str, decode: Callable[[bytes], Any] = decode_json, limit: int = 0
    ) -> Iterator[dict[str, Any]]:
        """Yield the items of a LIST at ``path``, read in pages of ``limit`` or PAGE_SIZE.

        ``decode`` parses each page: decode_object_list leaves out managedFields.
        """
        token: str | None = None
        while True:
            query: list[tuple[str, Any]] = [("limit", limit or PAGE_SIZE)]
            if token:
                query.append(("continue", token))
            page = self.get(path, query, decode)
            yield from page.get("items") or []
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return

    def get(
        self,
        path: str,
        query: list[tuple[str, Any]] | None = None,
        decode: Callable[[bytes], Any] = decode_json,
    ) -> dict[str, Any]:
        """Send one GET and return its parsed JSON body, translating every failure.

        The raw body is parsed directly, by msgspec: the generated typed models would cost
        several times the time and memory at scale (figures in docs/performance.md).
        """
        try:
            headers = {"Accept": "application/json"}
            if self.compress:
                headers["Accept-Encoding"] = "gzip"  # urllib3 decodes it when reading
            request = self._api.param_serialize(
                "GET",
                path,
                query_params=query,
                header_params=headers,
                auth_settings=["BearerToken"],
            )
            response = self._api.call_api(*request, _request_timeout=self._timeout)
            response.read()  # type: ignore[no-untyped-call]
            if not 200 <= response.status <= 299:
                raise ApiException.from_response(http_resp=response, body=None, data=None)
            body = decode(response.data or b"null")
        except ApiException as e:
            raise self._api_error(e) from e
        except urllib3.exceptions.HTTPError as e:
            raise self._transport_error(e) from e
        except ValueError as e:
            raise ApiError(f"the API server at {self.target.server} sent malformed JSON") from e
        if not isinstance(body, dict):
            raise ApiError(f"the API server at {self.target.server} sent an unexpected answer")
        return body

    def _api_error(self, e: ApiException) -> KubeInspectError:
        status, server = e.status, self.target.server
        reason = _status_message(e.body) or e.reason or "no reason given"
        if status == 401:
            return Unauthorized(
                f"{server} rejected the credentials of context {self.target.context!r} "
                "(401 Unauthorized): log in again or fix the user in the kubeconfig"
            )
        if status == 403:
            return Forbidden(f"forbidden: {reason}")
        return ApiError(f"the API server at {server} answered {status}: {reason}")

    def _transport_error(self, e: urllib3.exceptions.HTTPError) -> KubeInspectError:
        server, context = self.target.server, self.target.context
        cause = (e.reason or e) if isinstance(e, urllib3.exceptions.MaxRetryError) else e
        if isinstance(cause, urllib3.exceptions.SSLError):
            return ClusterUnreachable(
                f"TLS handshake with {server} failed ({_first_line(cause)}): check the "
                f"certificate-authority of context {context!r}"
            )
        # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: test it first.
        if isinstance(cause, urllib3.exceptions.NewConnectionError):
            return ClusterUnreachable(
                f"cannot connect to {server} (context {context!r}): is the cluster running?"
            )
        if isinstance(cause, urllib3.exceptions.TimeoutError):
            return ClusterUnreachable(
                f"{server} did not answer within {self._timeout or 0:g}s: is the cluster up? "
                "(raise --request-timeout for a slow server)"
            )
        return ClusterUnreachable(f"lost the connection to {server}: {_first_line(cause or e)}")


def _status_message(body: Any) -> str | None:
    """Return the message of a Kubernetes Status body, if it is one."""
    try:
        status = json.loads(body) if body else None
    except (TypeError, ValueError):
        return None
    if isinstance(status, dict) and isinstance(status.get("message"), str):
        return str(status["message"])
    return None


def _config_message(text: str, context: str, paths: str) -> str:
    if "Expected object with name" in text and context in text:
        return f"context {context!r} not found in {paths}: see kubectl config get-contexts"
    return f"invalid kubeconfig {paths}: {text.splitlines()[0] if text else 'unreadable'}"
