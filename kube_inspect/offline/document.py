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
from kube_inspect.offline.checked import (
    Failure,
    damaged,
    failure_of,
    field_of,
    objects_of,
    texts_of,
    unnamed,
)
from kube_inspect.offline.routes import KINDS, RESOURCES

SNAPSHOT_KIND = "KubeInspectSnapshot"
FLEET_SNAPSHOT_KIND = "KubeInspectFleetSnapshot"
SNAPSHOT_SCHEMA_VERSION = 1
# why a fleet snapshot is refused where one cluster's is read
ONE_CLUSTER_ONLY = "diff and explain read one cluster's snapshot"
_GZIP_MAGIC = b"\x1f\x8b"
_KIND_RESOURCE = {kind: resource for resource, kind in KINDS.items()}


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


@dataclass(frozen=True, slots=True)
class FailedMember:
    """A cluster of a fleet snapshot that could not be read: why, as the fleet views said it."""

    context: str
    server: str | None
    error: str
    error_kind: str | None  # the error's class: ClusterUnreachable, Forbidden...
    exit_code: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FleetSnapshot:
    """What one read of several clusters returned: each one's snapshot, or why it failed."""

    taken_at: datetime
    clusters: tuple[Snapshot | FailedMember, ...]

    @property
    def contexts(self) -> tuple[str, ...]:
        """Return the clusters' contexts, in the order they were read."""
        return tuple(c.context for c in self.clusters)


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
        "taken_at": _time_text(snapshot.taken_at),
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


