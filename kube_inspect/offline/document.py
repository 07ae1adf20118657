"""The snapshot file: one versioned JSON document (gzip when its name ends in .gz).

It holds the API objects the read path read (narrowed as the read path narrows them),
the answers it could not get (403, 404, 5xx: replayed as such, so the same notices and
warnings come back), the cluster's identity and the time. ``load_source`` also reads
what users already have: ``kubectl get nodes,pods -A -o json`` Lists, and a directory
of them. Shape: kube_inspect/schema/snapshot-v1.json.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from kube_inspect.errors import SnapshotError
from kube_inspect.offline.routes import KINDS, RESOURCES

SNAPSHOT_KIND = "KubeInspectSnapshot"
SNAPSHOT_SCHEMA_VERSION = 1
_GZIP_MAGIC = b"\x1f\x8b"
_KIND_RESOURCE = {kind: resource for resource, kind in KINDS.items()}


@dataclass(frozen=True, slots=True)
class Failure:
    """An answer that was an error: replayed as the same error."""

    status: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one read of a cluster returned, by resource (see ``routes.KINDS``)."""

    taken_at: datetime
    context: str
    server: str
    version: str
    items: Mapping[str, list[dict[str, Any]]]
    failures: Mapping[str, Failure] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    selection: Mapping[str, Any] = field(default_factory=dict)


def snapshot_document(snapshot: Snapshot) -> dict[str, Any]:
    """Return the snapshot as its JSON document (``schema_version`` first)."""
    resources: dict[str, Any] = {}
    for resource in RESOURCES:
        if resource in snapshot.failures:
            failure = snapshot.failures[resource]
            resources[resource] = {"error": {"status": failure.status, "message": failure.message}}
        elif resource in snapshot.items:
            resources[resource] = {"items": snapshot.items[resource]}
    return {
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "kind": SNAPSHOT_KIND,
        "taken_at": snapshot.taken_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "cluster": {
            "context": snapshot.context,
            "server": snapshot.server,
            "version": snapshot.version,
        },
        "selection": dict(snapshot.selection),
        "notices": list(snapshot.notices),
        "warnings": list(snapshot.warnings),
        "resources": resources,
    }


def write_snapshot(snapshot: Snapshot, out: BinaryIO, *, compress: bool) -> None:
    """Write the snapshot's document to ``out``, gzipped when ``compress``."""
    body = msgspec.json.encode(snapshot_document(snapshot)) + b"\n"
    if compress:
        # mtime=0: the same snapshot gives the same bytes
        body = gzip.compress(body, compresslevel=6, mtime=0)
    out.write(body)


def load_source(path: str) -> Snapshot:
    """Return what ``--from PATH`` names: a snapshot, a kubectl List, or a directory of them.

    Raises SnapshotError, in one line, for anything else.
    """
    where = Path(path)
    if where.is_dir():
        files = sorted(
            p for p in where.iterdir() if p.is_file() and p.name.endswith((".json", ".json.gz"))
        )
        if not files:
            raise SnapshotError(f"{path}: no .json files in this directory")
        documents = [(str(p), _read_document(p)) for p in files]
        if any(_is_snapshot(doc) for _, doc in documents):
            if len(documents) > 1:
                raise SnapshotError(f"{path}: a snapshot must be read alone, not in a directory")
            return _snapshot_of(documents[0][1], documents[0][0])
        return _from_lists(documents, path, max(p.stat().st_mtime for p in files))
    document = _read_document(where)
    if _is_snapshot(document):
        return _snapshot_of(document, path)
    return _from_lists([(path, document)], path, where.stat().st_mtime)


def _read_document(path: Path) -> Any:
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        raise SnapshotError(f"{path}: no such file") from None
    except OSError as e:
        raise SnapshotError(f"cannot read {path}: {e.strerror}") from e
    if body.startswith(_GZIP_MAGIC):
        try:
            body = gzip.decompress(body)
        except (EOFError, OSError, zlib.error) as e:
            raise SnapshotError(f"{path}: the gzip file is cut short or damaged ({e})") from e
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as e:
        what = "is cut short" if "truncated" in str(e) else "is not JSON"
        raise SnapshotError(
            f"{path} {what} ({e}): --from reads a kube-inspect snapshot or "
            "`kubectl get nodes,pods -A -o json`"
        ) from e


