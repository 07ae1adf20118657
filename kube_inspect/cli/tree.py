"""`kube-inspect tree`: the hierarchy in every output, --explain and --watch."""

from __future__ import annotations

import io
import sys
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO, cast

import click

from kube_inspect.cli.options import (
    ClusterFlags,
    OutputFlags,
    SelectionFlags,
    cluster_options,
    events_option,
    output_options,
    refuse_fleet,
    selection_options,
    with_events,
)
from kube_inspect.cli.process import one_shot
from kube_inspect.cli.reading import (
    connected,
    exit_if_partial,
    load_cluster,
    report_read,
    say_partial_sums,
)
from kube_inspect.cli.streams import can_draw, output_gone
from kube_inspect.errors import EXIT_CODES_HELP, UsageError
from kube_inspect.interpret.arrange import SortKey
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import Selection, in_context_namespace
from kube_inspect.render.tree import (
    DEPTHS,
    Depth,
    TreeOptions,
    render_pending_summary,
    render_tree,
)

if TYPE_CHECKING:
    from kube_inspect.render.watching import Changes

# The pictures, json/yaml, the flat rows, the explained tree, the fleet (its reading and its
# tree) and --watch import their modules where they are used: the plain tree of one
# context, the common case, does not load them at start-up.

PICTURES = ("html", "dot", "mermaid")
WHOLE = ("json", "yaml", "html")  # hold every level (the page folds levels on click)
CLEAR_SCREEN = "\x1b[H\x1b[2J"


# tree's --help: what it draws, in which outputs, with examples
TREE_HELP = """Print the cluster's nodes, the pods on each node, and each pod's containers.

\b
A node is a machine (real or virtual) that runs pods. A pod is the smallest
unit Kubernetes schedules: one or more containers sharing a network address
and volumes. A container runs one image. Pods not yet bound to a node are
listed last, under (unscheduled).

\b
-o tree/wide draw the hierarchy (wide adds requests, limits, usage, IPs,
taints, digests); -o json/yaml hold the whole hierarchy (schema_version 1);
-o table/csv flatten the deepest level --depth shows; -o html/dot/mermaid
draw a picture. Every selection flag applies to every output.

\b
Several contexts (--context a,b, repeated, or --all-contexts) are read at
once: the tree gets one cluster level per context, table/csv a CONTEXT
column, json/yaml {"schema_version": 1, "clusters": [...]}. A cluster that
cannot be read is one line saying why; exit 4 then, 3 when none answered.

\b
Examples:
  kube-inspect tree                      # the current context, all namespaces
  kube-inspect tree -n shop              # only the pods of namespace shop
  kube-inspect tree --problems           # only what needs attention, causes last
  kube-inspect tree --events -n shop     # with each pod's latest Warning events
  kube-inspect tree -o wide --sort cpu   # resources, busiest first
  kube-inspect tree --depth node -o table --fmt github
  kube-inspect tree --context prod -o json | jq '.cluster.nodes[].name'
  kube-inspect tree --context prod,staging  # one cluster level per context
  kube-inspect tree --all-contexts -o json | jq '.clusters[] | {context, error}'
  kubectl inspect tree --ascii           # as a kubectl plugin, plain ASCII
  kube-inspect tree --explain -l app=web # with what each level and state means
  kube-inspect tree -o html > cluster.html  # one self-contained page to open
  kube-inspect tree -o dot --node worker-1 | dot -Tsvg > worker-1.svg
  kube-inspect tree -o mermaid --problems  # paste into a ```mermaid block on GitHub
  kube-inspect tree -w -n shop           # redraw on every change; Ctrl-C stops
  kube-inspect tree -q > cluster.txt     # no progress line, even on a terminal
"""


