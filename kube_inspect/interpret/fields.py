"""Safe reads of API object fields: the server omits empty ones, and input may be malformed.

Each function returns a value of the expected type, or an empty one, never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

ApiObject = Mapping[str, Any]  # an object as the API server sends it, decoded from JSON
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def mapping(value: Any) -> Mapping[str, Any]:
    """Return ``value`` if it is a mapping, else an empty one."""
    # dict first: a C-level check, where the Mapping ABC's is a slow Python call
    return value if isinstance(value, (dict, Mapping)) else _EMPTY


def items(value: Any) -> list[Any]:
    """Return ``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def count(value: Any) -> int:
    """Return ``value`` if it is a whole number (not a bool), else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def text(value: Any) -> str | None:
    """Return ``value`` if it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def labels_of(meta: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Return an object's labels as (key, value) pairs, sorted by key (JSON keys are str)."""
    labels = mapping(meta.get("labels"))
    return tuple(sorted(labels.items())) if labels else ()
