"""`tree --explain`: the tree, with what each level means and a line under each unusual state.

The tree is drawn by render/tree.py; this module reads its lines back (each names its
object: ``node/NAME``, ``pod/NS/NAME``, ``container/NAME``) and adds the meanings from
interpret/health.py below the rows that need one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

from kube_inspect.explain.tour import last_exit
from kube_inspect.interpret.health import (
    LEVELS,
    container_state,
    node_state,
    pod_state,
    shown_state,
)
from kube_inspect.interpret.scheduling import cause_phrase
from kube_inspect.interpret.words import printable
from kube_inspect.model.cluster import Cluster, Container, Node, Pod
from kube_inspect.render.cells import short_name
from kube_inspect.render.tree import Depth, TreeOptions, event_lines, render_tree

ROW_LABEL = re.compile(
    r"^(?P<prefix>[\s│├└─|`-]*?)(?P<label>(node|pod|container)/\S+|\(unscheduled\))"
)
_CONTINUE = {"├── ": "│   ", "└── ": "    ", "|-- ": "|   ", "`-- ": "    "}


def node_notes(node: Node, now: datetime | None = None) -> list[str]:
    """Return the notes for an unusual node (status words, pressures), and its events."""
    notes = [f"{word}: {text.meaning}" for word, text in node_state(node) if text.unusual]
    return notes + (event_lines(node.events, now) if now is not None else [])


def pod_notes(pod: Pod, now: datetime | None = None) -> list[str]:
    """Return the notes for an unusual pod, with why it is pending, and its events."""
    message = pod.unschedulable_message
    key, text = pod_state(pod, unschedulable=message is not None)
    events = event_lines(pod.events, now) if now is not None else []
    if not text.unusual:
        return events
    notes = [f"{shown_state(key)}: {text.meaning}"]
    if pod.pending is not None:
        notes += [f"- {cause_phrase(c)}" for c in pod.pending.causes]
    return notes + events


def container_notes(container: Container, pod: Pod) -> list[str]:
    """Return the note for an unusual container state, with its last termination."""
    key, text = container_state(container)
    notes = [f"{shown_state(key)}: {text.meaning}"] if text.unusual else []
    if container.type == "init" and container.state.name == "terminated":
        return notes  # a finished init container is not ready, by design
    last = last_exit(container)
    if last and container.restarts:
        notes.append(f"restarted {container.restarts}x; last exit: {last}")
    return notes


def legend() -> list[str]:
    """Return the lines that say what each level of the tree is."""
    width = max(len(level) for level in LEVELS)
    return [f"# {level:<{width}}  {meaning}" for level, meaning in LEVELS.items()]


def _notes_by_line(lines: list[str], cluster: Cluster, now: datetime) -> Iterator[list[str]]:
    nodes = {n.name: n for n in cluster.nodes}
    pods = {f"{p.namespace}/{short_name(p.name)}": p for p in cluster.pods}  # as drawn
    pod: Pod | None = None
    for line in lines:
        found = ROW_LABEL.match(line)
        label = found.group("label") if found else ""
        if label.startswith("node/") and label[5:] in nodes:
            yield node_notes(nodes[label[5:]], now)
        elif label.startswith("pod/") and label[4:] in pods:
            pod = pods[label[4:]]
            yield pod_notes(pod, now)
        elif label.startswith("container/") and pod is not None:
            name = label[len("container/") :]
            container = next((c for c in pod.containers if c.name == name), None)
            yield container_notes(container, pod) if container else []
        else:
            yield []


def _note_prefix(line: str, ascii_only: bool) -> str:
    """Return the tree's bars continued below ``line``, then an arrow."""
    found = ROW_LABEL.match(line)
    prefix = found.group("prefix") if found else ""
    glyphs = [prefix[i : i + 4] for i in range(0, len(prefix), 4)]
    return "".join(_CONTINUE.get(g, g) for g in glyphs) + ("-> " if ascii_only else "↳ ")


def render_explained_tree(
    cluster: Cluster,
    out: TextIO,
    *,
    now: datetime,
    ascii_only: bool = False,
    depth: Depth = "container",
) -> None:
    """Write the tree to ``out`` with a legend and a note under each unusual row."""
    drawn = io.StringIO()
    options = TreeOptions(now, ascii_only=ascii_only, depth=depth, notes=False)  # notes are ours
    render_tree(cluster, drawn, options=options)
    lines = drawn.getvalue().splitlines()
    for line in legend():
        out.write(line + "\n")
    notes = list(_notes_by_line(lines, cluster, now))
    for i, line in enumerate(lines):
        out.write(line.rstrip() + "\n")
        if not notes[i]:
            continue
        prefix = _note_prefix(line, ascii_only)
        for note in notes[i]:
            out.write(prefix + printable(note) + "\n")