@click.command(help=TREE_HELP, epilog=EXIT_CODES_HELP)
@cluster_options
@selection_options
@output_options(("tree", "wide", "json", "yaml", "table", "csv", *PICTURES), "tree", ("table",))
@click.option(
    "--depth",
    type=click.Choice(DEPTHS),
    default="container",
    show_default=True,
    help="How deep to draw: nodes only, nodes and pods, or down to containers.",
)
@click.option("--ascii", "ascii_only", is_flag=True, help="Draw the tree with ASCII only.")
@events_option
@click.option(
    "--explain",
    is_flag=True,
    help="Say what each level means, and add a line of plain words under each unusual state.",
)
@click.option(
    "-w",
    "--watch",
    is_flag=True,
    help="After the tree, redraw it on every change (watch API), marking changed rows; "
    "Ctrl-C stops.",
)
def tree(
    cluster: ClusterFlags,
    selection: SelectionFlags,
    output: OutputFlags,
    depth: str,
    ascii_only: bool,
    explain: bool,
    events: bool,
    watch: bool,
) -> None:
    """Draw the selection of the cluster (or clusters) in the output asked for."""
    drawn_depth = cast(Depth, depth)
    refuse_tree_flags(
        cluster, output.format, drawn_depth, explain=explain, watch=watch, events=events
    )
    if watch:
        watch_tree(cluster, selection, ascii_only=ascii_only, depth=drawn_depth)
        return
    forbidden = ForbiddenReads()
    read = tree_read(selection.selection, output.format, drawn_depth, events)
    if cluster.fleet:
        fleet_tree(cluster, replace(selection, selection=read), output, drawn_depth, ascii_only)
        return
    with one_shot():
        model = load_cluster(
            cluster,
            read,
            forbidden,
            quiet=selection.quiet,
            notices_on_stderr=output.format not in ("json", "yaml"),
        )
        draw_tree(
            model,
            output,
            sys.stdout,
            depth=drawn_depth,
            ascii_only=ascii_only,
            explain=explain,
            sort=read.sort,
            problems=read.problems,
        )
    exit_if_partial(forbidden)


VOLUME_FORMATS = ("wide", "json", "yaml", "html")  # and the pod rows of -o table|csv


def refuse_tree_flags(
    cluster: ClusterFlags,
    output_format: str,
    depth: Depth,
    *,
    explain: bool,
    watch: bool,
    events: bool,
) -> None:
    """Raise UsageError for tree's flags that do not go together (-o, --depth, --explain...)."""
    if explain and output_format != "tree":
        raise UsageError("--explain goes with -o tree (the html page explains on click)")
    if watch and cluster.from_file is not None:
        raise UsageError("--watch follows a live cluster: it does not go with --from")
    if watch and (output_format != "tree" or explain):
        raise UsageError("--watch draws the plain tree: drop -o and --explain")
    if watch and events:
        raise UsageError("--events does not apply to --watch: it redraws from watched pods")
    if depth != "container" and output_format in WHOLE:
        raise UsageError(f"--depth does not apply to -o {output_format}: it holds every level")
    if cluster.fleet and (watch or explain):
        refuse_fleet(cluster, "--watch" if watch else "--explain")


def tree_read(selection: Selection, output_format: str, depth: Depth, events: bool) -> Selection:
    """Return the selection with what the output shows read, and what it does not, not."""
    shown_in = ("tree", "wide", "json", "yaml", "table", "csv", "html")  # table/csv list wide
    read = with_events(selection, events, output_format, shown_in)
    if output_format in ("tree", *PICTURES) and read.sort not in ("cpu", "memory"):
        read = replace(read, with_usage=False)  # these outputs show no usage
    if output_format in VOLUME_FORMATS or (output_format in ("table", "csv") and depth == "pod"):
        read = replace(read, with_volumes=True)  # volumes and their claims: one more LIST
    if output_format in VOLUME_FORMATS:
        read = replace(read, with_devices=True)  # DRA pools and claims: three more LISTs
    return read


def fleet_tree(
    flags: ClusterFlags,
    selection: SelectionFlags,
    output: OutputFlags,
    depth: Depth,
    ascii_only: bool,
) -> None:
    """Draw every cluster the flags name, read at once; exit 4 if some failed, 3 if all did."""
    from kube_inspect.cli.fleet import exit_fleet, load_fleet

    out = sys.stdout
    read = selection.selection
    with one_shot():
        members = load_fleet(
            flags,
            read,
            quiet=selection.quiet,
            notices_on_stderr=output.format not in ("json", "yaml"),
            errors_on_stderr=output.format in ("table", "csv"),  # rows have no place for it
        )
        if output.format in ("json", "yaml"):
            from kube_inspect.render.json import fleet_dict

            _write_document(fleet_dict(members), output.format, out)
        elif output.format in ("table", "csv"):
            from kube_inspect.render.rows import write_fleet_rows

            write_fleet_rows(members, depth, out, output.row_style(out), wide=True, sort=read.sort)
        elif output.format == "html":
            from kube_inspect.render.html import render_fleet_html

            if isinstance(out, io.TextIOWrapper) and not can_draw(out):
                out.reconfigure(errors="xmlcharrefreplace")
            render_fleet_html(members, out)
        elif output.format in ("dot", "mermaid"):
            from kube_inspect.render.dot import render_fleet_dot
            from kube_inspect.render.mermaid import render_fleet_mermaid

            (render_fleet_dot if output.format == "dot" else render_fleet_mermaid)(
                members, out, depth
            )
        else:
            from kube_inspect.render.fleet import render_fleet_tree

            options = TreeOptions(
                now=datetime.now(UTC),
                ascii_only=ascii_only or not can_draw(out),
                wide=output.format == "wide",
                depth=depth,
                color=output.colored(out),
            )
            render_fleet_tree(members, out, options)
    exit_fleet(members)


