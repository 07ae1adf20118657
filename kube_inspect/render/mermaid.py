"""The Mermaid view (`-o mermaid`): a flowchart GitHub renders in Markdown.

Paste it into a ```` ```mermaid ```` block. Nodes are subgraphs holding pod subgraphs,
which hold one box per container; classes colour them by health (interpret/health.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TextIO

from kube_inspect.interpret.words import printable
from kube_inspect.model.cluster import Cluster, Pod
from kube_inspect.model.fleet import Member
from kube_inspect.render import cells
from kube_inspect.render.colours import (
    HEALTH_BORDERS,
    HEALTH_COLOURS,
    HEALTH_ORDER,
    VERDICT_HEALTH,
    container_health,
    node_health,
    pod_health,
)
from kube_inspect.render.fleet import fleet_line, member_status
from kube_inspect.render.tree import Depth, cluster_line

_ESCAPES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;"}


def label(text: str) -> str:
    """Return ``text`` as a quoted Mermaid label, with Mermaid's entity codes.

    Control characters are escaped first (``printable``): a line break would end the label.
    """
    escaped = "".join(_ESCAPES.get(ch, ch) for ch in printable(text))
    return f'"{escaped}"'


def _pod_lines(pod: Pod, pod_id: str, depth: Depth) -> Iterator[str]:
    ready = cells.pod_ready(pod)
    text = label(f"pod {pod.namespace}/{pod.name} {pod.shown_phase} {ready}")
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


def _head(title: str) -> Iterator[str]:
    yield "---"
    yield f"title: {json.dumps(title)}"  # YAML: a JSON string is valid
    yield "---"
    yield "flowchart LR"
    for health in HEALTH_ORDER:
        yield (
            f"  classDef {health} fill:{HEALTH_COLOURS[health]},"
            f"stroke:{HEALTH_BORDERS[health]},color:#000"
        )


def _nodes(cluster: Cluster, depth: Depth, prefix: str = "") -> Iterator[str]:
    """Yield a subgraph per node (and the unscheduled), their ids starting with ``prefix``."""
    groups = [(f"node/{n.name} {n.status}", node_health(n), n.pods) for n in cluster.nodes]
    if cluster.unscheduled:
        groups.append(("(unscheduled)", "warn", cluster.unscheduled))
    pod_index = 0
    for i, (text, health, pods) in enumerate(groups):
        node_id = f"{prefix}n{i}"
        yield f"  subgraph {node_id}[{label(text)}]"
        if not pods or depth == "node":
            words = cells.plural(len(pods), "pod") if pods else "no pods"
            yield f"    {node_id}none[{label(words)}]"
            pods = ()
        for pod in pods:
            yield from _pod_lines(pod, f"{prefix}p{pod_index}", depth)
            pod_index += 1
        yield "  end"
        yield f"  class {node_id} {health}"


def render_mermaid(cluster: Cluster, out: TextIO, depth: Depth = "container") -> None:
    """Write the cluster as a Mermaid flowchart to ``out``, down to ``depth``."""
    for line in (*_head(cluster_line(cluster)), *_nodes(cluster, depth)):
        out.write(line + "\n")


def render_fleet_mermaid(
    members: Sequence[Member[Cluster]], out: TextIO, depth: Depth = "container"
) -> None:
    """Write many clusters as one flowchart: a subgraph per cluster, or a box saying why not."""
    for line in _head(fleet_line(members)):
        out.write(line + "\n")
    for j, member in enumerate(members):
        status, verdict = member_status(member)
        health = VERDICT_HEALTH[verdict]
        if member.value is None:
            text = label(f"cluster/{member.context} {status}: {member.error}")
            out.write(f"  k{j}[{text}]:::{health}\n")
            continue
        out.write(f"  subgraph k{j}[{label(f'cluster/{member.context} {status}')}]\n")
        for line in _nodes(member.value, depth, f"k{j}"):
            out.write(line + "\n")
        out.write(f"  end\n  class k{j} {health}\n")
