"""The Graphviz view (`-o dot`): nodes as boxes holding their pods, containers inside pods.

Render it with ``dot -Tsvg cluster.dot > cluster.svg``. Clusters (subgraphs) nest as the
hierarchy does; colour is by health (interpret/health.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TextIO

from kube_inspect.model.cluster import Cluster, Pod
from kube_inspect.model.fleet import Member
from kube_inspect.render import cells
from kube_inspect.render.colours import (
    HEALTH_BORDERS,
    HEALTH_COLOURS,
    VERDICT_HEALTH,
    container_health,
    node_health,
    pod_health,
)
from kube_inspect.render.fleet import fleet_line, member_status
from kube_inspect.render.tree import Depth, cluster_line


def quote(text: str) -> str:
    """Return ``text`` as a DOT double-quoted string."""
    return json.dumps(text, ensure_ascii=False)


def _pod_lines(pod: Pod, pod_id: str, indent: str, depth: Depth) -> Iterator[str]:
    ready = cells.pod_ready(pod)
    if depth == "pod":  # a box, without its containers
        text = quote(f"pod {pod.namespace}/{pod.name}  {pod.shown_phase} {ready}")
        fill = quote(HEALTH_COLOURS[pod_health(pod)])
        yield f"{indent}{pod_id} [label={text}, fillcolor={fill}];"
        return
    yield f"{indent}subgraph cluster_{pod_id} {{"
    yield f"{indent}  label={quote(f'pod {pod.namespace}/{pod.name}  {pod.shown_phase} {ready}')};"
    yield f'{indent}  style="filled,rounded"; fillcolor={quote(HEALTH_COLOURS[pod_health(pod)])};'
    for k, container in enumerate(pod.containers):
        kind = "" if container.type == "app" else f" ({container.type})"
        # json.dumps writes the newline as \n, which DOT reads as a centred line break
        label = quote(f"{container.name}{kind}\n{container.state.describe()}")
        colour = quote(HEALTH_COLOURS[container_health(container)])
        yield f"{indent}  {pod_id}_c{k} [label={label}, fillcolor={colour}];"
    if not pod.containers:
        yield f'{indent}  {pod_id}_empty [label="no containers", style=dashed];'
    yield f"{indent}}}"


def _head(title: str) -> str:
    return (
        "digraph kube_inspect {\n"
        f"  label={quote(title)}; labelloc=t; fontname=Helvetica;\n"
        "  compound=true; rankdir=LR; newrank=true;\n"
        '  node [shape=box, style="filled,rounded", fontname=Helvetica, fontsize=10];\n'
    )


def _nodes(cluster: Cluster, depth: Depth, prefix: str = "", indent: str = "  ") -> Iterator[str]:
    """Yield the lines of a subgraph per node, ids starting with ``prefix``."""
    groups = [
        (f"node/{n.name}  {n.status}", HEALTH_BORDERS[node_health(n)], n.pods)
        for n in cluster.nodes
    ]
    if cluster.unscheduled:
        groups.append(("(unscheduled)", HEALTH_BORDERS["warn"], cluster.unscheduled))
    pod_index = 0
    for i, (label, colour, pods) in enumerate(groups):
        node_id = f"{prefix}n{i}"
        yield f"{indent}subgraph cluster_{node_id} {{"
        yield f'{indent}  label={quote(label)}; style=filled; fillcolor="#f8f9fa";'
        yield f"{indent}  color={quote(colour)}; penwidth=2;"
        if not pods or depth == "node":
            words = quote(cells.plural(len(pods), "pod")) if pods else '"no pods"'
            yield f"{indent}  {node_id}_empty [label={words}, style=dashed, fillcolor=white];"
            pods = ()
        for pod in pods:
            yield from _pod_lines(pod, f"{prefix}p{pod_index}", indent + "  ", depth)
            pod_index += 1
        yield f"{indent}}}"


def render_dot(cluster: Cluster, out: TextIO, depth: Depth = "container") -> None:
    """Write the cluster as a Graphviz digraph to ``out``, down to ``depth``.

    At depth node each node holds a count of its pods; at depth pod, pods are plain boxes.
    """
    out.write(_head(cluster_line(cluster)))
    for line in _nodes(cluster, depth):
        out.write(line + "\n")
    out.write("}\n")


def render_fleet_dot(
    members: Sequence[Member[Cluster]], out: TextIO, depth: Depth = "container"
) -> None:
    """Write many clusters as one digraph: a box per cluster holding its nodes, or its error."""
    out.write(_head(fleet_line(members)))
    for j, member in enumerate(members):
        status, verdict = member_status(member)
        health = VERDICT_HEALTH[verdict]
        if member.value is None:
            text = quote(f"cluster/{member.context}  {status}\n{member.error}")
            out.write(f"  k{j} [label={text}, fillcolor={quote(HEALTH_COLOURS[health])}];\n")
            continue
        out.write(f"  subgraph cluster_k{j} {{\n")
        out.write(f"    label={quote(f'cluster/{member.context}  {status}')}; style=dashed;\n")
        out.write(f"    color={quote(HEALTH_BORDERS[health])}; penwidth=2;\n")
        for line in _nodes(member.value, depth, f"k{j}", "    "):
            out.write(line + "\n")
        out.write("  }\n")
    out.write("}\n")