def _time_text(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def fleet_snapshot_document(fleet: FleetSnapshot) -> dict[str, Any]:
    """Return the fleet snapshot as its JSON document: one snapshot document per cluster.

    A cluster that was read is its whole one-cluster snapshot document (``jq
    '.clusters[0]'`` gives a file ``--from`` reads); one that failed keeps its context,
    server and why, as the fleet views show it.
    """
    clusters: list[dict[str, Any]] = []
    for member in fleet.clusters:
        if isinstance(member, Snapshot):
            clusters.append(snapshot_document(member))
            continue
        clusters.append(
            {
                "context": member.context,
                "server": member.server,
                "error": member.error,
                "error_kind": member.error_kind,
                "exit_code": member.exit_code,
                "warnings": list(member.warnings),
            }
        )
    return {
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "kind": FLEET_SNAPSHOT_KIND,
        "taken_at": _time_text(fleet.taken_at),
        "clusters": clusters,
    }


def write_snapshot(snapshot: Snapshot | FleetSnapshot, out: BinaryIO, *, compress: bool) -> None:
    """Write the document of one cluster's or a fleet's snapshot to ``out``, gzipped if asked."""
    if isinstance(snapshot, FleetSnapshot):
        document = fleet_snapshot_document(snapshot)
    else:
        document = snapshot_document(snapshot)
    body = msgspec.json.encode(document) + b"\n"
    if compress:
        # mtime=0: the same snapshot gives the same bytes
        body = gzip.compress(body, compresslevel=6, mtime=0)
    out.write(body)


def load_source(path: str) -> Snapshot:
    """Return the one cluster ``PATH`` names: a snapshot, a kubectl List, or a directory of them.

    Raises SnapshotError, in one line, for anything else, a fleet snapshot included.
    """
    found = load_any(path)
    if isinstance(found, FleetSnapshot):
        raise SnapshotError(fleet_refused(path, found, ONE_CLUSTER_ONLY))
    return found


def fleet_refused(path: str, fleet: FleetSnapshot, why: str) -> str:
    """Return the line that refuses a fleet snapshot where one cluster's is read."""
    return (
        f"{path} is a fleet snapshot of {len(fleet.clusters)} clusters "
        f"({', '.join(fleet.contexts)}): {why}; take one cluster's with "
        "`kube-inspect snapshot --context NAME`"
    )


def load_any(path: str) -> Snapshot | FleetSnapshot:
    """Return what ``--from PATH`` names: a snapshot, a fleet's, a kubectl List or a directory.

    A directory holds kubectl Lists (one cluster), or one snapshot alone. Raises
    SnapshotError, in one line, for anything else.
    """
    where = Path(path)
    if where.is_dir():
        files = sorted(
            p for p in where.iterdir() if p.is_file() and p.name.endswith((".json", ".json.gz"))
        )
        if not files:
            raise SnapshotError(f"{path}: no .json files in this directory")
        documents = [(str(p), _read_document(p)) for p in files]
        if any(_is_snapshot(doc) or _is_fleet(doc) for _, doc in documents):
            if len(documents) > 1:
                raise SnapshotError(f"{path}: a snapshot must be read alone, not in a directory")
            return _any_snapshot_of(documents[0][1], documents[0][0])
        return _from_lists(documents, path, max(p.stat().st_mtime for p in files))
    document = _read_document(where)
    if _is_snapshot(document) or _is_fleet(document):
        return _any_snapshot_of(document, path)
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
        if _looks_like_yaml(body):
            raise SnapshotError(
                f"{path} is YAML, not JSON: --from reads a kube-inspect snapshot or "
                "`kubectl get nodes,pods -A -o json` (-o json, not -o yaml)"
            ) from e
        what = "is cut short" if "truncated" in str(e) else "is not JSON"
        why = str(e).removeprefix("JSON is malformed: ")
        raise SnapshotError(
            f"{path} {what} ({why}): --from reads a kube-inspect snapshot or "
            "`kubectl get nodes,pods -A -o json`"
        ) from e


_YAML_STARTS = (b"---", b"apiVersion:", b"kind:", b"items:", b"metadata:", b"- ")


def _looks_like_yaml(body: bytes) -> bool:
    """Return True when ``body`` starts as a kubectl YAML document does."""
    lines = (line.strip() for line in body[:4096].splitlines())
    first = next((line for line in lines if line and not line.startswith(b"#")), b"")
    return first.startswith(_YAML_STARTS)


def _is_snapshot(document: Any) -> bool:
    return isinstance(document, dict) and document.get("kind") == SNAPSHOT_KIND


def _is_fleet(document: Any) -> bool:
    return isinstance(document, dict) and document.get("kind") == FLEET_SNAPSHOT_KIND


def _any_snapshot_of(document: dict[str, Any], path: str) -> Snapshot | FleetSnapshot:
    _check_version(document, path)
    return _fleet_of(document, path) if _is_fleet(document) else _snapshot_of(document, path)


def _fleet_of(document: dict[str, Any], path: str) -> FleetSnapshot:
    clusters = document.get("clusters")
    if not isinstance(clusters, list) or not all(isinstance(c, dict) for c in clusters):
        raise SnapshotError(f"{path}: a damaged fleet snapshot (clusters that are not objects)")
    if not clusters:
        raise SnapshotError(f"{path}: a damaged fleet snapshot (no clusters)")
    members: list[Snapshot | FailedMember] = []
    for index, cluster in enumerate(clusters):
        where = f"{path} (cluster {index + 1})"
        members.append(
            _failed_of(cluster, where) if "error" in cluster else _snapshot_of(cluster, where)
        )
    contexts = [m.context for m in members]
    if len(set(contexts)) < len(contexts):
        raise SnapshotError(f"{path}: a damaged fleet snapshot (a context twice)")
    return FleetSnapshot(_time(document.get("taken_at"), path), tuple(members))


def _failed_of(cluster: dict[str, Any], path: str) -> FailedMember:
    try:
        server = cluster.get("server")
        return FailedMember(
            context=str(cluster["context"]),
            server=None if server is None else str(server),
            error=str(cluster["error"]),
            error_kind=None if cluster.get("error_kind") is None else str(cluster["error_kind"]),
            exit_code=int(cluster["exit_code"]),
            warnings=tuple(str(w) for w in cluster.get("warnings") or ()),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise SnapshotError(f"{path}: a damaged snapshot (at {e})") from e


def _check_version(document: dict[str, Any], path: str) -> None:
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SnapshotError(f"{path}: a snapshot without a schema_version")
    if version > SNAPSHOT_SCHEMA_VERSION:
        raise SnapshotError(
            f"{path} was written by a newer kube-inspect (snapshot schema_version {version}; "
            f"this one reads up to {SNAPSHOT_SCHEMA_VERSION}): upgrade kube-inspect"
        )


def _snapshot_of(document: dict[str, Any], path: str) -> Snapshot:
    """Return the snapshot a document holds; SnapshotError, in one line, if it is damaged.

    Every value a view would draw is checked for its type: a damaged file is refused,
    never drawn as empty names (``pod//``) or made-up text.
    """
    _check_version(document, path)
    cluster = field_of(document, "cluster", dict, path)
    resources = field_of(document, "resources", dict, path)
    items: dict[str, list[dict[str, Any]]] = {}
    failures: dict[str, Failure] = {}
    for resource, answer in resources.items():
        if resource not in KINDS:
            continue  # a resource a later version records: not read here
        where = f"resources.{resource}"
        if not isinstance(answer, dict) or not ("error" in answer or "items" in answer):
            raise damaged(path, f"{where} is neither items nor an error")
        if "error" in answer:
            failures[resource] = failure_of(answer["error"], where, path)
        else:
            items[resource] = objects_of(answer["items"], path, resource)
    if not {"nodes", "pods"} & (set(items) | set(failures)):
        raise damaged(path, "no nodes and no pods")
    selection = document.get("selection") or {}
    if not isinstance(selection, dict):
        raise damaged(path, "selection is not an object")
    return Snapshot(
        taken_at=_time(document.get("taken_at"), path),
        context=field_of(cluster, "context", str, path, "cluster."),
        server=field_of(cluster, "server", str, path, "cluster."),
        version=field_of(cluster, "version", str, path, "cluster."),
        items=items,
        failures=failures,
        notices=texts_of(document, "notices", path),
        warnings=texts_of(document, "warnings", path),
        selection=selection,
    )


def _time(text: Any, path: str) -> datetime:
    if not isinstance(text, str):
        raise damaged(path, "no taken_at" if text is None else "taken_at is not a string")
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
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
            if (why := unnamed(document, _KIND_RESOURCE[kind])) is not None:
                raise SnapshotError(f"{path}: a damaged {kind} ({why})")
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
        if resource is None:
            continue
        if (why := unnamed(item, resource)) is not None:
            raise SnapshotError(f"{path}: a damaged List ({resource}: {why})")
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
