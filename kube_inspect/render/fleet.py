"""The tree of many clusters: one cluster level per kubeconfig context, above its nodes.

A cluster that could not be read is one row saying why, in its place; the others are
drawn as the one-cluster tree draws them, one level down, in one table so every column
lines up across clusters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TextIO

from kube_inspect.interpret.health import Verdict
from kube_inspect.interpret.words import printable
from kube_inspect.model.cluster import Cluster, Node, Pod
from kube_inspect.model.fleet import Member, fleet_counts
from kube_inspect.render import cells
from kube_inspect.render.colours import paint
from kube_inspect.render.tree import (
    ASCII,
    HEADERS,
    RESOURCE_HEADERS,
    UNICODE,
    Row,
    TreeOptions,
    tagged_rows,
    write_noted_table,
)

# The status a cluster row shows for each error class the read path raises.
FAILURE_STATUS = {
    "ClusterUnreachable": "Unreachable",
    "Unauthorized": "Unauthorized",
    "Forbidden": "Forbidden",
    "ConfigError": "ConfigError",
}


def member_status(member: Member[Cluster]) -> tuple[str, Verdict]:
    """Return a cluster's status word (Available, Partial, Unreachable...) and its verdict."""
    if member.failed:
        return FAILURE_STATUS.get(member.error_kind or "", "Failed"), "failing"
    if member.partial:
        return "Partial", "warning"
    return "Available", "healthy"


def member_info(member: Member[Cluster]) -> str:
    """Return what the cluster row says: server, version and counts, or why it failed."""
    if member.value is None:
        return f"error: {member.error}"
    cluster = member.value
    counts = ", ".join(
        (
            cells.plural(len(cluster.nodes), "node"),
            cells.plural(len(cluster.pods), "pod"),
            cells.plural(cluster.container_count, "container"),
        )
    )
    info = f"server={cluster.server} version={cluster.version} {counts}"
    return info + (f" unread={','.join(cluster.unread)}" if cluster.unread else "")


def fleet_line(members: Sequence[Member[Cluster]]) -> str:
    """Return the line above a fleet's tree: ``fleet of 3 clusters: 2 available, 1 failed``."""
    return "fleet of " + fleet_counts(tuple(members))


def render_fleet_tree(
    members: Sequence[Member[Cluster]], out: TextIO, options: TreeOptions
) -> None:
    """Write every cluster of the fleet as one tree with aligned columns to ``out``."""
    tee, bar, corner, blank = ASCII if options.ascii_only else UNICODE
    width = len(HEADERS) + (len(RESOURCE_HEADERS) + 1 if options.wide else 0) + 1
    rows: list[tuple[Row, Node | Pod | None]] = []
    nows: list[datetime] = []  # row by row: when its cluster was read
    for i, member in enumerate(members):
        last = i == len(members) - 1
        status, verdict = member_status(member)
        shown = paint(status, verdict) if options.color else status
        row = [(corner if last else tee) + printable(f"cluster/{member.context}"), shown]
        rows.append((row + [""] * (width - 3) + [printable(member_info(member))], None))
        nows.append(options.now)
        if member.value is None:
            continue
        pad = blank if last else bar
        # ages count to the time this cluster was read (a snapshot's: when it was taken)
        mine = replace(options, now=member.value.read_at or options.now)
        for inner, drawn in tagged_rows(member.value, mine):
            inner[0] = pad + inner[0]
            rows.append((inner, drawn))
            nows.append(mine.now)
    out.write(fleet_line(members) + "\n")
    headers = [*HEADERS, *((*RESOURCE_HEADERS, "IP") if options.wide else ()), "INFO"]
    write_noted_table(rows, headers, options, out, nows)
