"""A cluster diff, drawn in the tree's shape (text) or as a document (json, yaml)."""

from __future__ import annotations

from typing import Any, TextIO

from kube_inspect.interpret.words import printable
from kube_inspect.model.diff import Change, ClusterDiff, ContainerDiff, NodeDiff, PodDiff, Side

DIFF_SCHEMA_VERSION = 1
UNSCHEDULED = "(unscheduled)"


def describe_change(change: Change) -> str:
    """Return one change in words, e.g. ``restarts 1 -> 4 (+3)``."""
    if change.field == "schedulable":
        return str(change.after)  # cordoned, or schedulable again
    before = "<none>" if change.before is None else change.before
    after = "<none>" if change.after is None else change.after
    text = f"{change.field} {before} -> {after}"
    if change.field == "restarts" and isinstance(change.before, int):
        text += f" (+{int(change.after or 0) - change.before})"
    return text


def _what(presence: str, changes: tuple[Change, ...]) -> str:
    if presence != "changed":
        return presence
    return "; ".join(describe_change(c) for c in changes)


def _side_text(side: Side) -> str:
    return f"{side.context} at {side.read_at or 'an unknown time'}"


def _lines(diff: ClusterDiff, ascii_only: bool) -> list[tuple[str, str]]:
    tee, last, bar = ("|-- ", "`-- ", "|   ") if ascii_only else ("├── ", "└── ", "│   ")
    rows: list[tuple[str, str]] = []

    def add(prefix: str, is_last: bool, label: str, what: str) -> str:
        rows.append((prefix + (last if is_last else tee) + label, what))
        return prefix + ("    " if is_last else bar)

    for i, node in enumerate(diff.nodes):
        label = UNSCHEDULED if node.name is None else f"node/{node.name}"
        under = add("", i == len(diff.nodes) - 1, label, _what(node.presence, node.changes))
        for j, pod in enumerate(node.pods):
            pod_label = f"pod/{pod.namespace}/{pod.name}"
            below = add(under, j == len(node.pods) - 1, pod_label, _what(pod.presence, pod.changes))
            for k, container in enumerate(pod.containers):
                add(
                    below,
                    k == len(pod.containers) - 1,
                    f"container/{container.name}",
                    _what(container.presence, container.changes),
                )
    return rows


def render_diff_text(diff: ClusterDiff, out: TextIO, *, ascii_only: bool = False) -> None:
    """Write the diff as a tree of what changed, one line per changed object."""
    header = f"diff {_side_text(diff.before)} -> {_side_text(diff.after)}"
    unknown = [f"not compared: {what}\n" for what in diff.not_compared]
    if not diff.changed:
        out.write(f"{printable(header)}: no changes{' in what both read' if unknown else ''}\n")
        out.writelines(unknown)
        return
    pods = sum(len(n.pods) for n in diff.nodes)
    nodes = sum(
        1 for n in diff.nodes if n.name is not None and (n.changes or n.presence != "changed")
    )
    out.write(f"{printable(header)}: {nodes} node(s) and {pods} pod(s) changed\n")
    out.writelines(unknown)
    rows = [(printable(label), printable(what)) for label, what in _lines(diff, ascii_only)]
    width = max(len(label) for label, _ in rows)
    for label, what in rows:
        out.write(f"{label.ljust(width)}  {what}".rstrip() + "\n")


def _change_dict(change: Change) -> dict[str, Any]:
    doc: dict[str, Any] = {"field": change.field, "before": change.before, "after": change.after}
    if change.field == "restarts" and isinstance(change.before, int):
        doc["by"] = int(change.after or 0) - change.before
    return doc


def _container_dict(container: ContainerDiff) -> dict[str, Any]:
    return {
        "name": container.name,
        "presence": container.presence,
        "changes": [_change_dict(c) for c in container.changes],
    }


def _pod_dict(pod: PodDiff) -> dict[str, Any]:
    return {
        "namespace": pod.namespace,
        "name": pod.name,
        "presence": pod.presence,
        "changes": [_change_dict(c) for c in pod.changes],
        "containers": [_container_dict(c) for c in pod.containers],
    }


def _node_dict(node: NodeDiff) -> dict[str, Any]:
    return {
        "name": node.name,
        "presence": node.presence,
        "changes": [_change_dict(c) for c in node.changes],
        "pods": [_pod_dict(p) for p in node.pods],
    }


def diff_document(diff: ClusterDiff) -> dict[str, Any]:
    """Return the diff as its json/yaml document (kube_inspect/schema/diff-v1.json)."""
    return {
        "schema_version": DIFF_SCHEMA_VERSION,
        "kind": "ClusterDiff",
        "before": _side_dict(diff.before),
        "after": _side_dict(diff.after),
        "changed": diff.changed,
        "nodes": [_node_dict(n) for n in diff.nodes],
        "not_compared": list(diff.not_compared),
    }


def _side_dict(side: Side) -> dict[str, Any]:
    return {"context": side.context, "server": side.server, "read_at": side.read_at}
