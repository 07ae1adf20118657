"""A client that answers the one read path from a snapshot: no kubeconfig, no network.

It answers each GET as the API server would have when the snapshot was taken: lists of
one namespace, label and field selectors, single nodes, the same errors (403 becomes
the same forbidden read, a 404 on metrics the same notice). Selection flags therefore
apply to a snapshot exactly as to a cluster, through the same ``read_cluster``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, cast

import msgspec

from kube_inspect.errors import ApiError, Forbidden, NotFound
from kube_inspect.interpret.label_selector import parse_selector
from kube_inspect.kube.client import NO_RETRIES, KubeClient, Target
from kube_inspect.kube.wires import JSON
from kube_inspect.offline.document import Snapshot
from kube_inspect.offline.routes import NAMESPACED, Route, route

# What a file lacking them leaves unknown (replayed as a read refused), where an empty
# list would say there are none: every node "not listed", every pod without events.
UNKNOWN_WHEN_ABSENT = frozenset(
    {"nodes", "pods", "events", "deployments", "statefulsets", "daemonsets"}
)
_FIELD_TERM = re.compile(r"([\w.]+)\s*(!=|==|=)\s*(.*)")
DRA = frozenset({"deviceclasses", "resourceslices", "resourceclaims"})


def _path(obj: Mapping[str, Any], dotted: str) -> Any:
    value: Any = obj
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


# The pod fields the API server can select on (as it spells their values).
POD_FIELDS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    name: functools.partial(_path, dotted=name)
    for name in (
        "metadata.name",
        "metadata.namespace",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "status.phase",
        "status.podIP",
        "status.nominatedNodeName",
    )
}
OBJECT_FIELDS = {name: POD_FIELDS[name] for name in ("metadata.name", "metadata.namespace")}
# The event fields the API server can select on (the read path asks for type=Warning).
EVENT_FIELDS = OBJECT_FIELDS | {
    name: functools.partial(_path, dotted=name)
    for name in (
        "type",
        "reason",
        "involvedObject.kind",
        "involvedObject.name",
        "involvedObject.namespace",
        "involvedObject.uid",
    )
}


def _field_text(value: Any) -> str:
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def select(
    items: list[dict[str, Any]], resource: str, query: list[tuple[str, Any]] | None
) -> list[dict[str, Any]]:
    """Return the items the query's label and field selectors pick, as the API server would.

    A field the API server cannot select on is its 400 answer.
    """
    params = dict(query or [])
    if params.get("labelSelector"):
        labels = parse_selector(str(params["labelSelector"]))
        items = [o for o in items if labels((o.get("metadata") or {}).get("labels") or {})]
    fields = {"pods": POD_FIELDS, "events": EVENT_FIELDS}.get(resource, OBJECT_FIELDS)
    for term in filter(None, str(params.get("fieldSelector") or "").split(",")):
        found = _FIELD_TERM.fullmatch(term.strip())
        if found is None or found[1] not in fields:
            name = found[1] if found else term
            raise ApiError(f'bad request: field label not supported: "{name}"', 400)
        read, negated, value = fields[found[1]], found[2] == "!=", found[3]
        items = [o for o in items if (_field_text(read(o)) == value) != negated]
    return items


class SnapshotClient(KubeClient):
    """A KubeClient whose requests are answered from a snapshot, none sent."""

    def __init__(self, snapshot: Snapshot) -> None:
        """Answer from ``snapshot``, as its cluster did when it was taken."""
        super().__init__(cast(Any, None), Target(snapshot.context, snapshot.server), None)
        self.snapshot = snapshot
        self.retry_policy = NO_RETRIES  # a recorded error is the answer, every time

    def now(self) -> datetime:
        """Return when the snapshot was taken: ages are relative to it."""
        return self.snapshot.taken_at

    def close(self) -> None:
        """Nothing to release: no connection was opened."""

    def _get_once(
        self,
        path: str,
        query: list[tuple[str, Any]] | None,
        decode: Callable[[bytes], Any],
        accept: str = JSON,
    ) -> dict[str, Any]:
        # answers JSON whatever ``accept`` names, as an API server does for a kind it cannot
        # encode as protobuf: ``decode`` reads both
        body = msgspec.json.encode(self._answer(path, query))
        return self._decoded(body, decode)

    def _answer(self, path: str, query: list[tuple[str, Any]] | None) -> Any:
        where = route(path)
        if where is None:
            raise NotFound(f"not found: {path} is not in the snapshot", 404)
        if where.resource == "version":
            return {"gitVersion": self.snapshot.version}
        if where.resource == "namespaces":
            # which namespaces existed is not recorded: unknown, as for a user who may not ask
            raise Forbidden("forbidden: namespaces are not recorded in the snapshot")
        failure = self.snapshot.failures.get(where.resource)
        if failure is not None:
            if failure.status == 403:
                raise Forbidden(failure.message)
            if failure.status == 404:
                raise NotFound(failure.message, 404)
            raise ApiError(failure.message, failure.status)
        if where.resource not in self.snapshot.items and where.resource in UNKNOWN_WHEN_ABSENT:
            # a file without them (a List of pods alone, a cut snapshot): unknown, not none
            raise Forbidden(f"forbidden: {where.resource} are not in the file")
        if where.resource not in self.snapshot.items and where.resource.endswith("metrics"):
            raise NotFound("not found: metrics.k8s.io is not in the file", 404)
        if where.resource in DRA and where.resource not in self.snapshot.items:
            # a file of older reads, or of a cluster not serving DRA: devices not shown
            raise NotFound("not found: resource.k8s.io is not in the file", 404)
        if where.resource == "persistentvolumeclaims" and where.resource not in self.snapshot.items:
            # a kubectl List of nodes and pods: its pods' claims are unknown, not missing
            raise NotFound("not found: persistentvolumeclaims are not in the file", 404)
        items = self._in_scope(where)
        if where.name is not None:
            return self._one(where, items)
        return {"kind": "List", "metadata": {}, "items": select(items, where.resource, query)}

    def _in_scope(self, where: Route) -> list[dict[str, Any]]:
        items = self.snapshot.items.get(where.resource, [])
        if where.namespace is None or where.resource not in NAMESPACED:
            return items
        return [o for o in items if (o.get("metadata") or {}).get("namespace") == where.namespace]

    @staticmethod
    def _one(where: Route, items: list[dict[str, Any]]) -> dict[str, Any]:
        for item in items:
            if (item.get("metadata") or {}).get("name") == where.name:
                return item
        raise NotFound(f'not found: {where.resource} "{where.name}" not found', 404)