def _is_snapshot(document: Any) -> bool:
    return isinstance(document, dict) and document.get("kind") == SNAPSHOT_KIND


def _snapshot_of(document: dict[str, Any], path: str) -> Snapshot:
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SnapshotError(f"{path}: a snapshot without a schema_version")
    if version > SNAPSHOT_SCHEMA_VERSION:
        raise SnapshotError(
            f"{path} was written by a newer kube-inspect (snapshot schema_version {version}; "
            f"this one reads up to {SNAPSHOT_SCHEMA_VERSION}): upgrade kube-inspect"
        )
    try:
        cluster = document["cluster"]
        resources = document["resources"]
        items: dict[str, list[dict[str, Any]]] = {}
        failures: dict[str, Failure] = {}
        for resource, answer in resources.items():
            if resource not in KINDS:
                continue  # a resource a later version records: not read here
            if "error" in answer:
                error = answer["error"]
                failures[resource] = Failure(error.get("status"), str(error["message"]))
            else:
                items[resource] = _objects(answer["items"], path)
        return Snapshot(
            taken_at=_time(document["taken_at"], path),
            context=str(cluster["context"]),
            server=str(cluster["server"]),
            version=str(cluster["version"]),
            items=items,
            failures=failures,
            notices=tuple(str(n) for n in document.get("notices") or ()),
            warnings=tuple(str(w) for w in document.get("warnings") or ()),
            selection=document.get("selection") or {},
        )
    except (KeyError, TypeError, AttributeError) as e:
        raise SnapshotError(f"{path}: a damaged snapshot (at {e})") from e


def _objects(items: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SnapshotError(f"{path}: a damaged snapshot (items that are not objects)")
    return items


def _time(text: Any, path: str) -> datetime:
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError as e:
        raise SnapshotError(f"{path}: a damaged snapshot (taken_at {text!r})") from e
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _list_items(document: Any, path: str) -> Iterable[tuple[str, dict[str, Any]]]:
    """Yield (resource, object) for each object of a kubectl List (or one object)."""
    if not isinstance(document, dict):
        raise SnapshotError(_not_a_list(path, "not a JSON object"))
    kind = str(document.get("kind") or "")
    if "items" not in document:
        if kind in _KIND_RESOURCE:  # one object, as `kubectl get node NAME -o json` writes it
            yield _KIND_RESOURCE[kind], document
            return
        raise SnapshotError(_not_a_list(path, f"kind {kind or 'missing'}"))
    if not kind.endswith("List") or not isinstance(document["items"], list):
        raise SnapshotError(_not_a_list(path, f"kind {kind or 'missing'}"))
    default = kind.removesuffix("List")  # a PodList's items carry no kind
    for item in document["items"]:
        if not isinstance(item, dict):
            raise SnapshotError(f"{path}: a List whose items are not all objects")
        resource = _KIND_RESOURCE.get(str(item.get("kind") or default))
        if resource is not None:
            yield resource, item


def _not_a_list(path: str, why: str) -> str:
    return (
        f"{path} is neither a kube-inspect snapshot nor a kubectl List ({why}): --from reads "
        "`kube-inspect snapshot` files and `kubectl get nodes,pods -A -o json`"
    )


def _from_lists(documents: list[tuple[str, Any]], path: str, mtime: float) -> Snapshot:
    """Return the snapshot of kubectl Lists: taken when the newest file was written."""
    items: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for name, document in documents:
        for resource, item in _list_items(document, name):
            metadata = item.get("metadata") or {}
            key = (str(metadata.get("namespace") or ""), str(metadata.get("name") or ""))
            items.setdefault(resource, {})[key] = item
    if "nodes" not in items and "pods" not in items:
        raise SnapshotError(
            f"{path} holds no nodes and no pods: try `kubectl get nodes,pods -A -o json`"
        )
    return Snapshot(
        taken_at=datetime.fromtimestamp(mtime, UTC),
        context=os.path.basename(os.path.normpath(path)),
        server=f"file {path}",
        version="unknown",
        items={resource: list(found.values()) for resource, found in items.items()},
    )
