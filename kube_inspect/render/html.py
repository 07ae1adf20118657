"""The HTML view (`-o html`): one self-contained page a person would rather look at than read.

Nodes are boxes holding their pods, pods hold their containers, colour says health
(interpret/health.py, with the state in words beside it); a search box and filters narrow
the view, a click shows the details and what the state means (the same table). No CDN, no
network: the data is inlined as JSON and drawn by the inlined script (html_page.py).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from typing import Any, TextIO

from kube_inspect.explain.tour import (
    container_next_step,
    node_next_step,
    owner_words,
    pod_next_step,
)
from kube_inspect.interpret.events import event_words
from kube_inspect.interpret.health import (
    LEVELS,
    container_state,
    node_state,
    pod_state,
    shown_state,
)
from kube_inspect.interpret.scheduling import pending_phrases
from kube_inspect.interpret.storage import volume_words
from kube_inspect.model.cluster import Cluster, Container, Node, Pod
from kube_inspect.model.fleet import Member
from kube_inspect.render import cells
from kube_inspect.render.colours import (
    HEALTH_BORDERS,
    HEALTH_COLOURS,
    HEALTH_ORDER,
    HEALTH_WORDS,
    VERDICT_HEALTH,
    container_health,
    node_health,
    pod_health,
)
from kube_inspect.render.fleet import fleet_line, member_info, member_status
from kube_inspect.render.html_page import PAGE
from kube_inspect.render.tree import cluster_line


def container_data(pod: Pod, container: Container) -> dict[str, Any]:
    """Return what the page shows of a container."""
    key, text = container_state(container)
    return {
        "name": container.name,
        "type": container.type,
        "image": container.image,
        "state": container.state.describe(),
        "ready": container.ready,
        "restarts": container.restarts,
        "health": container_health(container),
        "meaning": f"{shown_state(key)}: {text.meaning}",
        "message": container.state.message,
        "next": container_next_step(pod, container),
    }


def pod_data(pod: Pod) -> dict[str, Any]:
    """Return what the page shows of a pod, with its containers."""
    message = pod.unschedulable_message
    key, text = pod_state(pod, unschedulable=message is not None)
    return {
        "namespace": pod.namespace,
        "name": pod.name,
        "node": pod.node_name,
        "phase": pod.shown_phase,
        "ready": cells.pod_ready(pod),
        "restarts": pod.restarts,
        "created": pod.created,
        "ip": pod.ip,
        "owner": owner_words(pod),
        "health": pod_health(pod),
        "meaning": f"{shown_state(key)}: {text.meaning}",
        "reasons": pending_phrases(pod.pending),
        "pending": pod.pending.describe() if pod.pending else None,
        "events": [event_words(e) for e in pod.events or ()],
        "volumes": [f"volume {v.name}: {volume_words(v)}" for v in pod.volumes or ()],
        "next": pod_next_step(pod),
        "containers": [container_data(pod, c) for c in pod.containers],
    }


def node_data(node: Node, partial: bool = False) -> dict[str, Any]:
    """Return what the page shows of a node, with its pods (``partial``: only some of them)."""
    return {
        "name": node.name,
        "status": node.status,
        "roles": list(node.roles),
        "kubelet": node.kubelet_version,
        "created": node.created,
        "taints": list(node.taints),
        "events": [event_words(e) for e in node.events or ()],
        "resources": [
            f"{name} requested/allocatable: {cells.used_of(node, name, partial)}"
            for name in sorted({n for n, a in node.allocatable.other if a})
        ],
        "health": node_health(node),
        "meaning": "; ".join(f"{word}: {text.meaning}" for word, text in node_state(node)),
        "next": node_next_step(node),
        "pods": [pod_data(p) for p in node.pods],
    }


def page_data(cluster: Cluster) -> dict[str, Any]:
    """Return everything the page draws, as JSON-ready data."""
    return {
        **page_data_empty(cluster_line(cluster)),
        "context": cluster.context,
        "nodes": [node_data(n, cluster.node_sums_partial) for n in cluster.nodes],
        "unscheduled": [pod_data(p) for p in cluster.unscheduled],
    }


def _style_vars() -> str:
    return "".join(
        f"--{h}:{HEALTH_COLOURS[h]};--{h}-line:{HEALTH_BORDERS[h]};" for h in HEALTH_ORDER
    )


def render_html(cluster: Cluster, out: TextIO) -> None:
    """Write the cluster as one self-contained HTML page to ``out``."""
    _write_page(page_data(cluster), cluster_line(cluster), out)


def fleet_page_data(members: Sequence[Member[Cluster]]) -> dict[str, Any]:
    """Return what the page of many clusters draws: a box per cluster holding its nodes."""
    clusters = []
    for member in members:
        status, verdict = member_status(member)
        read = member.value
        clusters.append(
            {
                "context": member.context,
                "server": member.server,
                "version": None if read is None else read.version,
                "status": status,
                "health": VERDICT_HEALTH[verdict],
                "info": member_info(member),
                "error": member.error,
                "warnings": list(member.warnings),
                "next": f"kubectl --context {member.context} cluster-info",
                "nodes": []
                if read is None
                else [node_data(n, read.node_sums_partial) for n in read.nodes],
                "unscheduled": [] if read is None else [pod_data(p) for p in read.unscheduled],
            }
        )
    title = fleet_line(members)
    return {**page_data_empty(title), "clusters": clusters}


def page_data_empty(title: str) -> dict[str, Any]:
    """Return the page's data with no node: the title, the levels and the health words."""
    return {
        "title": title,
        "context": None,
        "levels": LEVELS,
        "health": [
            {"name": h, "words": HEALTH_WORDS[h], "fill": HEALTH_COLOURS[h]} for h in HEALTH_ORDER
        ],
        "nodes": [],
        "unscheduled": [],
    }


def render_fleet_html(members: Sequence[Member[Cluster]], out: TextIO) -> None:
    """Write many clusters as one self-contained HTML page to ``out``."""
    _write_page(fleet_page_data(members), fleet_line(members), out)


def _write_page(page: dict[str, Any], title: str, out: TextIO) -> None:
    data = json.dumps(page, sort_keys=True)
    # "</" would end the inline <script> early; "<\/" is the same JSON string.
    data = data.replace("</", "<\\/")
    values = {
        "__TITLE__": html.escape(title),
        "__STYLE_VARS__": _style_vars(),
        "__DATA__": data,
    }
    # one pass, so a marker inside the data is never replaced again
    out.write(re.sub("__(?:TITLE|STYLE_VARS|DATA)__", lambda m: values[m.group(0)], PAGE))