def draw_tree(
    model: Cluster,
    output: OutputFlags,
    out: TextIO,
    *,
    depth: Depth,
    ascii_only: bool,
    explain: bool,
    sort: SortKey,
    problems: bool = False,
) -> None:
    """Write the model in the chosen output (the table's pods in ``sort``'s order).

    With ``problems``, the tree ends with a line per cause that keeps pods pending.
    """
    now = model.read_at or datetime.now(UTC)
    ascii_only = ascii_only or not can_draw(out)  # a non-UTF-8 locale: draw in ASCII
    if output.format in ("table", "csv") and depth == "node":
        say_partial_sums(model)  # the figures marked * (the tree says it in its cluster line)
    if output.format == "html" and isinstance(out, io.TextIOWrapper) and not can_draw(out):
        out.reconfigure(errors="xmlcharrefreplace")  # the page stays exact, in ASCII
    if output.format in ("json", "yaml"):
        from kube_inspect.render.json import cluster_dict

        _write_document(cluster_dict(model), output.format, out)
    elif output.format in ("table", "csv"):
        from kube_inspect.render.rows import write_rows

        write_rows(model, depth, out, output.row_style(out), wide=True, sort=sort)
    elif output.format == "html":
        from kube_inspect.render.html import render_html

        render_html(model, out)
    elif output.format == "dot":
        from kube_inspect.render.dot import render_dot

        render_dot(model, out, depth)
    elif output.format == "mermaid":
        from kube_inspect.render.mermaid import render_mermaid

        render_mermaid(model, out, depth)
    elif explain:
        from kube_inspect.render.explained import render_explained_tree

        render_explained_tree(model, out, now=now, ascii_only=ascii_only, depth=depth)
    else:
        options = TreeOptions(
            now=now,
            ascii_only=ascii_only,
            wide=output.format == "wide",
            depth=depth,
            color=output.colored(out),
        )
        render_tree(model, out, options=options)
    if problems and output.format in ("tree", "wide"):
        render_pending_summary(model, out)


def _write_document(document: dict[str, Any], output_format: str, out: TextIO) -> None:
    """Write ``document`` as json or yaml (``output_format``), importing only that renderer."""
    if output_format == "json":
        from kube_inspect.render.json import write_json

        write_json(document, out)
    else:
        from kube_inspect.render.yaml import write_yaml

        write_yaml(document, out)


def watch_tree(
    flags: ClusterFlags, selection: SelectionFlags, *, ascii_only: bool, depth: Depth
) -> None:
    """Draw the selection, then redraw it on every change, until Ctrl-C (then exit 0)."""
    from kube_inspect.read.watch import follow_cluster
    from kube_inspect.render.watching import Changes, compare, signatures

    out = sys.stdout
    in_place = out.isatty()
    forbidden = ForbiddenReads()
    try:
        with connected(flags) as client:
            read = in_context_namespace(selection.selection, client.target.namespace)
            frames = follow_cluster(client, read, forbidden)
            first = next(frames)
            # an empty namespace is an empty first frame, not a message: pods may come
            report_read(first.cluster, read, notices_on_stderr=True, say_no_pods=False)
            for line in forbidden.warnings():
                click.echo(f"warning: {line}", err=True)
            shown = first.cluster
            _draw(shown, Changes(), out, in_place, ascii_only, depth, first=True)
            for frame in frames:
                changes = compare(signatures(shown), signatures(frame.cluster), frame.present_nodes)
                if changes != Changes():
                    _draw(frame.cluster, changes, out, in_place, ascii_only, depth)
                shown = frame.cluster
                if output_gone(out):  # nobody reads any more (`| head`): stop watching
                    break
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)
    exit_if_partial(forbidden)


def _draw(
    model: Cluster,
    changes: Changes,
    out: TextIO,
    in_place: bool,
    ascii_only: bool,
    depth: Depth,
    first: bool = False,
) -> None:
    from kube_inspect.render.watching import render_frame

    out.write(CLEAR_SCREEN if in_place else "" if first else "\n")
    now = datetime.now(UTC)
    render_frame(
        model, changes, out, now=now, ascii_only=ascii_only or not can_draw(out), depth=depth
    )
    out.flush()
