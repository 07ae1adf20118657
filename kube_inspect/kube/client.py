"""The client: what kube-inspect reads from the API server, on the one request path.

``KubeClient`` is made from a kubeconfig context (kube/connection.py, or the kubernetes
package for what that reader leaves to it) and reads each resource a view shows. How a
request is sent, retried and translated is kube/request_path.py; how a LIST is paged and
streamed, kube/paging.py; WATCHes, kube/watching.py. It sends GET requests only, puts a
timeout on every request, and returns plain dicts. Every failure leaves as a
``KubeInspectError``.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from kube_inspect.kube import USER_AGENT as USER_AGENT  # re-exported for cli/record.py
from kube_inspect.kube.compression import asks_gzip
from kube_inspect.kube.decode import decode_pod_list
from kube_inspect.kube.kubeconfig import (
    context_names as context_names,  # re-exported: shell completion reads them here
)
from kube_inspect.kube.kubeconfig import fleet_contexts as fleet_contexts  # for the CLI
from kube_inspect.kube.kubeconfig import kubeconfig_paths as kubeconfig_paths
from kube_inspect.kube.paging import Paging
from kube_inspect.kube.prefetch import PageStream
from kube_inspect.kube.request_path import NO_RETRIES as NO_RETRIES  # re-exported for read/
from kube_inspect.kube.retry import again_if_gone as again_if_gone  # re-exported for read/
from kube_inspect.kube.translate import Target as Target  # re-exported for the CLI
from kube_inspect.kube.watching import Watching
from kube_inspect.kube.wires import ACCEPT, AUTO_PROTOBUF_ABOVE, JSON

if TYPE_CHECKING:
    from kube_inspect.kube.opening import Opened
    from kube_inspect.kube.overrides import ConnectionOverrides
    from kube_inspect.kube.transport import Transport

METRICS_API = "/apis/metrics.k8s.io/v1beta1"
WORKLOAD_RESOURCES = ("deployments", "statefulsets", "daemonsets")  # all in apps/v1


class KubeClient(Paging, Watching):
    """Reads what kube-inspect shows, from the cluster a kubeconfig context names."""

    def __init__(self, transport: Transport, target: Target, timeout: float | None) -> None:
        """Wrap a transport already configured for ``target``."""
        super().__init__(transport, target, timeout)
        self._warm: Future[str] | None = None  # the version asked for early (warm_up)
        # --wire: the encoding asked for pods (kube/wires.py); the rest is read as JSON
        self.wire = "json"

    @classmethod
    def from_kubeconfig(
        cls,
        kubeconfig: str | None,
        context: str | None,
        timeout: float | None,
        overrides: ConnectionOverrides | None = None,
        connections: int = 0,
    ) -> KubeClient:
        """Return a client for ``context`` (or the current one) of the kubeconfig.

        kubectl's connection flags (``overrides``: --server, --as...) win over the
        context's values. ``connections`` start opening at once (kube/warming.py). Raises
        ConfigError when no kubeconfig is found, it is malformed, or it has no such
        context; Unauthorized when its credential plugin fails. A context that
        kube-inspect's own reader leaves to the kubernetes package (an auth-provider:
        kube/connection.py) is read through it.
        """
        from kube_inspect.kube.opening import connect
        from kube_inspect.kube.overrides import NO_OVERRIDES

        return connect(kubeconfig, context, timeout, overrides or NO_OVERRIDES, connections)

    @classmethod
    def from_opened(cls, opened: Opened, timeout: float | None) -> KubeClient:
        """Return a client over a context already opened (kube/opening.py)."""
        connection = opened.connection
        target = Target(connection.context, connection.server, connection.namespace)
        client = cls(opened.transport, target, timeout)
        client.compress = asks_gzip(connection.server, connection.disable_compression, os.environ)
        return client

    @classmethod
    def through_kubernetes(
        cls,
        kubeconfig: str | None,
        context: str | None,
        timeout: float | None,
        overrides: ConnectionOverrides | None = None,
    ) -> KubeClient:
        """Return a client whose kubeconfig and requests go through the kubernetes package."""
        from kube_inspect.kube.identity import impersonation_headers
        from kube_inspect.kube.kubernetes_fallback import ReadOnlyApiClient, load_configuration
        from kube_inspect.kube.overrides import NO_OVERRIDES
        from kube_inspect.kube.transport import KubernetesTransport

        configuration, entries = load_configuration(
            kubeconfig, context, timeout, overrides or NO_OVERRIDES
        )
        configuration.retries = 0  # retries are ours to decide, within the request timeout
        api = ReadOnlyApiClient(configuration)
        api.user_agent = USER_AGENT
        transport = KubernetesTransport(api, impersonation_headers(entries.impersonation))
        target = Target(entries.name, configuration.host, entries.namespace)
        client = cls(transport, target, timeout)
        # as on kube-inspect's own transport: gzip unless the cluster entry disables it
        disabled = entries.cluster.value.get("disable-compression") is True
        client.compress = asks_gzip(configuration.host, disabled, os.environ)
        return client

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
