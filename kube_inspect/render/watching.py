"""`tree --watch` frames: the tree with a gutter marking what changed since the last frame.

Pure: which rows are new (``+``) or changed (``~``) is decided from the model (state,
readiness, restarts, and a node's verdict in the health table), not from the text, so
ages ticking by mark nothing. Deleted rows are listed under the tree with ``-``.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from kube_inspect.interpret.health import judge_node
from kube_inspect.model.cluster import Cluster
from kube_inspect.render.cells import NAME_CAP, short_name
from kube_inspect.render.explained import ROW_LABEL
from kube_inspect.render.tree import Depth, TreeOptions, render_tree

Signatures = Mapping[str, tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class Changes:
    """What differs between two frames: rows added, rows changed, rows deleted."""

    added: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    deleted: tuple[str, ...] = ()
    left_view: tuple[str, ...] = ()  # nodes that still exist but run none of the pods shown

    def summary(self) -> str:
        """Return ``+1 new ~2 changed -1 deleted``, or ``no change``."""
        parts = [
            f"{sign}{len(keys)} {word}"
            for sign, keys, word in (
                ("+", self.added, "new"),
                ("~", self.changed, "changed"),
                ("-", self.deleted, "deleted"),
                ("-", self.left_view, "out of view"),
            )
            if keys
        ]
        return " ".join(parts) or "no change"


def signatures(cluster: Cluster) -> dict[str, tuple[object, ...]]:
    """Return each row's key (``node/N``, ``pod/NS/N``, ``container/NS/P/C``) and what it shows."""
    rows: dict[str, tuple[object, ...]] = {}
    for node in cluster.nodes:
        verdict = judge_node(node).verdict  # a node coming under pressure is news
        rows[f"node/{node.name}"] = (node.status, node.listed, node.kubelet_version, verdict)
    for pod in cluster.pods:
        ref = f"{pod.namespace}/{pod.name}"
        # no verdict here: phase, readiness and the container rows below decide a pod's,
        # and judging every pod would slow each frame of a big cluster by half
        # the deletion too: a pod still there past its grace period turns stuck; and the
        # owner: a pod that came before its ReplicaSet is named after it, then after its
        # Deployment once the ReplicaSet is read
        rows[f"pod/{ref}"] = (
            pod.shown_phase,
            pod.deletion,
            pod.node_name,
            pod.ready_count,
            pod.restarts,
            pod.owner,
        )
        for c in pod.containers:
            rows[f"container/{ref}/{c.name}"] = (c.state.describe(), c.ready, c.restarts, c.image)
    return rows


_KIND_ORDER = {"node": 0, "pod": 1, "container": 2}


def compare(before: Signatures, after: Signatures, nodes_present: Collection[str] = ()) -> Changes:
    """Return what was added, changed and deleted between two frames' signatures.

    A container is not listed as deleted when its pod is; a node still in
    ``nodes_present`` only left the view (a one-namespace view shows nodes running its
    pods).
    """
    gone = [k for k in before if k not in after]
    pods_gone = {k[len("pod/") :] for k in gone if k.startswith("pod/")}
    gone = [
        k
        for k in gone
        if not (
            k.startswith("container/") and k[len("container/") :].rsplit("/", 1)[0] in pods_gone
        )
    ]
    left = [k for k in gone if k.startswith("node/") and k[len("node/") :] in nodes_present]
    order = sorted(gone, key=lambda k: (_KIND_ORDER[k.split("/", 1)[0]], k))
    return Changes(
        added=frozenset(k for k in after if k not in before),
        changed=frozenset(k for k in after if k in before and before[k] != after[k]),
        deleted=tuple(k for k in order if k not in left),
        left_view=tuple(sorted(left)),
    )


def line_keys(lines: list[str], drawn: Mapping[str, str] | None = None) -> list[str | None]:
    """Return the row key each tree line shows (None for the header and group rows).

    ``drawn`` maps a pod's ``namespace/name`` as the tree draws it (a long name cut
    short) to its whole one.
    """
    keys: list[str | None] = []
    pod = ""
    for line in lines:
        found = ROW_LABEL.match(line)
        label = found.group("label") if found else ""
        if label.startswith("pod/"):
            pod = label[4:]
            pod = (drawn or {}).get(pod, pod)
            label = f"pod/{pod}"
        if label.startswith("container/"):
            keys.append(f"container/{pod}/{label[len('container/') :]}")
        else:
            keys.append(label if label.startswith(("node/", "pod/")) else None)
    return keys


def render_frame(
    cluster: Cluster,
    changes: Changes,
    out: TextIO,
    *,
    now: datetime,
    ascii_only: bool = False,
    depth: Depth = "container",
) -> None:
    """Write one frame: a status line, the tree with a change gutter, then deleted rows."""
    drawn = io.StringIO()
    render_tree(cluster, drawn, options=TreeOptions(now, ascii_only=ascii_only, depth=depth))
    lines = drawn.getvalue().splitlines()
    out.write(f"watching, Ctrl-C to stop; {now:%H:%M:%S}: {changes.summary()}\n")
    drawn_names = {
        f"{p.namespace}/{short_name(p.name)}": f"{p.namespace}/{p.name}"
        for p in cluster.pods
        if len(p.name) > NAME_CAP
    }
    for key, line in zip(line_keys(lines, drawn_names), lines, strict=True):
        mark = "+ " if key in changes.added else "~ " if key in changes.changed else "  "
        out.write((mark + line).rstrip() + "\n")
    for key in changes.deleted:
        out.write(f"- {key} (deleted)\n")
    for key in changes.left_view:
        out.write(f"- {key} (runs none of these pods now)\n")
