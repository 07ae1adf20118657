"""The Mermaid view (`-o mermaid`): a flowchart GitHub renders in Markdown.

Paste it into a ```` ```mermaid ```` block. Nodes are subgraphs holding pod subgraphs,
which hold one box per container; classes colour them by health (build/health.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from kube_inspect.build.health import (
    HEALTH_BORDERS,
    HEALTH_COLOURS,
    HEALTH_ORDER,
    container_health,
    node_health,
    pod_health,
)
from kube_inspect.model.cluster import Cluster, Pod
from kube_inspect.render import cells
from kube_inspect.render.tree import Depth, cluster_line

_ESCAPES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;"}


def label(text: str) -> str:
    """Return ``text`` as a quoted Mermaid label, with Mermaid's entity codes."""
    escaped = "".join(_ESCAPES.get(ch, ch) for ch in text)
    return f'"{escaped}"'


def _pod_lines(pod: Pod, pod_id: str, depth: Depth) -> Iterator[str]:
    ready = cells.pod_ready(pod)
    text = label(f"pod {pod.namespace}/{pod.name} {pod.phase} {ready}")
    if depth == "pod":  # a box, without its containers
        yield f"    {pod_id}[{text}]:::{pod_health(pod)}"
        return
    yield f"    subgraph {pod_id}[{text}]"
    for k, container in enumerate(pod.containers):
        kind = "" if container.type == "app" else f" ({container.type})"
        text = f"{container.name}{kind}: {container.state.describe()}"
        yield f"      {pod_id}c{k}[{label(text)}]:::{container_health(container)}"
    if not pod.containers:
        yield f"      {pod_id}none[{label('no containers')}]"
    yield "    end"
    yield f"    class {pod_id} {pod_health(pod)}"


def _lines(cluster: Cluster, depth: Depth) -> Iterator[str]:
    yield "---"
    yield f"title: {json.dumps(cluster_line(cluster))}"  # YAML: a JSON string is valid
    yield "---"
    yield "flowchart LR"
    for health in HEALTH_ORDER:
        yield (
            f"  classDef {health} fill:{HEALTH_COLOURS[health]},"
            f"stroke:{HEALTH_BORDERS[health]},color:#000"
        )
    groups = [(f"node/{n.name} {n.status}", node_health(n), n.pods) for n in cluster.nodes]
    if cluster.unscheduled:
        groups.append(("(unscheduled)", "warn", cluster.unscheduled))
    pod_index = 0
    for i, (text, health, pods) in enumerate(groups):
        yield f"  subgraph n{i}[{label(text)}]"
        if not pods or depth == "node":
            yield f"    n{i}none[{label(cells.plural(len(pods), 'pod') if pods else 'no pods')}]"
            pods = ()
        for pod in pods:
            yield from _pod_lines(pod, f"p{pod_index}", depth)
            pod_index += 1
        yield "  end"
        yield f"  class n{i} {health}"


def render_mermaid(cluster: Cluster, out: TextIO, depth: Depth = "container") -> None:
    """Write the cluster as a Mermaid flowchart to ``out``, down to ``depth``."""
    for line in _lines(cluster, depth):
        out.write(line + "\n")
