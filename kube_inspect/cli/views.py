"""The flat views: `kube-inspect nodes`, `pods` and `containers`, one row per object."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from kube_inspect.cli.fleet import exit_fleet, load_fleet
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
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.render.json import write_json
from kube_inspect.render.rows import (
    flat_document,
    fleet_flat_document,
    write_fleet_rows,
    write_rows,
)
from kube_inspect.render.yaml import write_yaml

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
                style = output.row_style(out)
                write_rows(model, level, out, style, wide=wide, sort=selection.selection.sort)
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
            write_fleet_rows(members, level, out, output.row_style(out), wide=wide, sort=sort)
        else:
            writer = write_json if output.format == "json" else write_yaml
            writer(fleet_flat_document(members, level, sort), out)
    exit_fleet(members)


nodes = flat_command("node", "nodes", "kube-inspect nodes --sort cpu")
pods = flat_command("pod", "pods", "kube-inspect pods --problems -A")
containers = flat_command("container", "containers", "kube-inspect containers -n shop")
