"""A client that reads a live cluster through another client and keeps what it read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kube_inspect.errors import ApiError, Forbidden, KubeInspectError, NotFound
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.decode import decode_json, decode_object_list, decode_pod_list
from kube_inspect.kube.wires import JSON
from kube_inspect.offline.checked import Failure
from kube_inspect.offline.document import Snapshot
from kube_inspect.offline.kept import kept
from kube_inspect.offline.routes import UNSHAPED, Route, route


def _body(body: bytes) -> dict[str, Any]:
    return {"body": body}


class RecordingClient(KubeClient):
    """Sends its requests through ``inner``; keeps the objects and errors the answers held.

    Each answer is decoded a second time for the record, narrowed as the read path
    narrows it (pods keep only what the builder reads, volumes included, so every view
    can be drawn from the snapshot), then to what offline/kept.py allows: no env value,
    no annotation beyond a short list, no managedFields, for every kind. Objects read
    twice (a list restarted after 410 Gone) are kept once.
    """

    def __init__(self, inner: KubeClient) -> None:
        """Record what ``inner`` reads."""
        super().__init__(inner._transport, inner.target, inner._timeout)
        self._inner = inner
        self.retry_policy = inner.retry_policy
        self.sleep = inner.sleep
        self.compress = inner.compress
        self.version_read = "unknown"
        self._items: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
        self._failures: dict[str, Failure] = {}

    def _get_once(
        self,
        path: str,
        query: list[tuple[str, Any]] | None,
        decode: Callable[[bytes], Any],
        accept: str = JSON,
    ) -> dict[str, Any]:
        # asks for JSON whatever ``accept`` names: the record is JSON, and ``decode`` reads it
        where = route(path)
        try:
            body: bytes = self._inner._get_once(path, query, _body)["body"]
        except Forbidden as e:
            self._failed(where, Failure(403, str(e)))
            raise
        except NotFound as e:
            self._failed(where, Failure(404, str(e)))
            raise
        except ApiError as e:
            self._failed(where, Failure(e.status, str(e)))
            raise
        if where is not None:
            self._record(where.resource, where.name, body)
        return self._decoded(body, decode)

    def _failed(self, where: Route | None, failure: Failure) -> None:
        # one object not found (--node NAME) says nothing about the others
        if where is not None and where.name is None and where.resource not in self._items:
            self._failures[where.resource] = failure

    def _record(self, resource: str, name: str | None, body: bytes) -> None:
        try:
            if resource == "version":
                self.version_read = str(decode_json(body).get("gitVersion", "unknown"))
                return
            if resource == "namespaces":
                return  # asked about by check only; not kept
            if name is not None:  # one object by name, e.g. --node NAME
                objects = [decode_json(body)]
            elif resource == "pods":
                objects = decode_pod_list(body).get("items") or []
            elif resource in UNSHAPED:  # usage, an event's reason: top level, no spec/status
                objects = decode_json(body).get("items") or []
            else:
                objects = decode_object_list(body).get("items") or []
        except (ValueError, AttributeError) as e:
            raise KubeInspectError(f"cannot record the answer to {resource}: {e}") from e
        self._failures.pop(resource, None)
        found = self._items.setdefault(resource, {})
        for item in objects:
            if not isinstance(item, dict):
                continue
            item = kept(resource, item)  # what the views read, and nothing that holds a secret
            metadata = item.get("metadata") or {}
            found[(str(metadata.get("namespace") or ""), str(metadata.get("name") or ""))] = item

    def close(self) -> None:
        """Close the client it reads through."""
        self._inner.close()

    def snapshot(
        self,
        taken_at: datetime,
        notices: tuple[str, ...],
        warnings: tuple[str, ...],
        selection: dict[str, Any],
    ) -> Snapshot:
        """Return what was read, as a snapshot taken at ``taken_at``."""
        return Snapshot(
            taken_at=taken_at,
            context=self.target.context,
            server=self.target.server,
            version=self.version_read,
            items={
                resource: [found[key] for key in sorted(found)]
                for resource, found in self._items.items()
            },
            failures=dict(self._failures),
            notices=notices,
            warnings=warnings,
            selection=selection,
        )
