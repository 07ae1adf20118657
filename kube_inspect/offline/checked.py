"""A snapshot's values read with their types checked: a damaged file is refused, in one line.

A value of the wrong type is never drawn (``str()`` of an object as a context, an
object without a name as ``pod//``): the file is refused as damaged instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kube_inspect.errors import SnapshotError
from kube_inspect.offline.routes import NAMESPACED


@dataclass(frozen=True, slots=True)
class Failure:
    """An answer that was an error: replayed as the same error."""

    status: int | None
    message: str


def damaged(path: str, why: str) -> SnapshotError:
    """Return the one-line error that refuses the file at ``path`` as damaged."""
    return SnapshotError(f"{path}: a damaged snapshot ({why})")


def field_of(document: dict[str, Any], key: str, kind: type, path: str, where: str = "") -> Any:
    """Return ``document[key]`` if it is a ``kind``; else refuse the file as damaged."""
    if key not in document:
        raise damaged(path, f"no {where}{key}")
    value = document[key]
    if not isinstance(value, kind):
        raise damaged(path, f"{where}{key} is not {_NAMES[kind]}")
    return value


_NAMES: dict[type, str] = {dict: "an object", str: "a string", list: "a list"}


def texts_of(document: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
    """Return ``document[key]``, a list of strings (none when absent); else damaged."""
    found = document.get(key) or []
    if not isinstance(found, list) or not all(isinstance(t, str) for t in found):
        raise damaged(path, f"{key} is not a list of strings")
    return tuple(found)


def failure_of(error: Any, where: str, path: str) -> Failure:
    """Return the recorded error answer ``error``: a status (or null) and a message."""
    status = error.get("status") if isinstance(error, dict) else None
    if (
        not isinstance(error, dict)
        or not isinstance(error.get("message"), str)
        or not (status is None or (isinstance(status, int) and not isinstance(status, bool)))
    ):
        raise damaged(path, f"{where}.error is not a status and a message")
    return Failure(status, error["message"])


def objects_of(items: Any, path: str, resource: str) -> list[dict[str, Any]]:
    """Return ``items`` if each is an object with a name (and namespace); else damaged."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise damaged(path, f"{resource}: items that are not objects")
    for item in items:
        if (why := unnamed(item, resource)) is not None:
            raise damaged(path, f"{resource}: {why}")
    return items


def unnamed(item: dict[str, Any], resource: str) -> str | None:
    """Return why ``item`` cannot be drawn (no name, namespace, labels), or None if it can."""
    metadata = item.get("metadata")
    if not isinstance(metadata, dict):
        return "an object without metadata"
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        return "an object without a name"
    namespace = metadata.get("namespace")
    if resource in NAMESPACED and (not isinstance(namespace, str) or not namespace):
        return f"{name} has no namespace"
    labels = metadata.get("labels")
    if labels is not None and not (
        isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values())
    ):
        return f"{name}'s labels are not text"  # selectors and views read them as text
    return None
