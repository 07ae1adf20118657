"""The flat views: `kube-inspect nodes`, `pods` and `containers`, one row per object."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO

import click

from kube_inspect.build.arrange import SortKey, listed_pods
from kube_inspect.build.resources import resource_names
from kube_inspect.cli.fleet import Fleet, exit_fleet, load_fleet
from kube_inspect.cli.options import (
    ClusterFlags,
    OutputFlags,
    SelectionFlags,
    cluster_options,
    events_option,
    output_options,
    selection_options,
    with_events,
)
from kube_inspect.cli.process import one_shot
from kube_inspect.cli.reading import exit_if_partial, load_cluster, say_partial_sums
from kube_inspect.errors import EXIT_CODES_HELP
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.render import cells
from kube_inspect.render.csv import write_csv
from kube_inspect.render.json import (
    containers_document,
    fleet_rows_document,
    nodes_document,
    pods_document,
    write_json,
)
from kube_inspect.render.table import write_table
from kube_inspect.render.yaml import write_yaml


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


def write_rows(
    cluster: Cluster,
    level: str,
    output: OutputFlags,
    out: TextIO,
    *,
    wide: bool,
    sort: SortKey,
) -> None:
    """Write one level of the cluster as a table (states coloured when asked) or as CSV."""
    coloured = output.format != "csv" and output.colored(out)
    rows = flat_rows(cluster, level, wide=wide, color=coloured, sort=sort)
    if output.format == "csv":
        write_csv(rows, out)
    else:
        write_table(rows, out, output.fmt)


def fleet_flat_document(members: Fleet, level: str, sort: SortKey) -> dict[str, Any]:
    """Return the json/yaml document of one level over many clusters, rows with ``context``."""
    key = {"node": "nodes", "pod": "pods", "container": "containers"}[level]
    documents = [None if m.value is None else flat_document(m.value, level, sort) for m in members]
    return fleet_rows_document(key, members, documents)


def write_fleet_rows(
    members: Fleet, level: str, output: OutputFlags, out: TextIO, *, wide: bool, sort: SortKey
) -> None:
    """Write one level of every cluster as one table or CSV, a CONTEXT column first.

    Clusters come in the order of the contexts, each one's rows in its own order.
    """
    coloured = output.format != "csv" and output.colored(out)
    rows = [
        {"CONTEXT": m.context, **row}
        for m in members
        if m.value is not None
        for row in flat_rows(m.value, level, wide=wide, color=coloured, sort=sort)
    ]
    if output.format == "csv":
        write_csv(rows, out)
    else:
        write_table(rows, out, output.fmt)


EVENTS_SHOWN_IN = ("wide", "json", "yaml", "csv")  # the plain table has no room for them


def flat_command(level: str, plural: str, example: str) -> click.Command:
    """Return the command that lists one level of the hierarchy."""

    @cluster_options
    @selection_options
    @output_options(("table", "wide", "json", "yaml", "csv"), "table")
    def command(
        cluster: ClusterFlags, selection: SelectionFlags, output: OutputFlags, events: bool = False
    ) -> None:
        read = with_events(selection.selection, events, output.format, EVENTS_SHOWN_IN)
        if level == "node":  # nodes are cluster-wide: the context's namespace is no filter
            read = replace(read, context_namespace=False)
        if level == "pod" and output.format in ("wide", "csv", "json", "yaml"):
            read = replace(read, with_volumes=True)  # their VOLUMES column / key
        if level in ("node", "pod") and output.format in ("wide", "csv", "json", "yaml"):
            read = replace(read, with_devices=True)  # DEVICES, CLAIMS: three more LISTs
        if cluster.fleet:
            flat_fleet(cluster, replace(selection, selection=read), output, level)
            return
        forbidden = ForbiddenReads()
        out = sys.stdout
        with one_shot():
            model = load_cluster(
                cluster,
                read,
                forbidden,
                quiet=selection.quiet,
                notices_on_stderr=output.format not in ("json", "yaml"),
            )
            if output.format in ("json", "yaml"):
                writer = write_json if output.format == "json" else write_yaml
                writer(flat_document(model, level, selection.selection.sort), out)
            else:
                wide = output.format in ("wide", "csv")
                if level == "node":
                    say_partial_sums(model)
                write_rows(model, level, output, out, wide=wide, sort=selection.selection.sort)
        exit_if_partial(forbidden)

    events_example = ""
    if level != "container":  # events are about pods and nodes, not containers
        command = events_option(command)
        events_example = f"\n      kube-inspect {plural} -o wide --events   # latest Warning events"
    command.__doc__ = f"""List {plural}, one per line, with the same filters and outputs as tree.

    With several contexts (--context a,b or --all-contexts), the clusters are read at
    once and each row starts with its CONTEXT (json/yaml: a "context" key).

    \b
    Examples:
      {example}
      kube-inspect {plural} --context prod,staging
      kube-inspect {plural} -o wide --fmt github
      kube-inspect {plural} -o csv > {plural}.csv{events_example}
    """
    return click.command(plural, epilog=EXIT_CODES_HELP)(command)


def flat_fleet(
    cluster: ClusterFlags, selection: SelectionFlags, output: OutputFlags, level: str
) -> None:
    """List one level of every cluster the flags name, read at once; exit 4 or 3 on failures."""
    human = output.format not in ("json", "yaml")
    out = sys.stdout
    sort = selection.selection.sort
    with one_shot():
        members = load_fleet(
            cluster,
            selection.selection,
            quiet=selection.quiet,
            notices_on_stderr=human,
            errors_on_stderr=human,
        )
        if human:
            wide = output.format in ("wide", "csv")
            write_fleet_rows(members, level, output, out, wide=wide, sort=sort)
        else:
            writer = write_json if output.format == "json" else write_yaml
            writer(fleet_flat_document(members, level, sort), out)
    exit_fleet(members)


nodes = flat_command("node", "nodes", "kube-inspect nodes --sort cpu")
pods = flat_command("pod", "pods", "kube-inspect pods --problems -A")
containers = flat_command("container", "containers", "kube-inspect containers -n shop")
