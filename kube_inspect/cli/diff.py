"""`kube-inspect diff BEFORE [AFTER]`: what changed between two reads of a cluster."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from kube_inspect.cli.completion import complete_file
from kube_inspect.cli.moments import is_journal
from kube_inspect.cli.options import (
    FILTER_FLAGS,
    ClusterFlags,
    SelectionFlags,
    ShortFlagChoice,
    cluster_options,
    refuse_flags,
    refuse_fleet,
    selection_options,
)
from kube_inspect.cli.process import one_shot
from kube_inspect.cli.reading import client_factory
from kube_inspect.cli.streams import can_draw
from kube_inspect.errors import EXIT_CHECKS_FAILED, EXIT_CODES_HELP, EXIT_PARTIAL, UsageError
from kube_inspect.interpret.diff import diff_clusters
from kube_inspect.kube.client import KubeClient
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import Selection
from kube_inspect.render.diff import diff_document, render_diff_text
from kube_inspect.render.json import write_json
from kube_inspect.render.yaml import write_yaml


def _read(client: KubeClient, selection: Selection, forbidden: ForbiddenReads) -> Cluster:
    try:
        return read_cluster(client, selection, forbidden)
    finally:
        client.close()


def sides(
    cluster: ClusterFlags, before: str, after: str | None
) -> tuple[ClusterFlags, ClusterFlags]:
    """Return the flags that read BEFORE and AFTER (None: the live cluster).

    Each --at goes, in order, to BEFORE then AFTER where they are journals; two --at with
    one journal and no AFTER are two moments of that journal.
    """
    moments = list(cluster.at)
    if after is None and len(moments) == 2 and is_journal(before):
        after = before
    read: list[ClusterFlags] = []
    for path in (before, after):
        if path is None:
            read.append(replace(cluster, at=()))
            continue
        at = (moments.pop(0),) if moments and is_journal(path) else ()
        read.append(replace(cluster, from_file=path, at=at, loaded=None))
    if moments:
        raise UsageError("--at goes with a journal: BEFORE or AFTER is not one, or too many --at")
    return read[0], read[1]


@click.command(epilog=EXIT_CODES_HELP)
@cluster_options
@selection_options
@click.argument("before", metavar="BEFORE", shell_complete=complete_file)
@click.argument("after", metavar="[AFTER]", required=False, shell_complete=complete_file)
@click.option(
    "-o",
    "--output",
    type=ShortFlagChoice(("tree", "json", "yaml")),
    default="tree",
    show_default=True,
    help="Output format (json/yaml: kube_inspect/schema/diff-v1.json).",
)
def diff(
    cluster: ClusterFlags,
    selection: SelectionFlags,
    before: str,
    after: str | None,
    output: str,
) -> None:
    """Show what changed from BEFORE to AFTER; exit 1 when something did, 0 when nothing did.

    BEFORE and AFTER are snapshots (kube-inspect snapshot) or kubectl Lists
    (kubectl get nodes,pods -A -o json), or directories of them, or journals
    (kube-inspect record) at the moments --at names; without AFTER, the live cluster
    is read now, or, with two --at, the same journal at the second moment. Drawn in the
    tree's shape, unchanged parts left out:
    nodes added, removed, turned NotReady or cordoned; pods added, removed or moved to
    another node; phases and container states; restarts that went up, and by how
    much; images and requests. Selection flags apply to both sides.

    \b
    Examples:
      kube-inspect snapshot -o before.json.gz && kubectl apply -f deploy.yaml
      kube-inspect diff before.json.gz             # against the live cluster
      kube-inspect diff before.json.gz after.json.gz -n shop
      kube-inspect diff before.json.gz -o json | jq '.nodes[].pods[]'
      kube-inspect diff prod.sqlite --at 2026-12-06T02:50:00Z --at 2026-12-06T03:10:00Z
    """
    refuse_flags(selection, set(FILTER_FLAGS), "diff: it compares every object of the selection")
    refuse_fleet(cluster, "diff")
    if cluster.from_file is not None:
        raise UsageError("diff reads files as arguments: give BEFORE [AFTER], not --from")
    read = replace(
        selection.selection,
        with_usage=False,
        with_owners=False,
        every_node=True,
        context_namespace=False,  # every namespace, as a snapshot is taken by default
    )
    forbidden = ForbiddenReads()
    make = client_factory()
    old_flags, new_flags = sides(cluster, before, after)
    with one_shot():
        old = _read(make(old_flags), read, forbidden)
        new = _read(make(new_flags), read, forbidden)
        found = diff_clusters(old, new)
        out = sys.stdout
        if output == "tree":
            render_diff_text(found, out, ascii_only=not can_draw(out))
        else:
            (write_json if output == "json" else write_yaml)(diff_document(found), out)
    for line in forbidden.warnings():
        click.echo(f"warning: {line}", err=True)
    if found.changed:
        click.get_current_context().exit(EXIT_CHECKS_FAILED)
    if forbidden:
        click.get_current_context().exit(EXIT_PARTIAL)
