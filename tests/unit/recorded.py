"""A real KubeClient whose one request path answers with JSON recorded from a real API server.

Commands take a client factory (``CliRunner.invoke(cli, args, obj={"client_factory": f})``),
so unit tests hand in this client instead of patching KubeClient's methods. It answers
each GET as the API server would for the recorded sample cluster: single nodes, namespaced
lists, label and field selectors; resources named in ``forbidden`` answer 403, as RBAC
does for a user without the right.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from typing import Any, cast

from click.testing import CliRunner, Result

from kube_inspect.cli import cli
from kube_inspect.cli.options import ClusterFlags
from kube_inspect.errors import Forbidden, NotFound
from kube_inspect.interpret.label_selector import parse_selector
from kube_inspect.kube.client import KubeClient, Target
from kube_inspect.kube.connection import read_connection
from tests.unit.conftest import load

RECORDED_PATHS = {
    "/version": "version.json",
    "/api/v1/nodes": "nodes.json",
    "/api/v1/pods": "pods.json",
    "/api/v1/namespaces": "namespaces.json",
    "/apis/apps/v1/replicasets": "replicasets.json",
    "/apis/batch/v1/jobs": "jobs.json",
    "/apis/apps/v1/deployments": "deployments.json",
    "/apis/apps/v1/statefulsets": "statefulsets.json",
    "/apis/apps/v1/daemonsets": "daemonsets.json",
    "/api/v1/events": "events.json",  # only the Warning events: the one query sent
    "/api/v1/persistentvolumeclaims": "persistentvolumeclaims.json",
}
NAMESPACED = re.compile(r"^(?P<prefix>.*)/namespaces/(?P<namespace>[^/]+)/(?P<resource>[^/]+)$")
ONE_NODE = re.compile(r"^/api/v1/nodes/(?P<name>[^/]+)$")
FIELDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "spec.nodeName": lambda o: (o.get("spec") or {}).get("nodeName"),
    "metadata.name": lambda o: o["metadata"]["name"],
    "metadata.namespace": lambda o: o["metadata"].get("namespace"),
    "status.phase": lambda o: (o.get("status") or {}).get("phase"),
    "type": lambda o: o.get("type"),
}
USER = "viewer"
SAMPLE_TARGET = ("kwok-sample", "https://127.0.0.1:6443")


def forbidden_message(resource: str) -> str:
    """Return the 403 text the API server sends a user who may not list ``resource``."""
    return (
        f'forbidden: {resource} is forbidden: User "{USER}" cannot list resource '
        f'"{resource}" in API group "" at the cluster scope'
    )


def selected(items: list[dict[str, Any]], query: Any) -> list[dict[str, Any]]:
    """Return the items the query's label and field selectors pick, as the API server would."""
    params = dict(query or [])
    labels = parse_selector(params.get("labelSelector"))
    items = [o for o in items if labels(o["metadata"].get("labels") or {})]
    for term in filter(None, str(params.get("fieldSelector") or "").split(",")):
        found = re.fullmatch(r"([\w.]+)(!?)==?(.*)", term)
        assert found is not None, f"a field selector the recorded server cannot read: {term}"
        key, negated, value = found.groups()
        items = [o for o in items if (FIELDS[key](o) == value) != bool(negated)]
    return items


def recorded_answer(path: str, query: Any = None, forbidden: Collection[str] = ()) -> Any:
    """Return the recorded server's JSON answer to a GET of ``path``."""
    if match := ONE_NODE.match(path):
        if "nodes" in forbidden:
            raise Forbidden(forbidden_message("nodes"))
        for node in load("nodes.json")["items"]:
            if node["metadata"]["name"] == match["name"]:
                return node
        raise NotFound(f'not found: nodes "{match["name"]}" not found')
    namespace = None
    if match := NAMESPACED.match(path):
        namespace = match["namespace"]
        path = f"{match['prefix']}/{match['resource']}"
    if path not in RECORDED_PATHS:
        raise NotFound(f"not found: {path}")
    resource = path.rsplit("/", 1)[-1]
    if resource in forbidden:
        raise Forbidden(forbidden_message(resource))
    doc: dict[str, Any] = load(RECORDED_PATHS[path])
    if "items" in doc:
        items = doc["items"]
        if namespace is not None:
            items = [o for o in items if o["metadata"]["namespace"] == namespace]
        doc = {**doc, "items": selected(items, query)}
    return doc


class RecordedClient(KubeClient):
    """A KubeClient whose requests are answered from the recording, none sent."""

    def __init__(self, forbidden: Collection[str] = (), target: Target | None = None) -> None:
        """Answer as the API server would a user who may not list ``forbidden``."""
        super().__init__(cast(Any, None), target or Target(*SAMPLE_TARGET), 30.0)
        self.forbidden = frozenset(forbidden)
        self.paths: list[str] = []

    def _get_once(
        self, path: str, query: Any, decode: Callable[[bytes], Any], accept: str = ""
    ) -> Any:
        # answers JSON whatever the Accept header, as an API server does for a kind it
        # cannot encode as protobuf; the protobuf recording is tests/unit/test_protobuf.py's
        self.paths.append(path)
        body = json.dumps(recorded_answer(path, query, self.forbidden)).encode()
        return decode(body)

    def close(self) -> None:
        """Nothing to release: no connection was opened."""


def factory(forbidden: Collection[str] = ()) -> Callable[[ClusterFlags], KubeClient]:
    """Return a client factory that makes RecordedClients.

    With --kubeconfig, the client names the context and server the kubeconfig gives (it
    is read, as the real factory reads it; nothing is sent).
    """

    def make(flags: ClusterFlags) -> KubeClient:
        if flags.kubeconfig is None:
            return RecordedClient(forbidden)
        connection = read_connection(flags.kubeconfig, flags.context, flags.overrides)
        assert connection is not None, "the recorded tests' kubeconfigs need no kubernetes package"
        target = Target(connection.context, connection.server, connection.namespace)
        return RecordedClient(forbidden, target)

    return make


def invoke(*args: str, forbidden: Collection[str] = ()) -> Result:
    """Run the CLI with ``args`` against the recorded cluster."""
    return CliRunner().invoke(cli, list(args), obj={"client_factory": factory(forbidden)})
