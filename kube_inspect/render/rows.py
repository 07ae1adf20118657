"""One row per node, pod or container: the flat views' rows, and the tree's -o table/csv.

Both `kube-inspect nodes|pods|containers` and `tree -o table|csv` write these rows; over
several clusters each row starts with its CONTEXT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from kube_inspect.interpret.arrange import SortKey, listed_pods
from kube_inspect.interpret.resources import resource_names
from kube_inspect.model.cluster import Cluster
from kube_inspect.model.fleet import Member
from kube_inspect.render import cells
from kube_inspect.render.csv import write_csv
from kube_inspect.render.json import (
    containers_document,
    fleet_rows_document,
    nodes_document,
    pods_document,
)
from kube_inspect.render.table import write_table


@dataclass(frozen=True, slots=True)
class RowStyle:
    """How rows are written: as CSV, or as a table in ``fmt``'s style, coloured when ``color``.

    CSV is never coloured, whatever ``color`` says.
    """

    csv: bool
    fmt: str = "plain"
    color: bool = False


def flat_document(cluster: Cluster, level: str, sort: SortKey) -> dict[str, Any]:
    """Return the json/yaml document of one level, pods in the order ``sort`` lists them."""
    if level == "node":
        return nodes_document(cluster)
    write = pods_document if level == "pod" else containers_document
    return write(cluster, listed_pods(cluster, sort))


def flat_rows(
    cluster: Cluster, level: str, *, wide: bool, color: bool = False, sort: SortKey = "name"
) -> list[dict[str, str]]:
    """Return one row per node, pod or container of the cluster, states coloured if asked.

    Nodes come in the cluster's order; pods and containers as ``sort`` lists them, across
    the whole cluster (``listed_pods``).
    """
    now = cluster.read_at or datetime.now(UTC)
    more = resource_names(cluster)  # a column (two for pods) per resource the cluster has
    if level == "node":
        pods_read = "pods" not in cluster.unread
        partial = cluster.node_sums_partial
        return [
            cells.node_row(
                n, now, wide=wide, color=color, pods_read=pods_read, resources=more, partial=partial
            )
            for n in cluster.nodes
        ]
    if level == "pod":
        return [
            cells.pod_row(p, now, wide=wide, color=color, resources=more)
            for p in listed_pods(cluster, sort)
        ]
    return [
        cells.container_row(p, c, wide=wide, color=color, resources=more)
        for p in listed_pods(cluster, sort)
        for c in p.containers
    ]


def _write(rows: list[dict[str, str]], out: TextIO, style: RowStyle) -> None:
    if style.csv:
        write_csv(rows, out)
    else:
        write_table(rows, out, style.fmt)


def write_rows(
    cluster: Cluster, level: str, out: TextIO, style: RowStyle, *, wide: bool, sort: SortKey
) -> None:
    """Write one level of the cluster as a table (states coloured when asked) or as CSV."""
    color = style.color and not style.csv
    _write(flat_rows(cluster, level, wide=wide, color=color, sort=sort), out, style)


def fleet_flat_document(
    members: Sequence[Member[Cluster]], level: str, sort: SortKey
) -> dict[str, Any]:
    """Return the json/yaml document of one level over many clusters, rows with ``context``."""
    key = {"node": "nodes", "pod": "pods", "container": "containers"}[level]
    documents = [None if m.value is None else flat_document(m.value, level, sort) for m in members]
    return fleet_rows_document(key, members, documents)


def write_fleet_rows(
    members: Sequence[Member[Cluster]],
    level: str,
    out: TextIO,
    style: RowStyle,
    *,
    wide: bool,
    sort: SortKey,
) -> None:
    """Write one level of every cluster as one table or CSV, a CONTEXT column first.

    Clusters come in the order of the contexts, each one's rows in its own order.
    """
    color = style.color and not style.csv
    rows = [
        {"CONTEXT": m.context, **row}
        for m in members
        if m.value is not None
        for row in flat_rows(m.value, level, wide=wide, color=color, sort=sort)
    ]
    _write(rows, out, style)
