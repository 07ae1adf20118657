"""What an output of kube-inspect shows: one small parser per format.

Each parser reads a command's stdout and returns the pods it shows, in the order drawn,
as (namespace, name), and the nodes it shows, in the order drawn. The tests compare them
with what kubectl says the same selection holds.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

PodRef = tuple[str, str]
_NAME = r"[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?"


@dataclass(frozen=True)
class Shown:
    """The pods (in drawn order, a pod once) and the nodes an output shows."""

    pods: tuple[PodRef, ...]
    nodes: tuple[str, ...]

    @property
    def pod_set(self) -> set[PodRef]:
        """Return the pods shown, as a set."""
        return set(self.pods)


def _shown(pods: list[PodRef], nodes: list[str]) -> Shown:
    return Shown(tuple(dict.fromkeys(pods)), tuple(dict.fromkeys(nodes)))


def _tree_document(doc: dict[str, Any]) -> Shown:
    cluster = doc["cluster"]
    pods = [
        (p["namespace"], p["name"])
        for group in [
            *(n.get("pods") or [] for n in cluster["nodes"]),
            cluster["unscheduled"] or [],
        ]
        for p in group
    ]
    return _shown(pods, [n["name"] for n in cluster["nodes"]])


def _flat_document(doc: dict[str, Any]) -> Shown:
    if "nodes" in doc:
        return _shown([], [n["name"] for n in doc["nodes"]])
    if "containers" in doc:
        return _shown([(c["namespace"], c["pod"]) for c in doc["containers"]], [])
    return _shown([(p["namespace"], p["name"]) for p in doc["pods"]], [])


def _document(doc: dict[str, Any]) -> Shown:
    return _tree_document(doc) if "cluster" in doc else _flat_document(doc)


def from_json(text: str) -> Shown:
    """Return what a tree or flat JSON document shows."""
    doc: dict[str, Any] = json.loads(text)
    return _document(doc)


def from_yaml(text: str) -> Shown:
    """Return what a tree or flat YAML document shows."""
    doc: dict[str, Any] = yaml.safe_load(text)
    return _document(doc)


def _rows(header: list[str], rows: list[list[str]]) -> Shown:
    """Return the pods or nodes of table rows, from their NAMESPACE, POD and NAME columns."""
    if "NAMESPACE" not in header:  # a table of nodes
        return _shown([], [row[header.index("NAME")] for row in rows])
    name = header.index("POD") if "POD" in header else header.index("NAME")
    return _shown([(row[header.index("NAMESPACE")], row[name]) for row in rows], [])


def from_csv(text: str) -> Shown:
    """Return what a CSV of nodes, pods or containers shows."""
    header, *rows = list(csv.reader(io.StringIO(text)))
    return _rows(header, rows)


def from_table(text: str) -> Shown:
    """Return what a plain table shows: NAMESPACE, POD/NAME are single words, leftmost."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return _shown([], [])
    header = lines[0].split()
    names = ("NAMESPACE", "POD", "NAME")
    if "NAME" not in header:  # no table at all, e.g. a line that says there is nothing
        return _shown([], [])
    width = max(header.index(n) for n in names if n in header) + 1
    assert header[:width] == [h for h in header[:width] if h in names], header
    return _rows(header[:width], [line.split()[:width] for line in lines[1:]])


_TREE_GLYPHS = " │├└─|`+~-"
_TREE_POD = re.compile(rf"pod/({_NAME})/({_NAME})(\s|$)")
_TREE_NODE = re.compile(rf"node/({_NAME})(\s|$)")


def from_tree(text: str) -> Shown:
    """Return what a drawn tree shows: each line's first word, ``pod/NS/NAME`` or ``node/NAME``.

    Lines of meanings (``↳ ...``), the legend and the cluster line are not objects drawn.
    """
    pods: list[PodRef] = []
    nodes: list[str] = []
    for line in text.splitlines():
        word = line.lstrip(_TREE_GLYPHS)
        if (pod := _TREE_POD.match(word)) is not None:
            pods.append((pod.group(1), pod.group(2)))
        elif (node := _TREE_NODE.match(word)) is not None:
            nodes.append(node.group(1))
    return _shown(pods, nodes)


_HTML_DATA = re.compile(r'<script id="data" type="application/json">(.*?)</script>', re.S)


