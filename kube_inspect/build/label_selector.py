"""Kubernetes label selectors (``-l app=web,tier!=db,env in (a,b),!canary``), matched locally."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from kube_inspect.errors import UsageError

Matcher = Callable[[Mapping[str, Any]], bool]

_SET = re.compile(r"^\s*([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQ = re.compile(r"^\s*([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)\s*([\w./-]+)\s*$")


def _split(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _requirement(text: str) -> Matcher:
    if m := _SET.match(text):
        key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if m := _EQ.match(text):
        key, op, value = m.groups()
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if m := _EXISTS.match(text):
        negate, key = m.group(1) == "!", m.group(2)
        return lambda labels: (key in labels) != negate
    raise UsageError(f"invalid label selector requirement {text.strip()!r}: e.g. -l app=web")


def parse_selector(text: str | None) -> Matcher:
    """Return a function telling whether a labels mapping matches the selector (all if empty).

    Raises UsageError for a requirement it cannot read.
    """
    if not text or not text.strip():
        return lambda labels: True
    requirements = [_requirement(part) for part in _split(text)]
    return lambda labels: all(r(labels) for r in requirements)


def object_labels(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return an API object's labels, or an empty mapping."""
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, Mapping) else None
    return labels if isinstance(labels, Mapping) else {}