def from_html(text: str) -> Shown:
    """Return what the HTML page shows: the data inlined for its script to draw."""
    found = _HTML_DATA.search(text)
    assert found is not None, "no inline data in the page"
    data: dict[str, Any] = json.loads(found.group(1))
    pods = [
        (p["namespace"], p["name"])
        for group in [*(n["pods"] for n in data["nodes"]), data["unscheduled"]]
        for p in group
    ]
    return _shown(pods, [n["name"] for n in data["nodes"]])


def _labelled(text: str, opening: str) -> Shown:
    pod = re.compile(rf'{opening}"pod ({_NAME})/({_NAME}) ')
    node = re.compile(rf'{opening}"node/({_NAME}) ')
    pods: list[PodRef] = []
    nodes: list[str] = []
    for line in text.splitlines():
        if (p := pod.search(line)) is not None:
            pods.append((p.group(1), p.group(2)))
        elif (n := node.search(line)) is not None:
            nodes.append(n.group(1))
    return _shown(pods, nodes)


def from_dot(text: str) -> Shown:
    """Return what the Graphviz picture shows: its pod and node subgraph labels."""
    return _labelled(text, "label=")


def from_mermaid(text: str) -> Shown:
    """Return what the Mermaid flowchart shows: its pod and node subgraph labels."""
    return _labelled(text, r"subgraph \w+\[")


def from_check_json(text: str) -> Shown:
    """Return the pods and nodes check judged: the objects of its findings."""
    doc: dict[str, Any] = json.loads(text)
    pods: list[PodRef] = []
    nodes: list[str] = []
    for finding in doc["findings"]:
        kind, _, rest = finding["object"].partition("/")
        if kind in ("pod", "container"):
            namespace, name = rest.split("/")[:2]
            pods.append((namespace, name))
        elif kind == "node":
            nodes.append(rest)
    return _shown(pods, nodes)


_TOUR_SPREAD = re.compile(r"^  (\S+|\(on no node yet\))\s+#*\s+(\d+) pods?$")
_TOUR_TOTAL = re.compile(r"The (\d+) pods? spread over the nodes")
_TOUR_POD = re.compile(rf"(?:pod|container)/({_NAME})/({_NAME})")


@dataclass(frozen=True)
class Tour:
    """What the explain tour says of the selection: its pod count, per node, and pods named."""

    total: int
    per_node: dict[str, int]
    named: set[PodRef]


def from_tour(text: str) -> Tour:
    """Return the pod count, the spread over nodes and the pods the tour names."""
    total = _TOUR_TOTAL.search(text)
    assert total is not None, text
    per_node = {
        m.group(1): int(m.group(2))
        for line in text.splitlines()
        if (m := _TOUR_SPREAD.match(line)) is not None
    }
    named = {(m.group(1), m.group(2)) for m in _TOUR_POD.finditer(text)}
    example = re.search(rf"Example: pod ({_NAME})/({_NAME}) ", text)
    if example is not None:
        named.add((example.group(1), example.group(2)))
    return Tour(int(total.group(1)), per_node, named)


TREE_OUTPUTS = ("tree", "wide", "json", "yaml", "table", "csv", "html", "dot", "mermaid")
PARSERS: dict[str, Callable[[str], Shown]] = {
    "tree": from_tree,
    "wide": from_tree,
    "json": from_json,
    "yaml": from_yaml,
    "table": from_table,
    "csv": from_csv,
    "html": from_html,
    "dot": from_dot,
    "mermaid": from_mermaid,
}
# the flat views (nodes, pods, containers): -o wide is a wider table, not a tree
FLAT_PARSERS: dict[str, Callable[[str], Shown]] = {**PARSERS, "wide": from_table}

FLAT_OUTPUTS = ("table", "wide", "json", "yaml", "csv")
# (command and flags, the parser of its stdout); each draws pods
POD_VIEWS: dict[str, tuple[tuple[str, ...], Callable[[str], Shown]]] = {
    **{f"tree-{o}": (("tree", "-o", o), PARSERS[o]) for o in TREE_OUTPUTS},
    "tree-explain": (("tree", "--explain"), PARSERS["tree"]),
    **{f"pods-{o}": (("pods", "-o", o), FLAT_PARSERS[o]) for o in FLAT_OUTPUTS},
    **{f"containers-{o}": (("containers", "-o", o), FLAT_PARSERS[o]) for o in FLAT_OUTPUTS},
    "check": (("check", "-o", "json"), from_check_json),
}
