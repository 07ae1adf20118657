"""`kube-inspect snapshot`: save what the read path reads, for --from and diff later."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, BinaryIO

import click

from kube_inspect.cli.fleet import exit_fleet, read_each
from kube_inspect.cli.options import (
    FILTER_FLAGS,
    ClusterFlags,
    SelectionFlags,
    cluster_options,
    refuse_flags,
    selection_options,
)
from kube_inspect.cli.process import one_shot
from kube_inspect.cli.reading import client_factory, exit_if_partial, report_read
from kube_inspect.errors import EXIT_CODES_HELP, UsageError
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.progress import Progress
from kube_inspect.model.fleet import Member
from kube_inspect.offline.document import FailedMember, FleetSnapshot, Snapshot, write_snapshot
from kube_inspect.offline.recording import RecordingClient
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.plan import plan_reads
from kube_inspect.read.selection import Selection, in_context_namespace
from kube_inspect.render.progress import ProgressLine


@click.command(epilog=EXIT_CODES_HELP)
@cluster_options
@selection_options
@click.option(
    "-o",
    "--output",
    "path",
    metavar="FILE",
    help="Write the snapshot to FILE (gzipped when it ends in .gz) instead of stdout (-: stdout).",
)
def snapshot(cluster: ClusterFlags, selection: SelectionFlags, path: str | None) -> None:
    """Save the selected part of the cluster to one file, to view or diff later offline.

    The snapshot holds what every view reads: nodes, pods, their owners (ReplicaSets,
    Jobs, Deployments, StatefulSets, DaemonSets), live usage, the notices and the
    forbidden reads, with the cluster's context, server, version and the time. Every
    view reads it back with --from FILE and draws what it drew then (ages counted to
    the snapshot's time), with no kubeconfig and no network; selection flags apply to
    it as to a cluster.

    With several contexts (--context a,b or --all-contexts), the clusters are read at
    once into one fleet snapshot: each cluster's snapshot, or why it could not be read
    (exit 4, or 3 when none answered); --from shows the fleet views from it.

    \b
    Examples:
      kube-inspect snapshot -o before.json.gz      # the whole cluster, gzipped
      kube-inspect snapshot -n shop > shop.json    # only namespace shop's pods
      kube-inspect snapshot --all-contexts -o fleet.json.gz
      kube-inspect tree --from before.json.gz --problems
      kube-inspect diff before.json.gz             # what changed since
    """
    refuse_flags(
        selection,
        set(FILTER_FLAGS),
        "snapshot: it keeps every object of the selection (give --problems and --sort "
        "to the view that reads it with --from)",
    )
    if cluster.from_file is not None:
        raise UsageError("snapshot reads a live cluster: it does not go with --from")
    read = replace(
        selection.selection,
        with_workloads=True,
        with_volumes=True,
        with_events=True,
        with_devices=True,
    )
    if cluster.fleet:
        snapshot_fleet(cluster, replace(selection, selection=read), path)
        return
    forbidden = ForbiddenReads()
    with one_shot():
        live = client_factory()(cluster, plan_reads(read).connections)
        read = in_context_namespace(read, live.target.namespace)
        recorder = RecordingClient(live)
        try:
            progress = ProgressLine.for_stream(sys.stderr, selection.quiet)
            model = read_cluster(recorder, read, forbidden, progress)
        finally:
            recorder.close()
        report_read(model, read, notices_on_stderr=True)
        taken = recorder.snapshot(
            model.read_at or recorder.now(),
            notices=model.notices,
            warnings=tuple(forbidden.warnings()),
            selection=selection_record(read),
        )
        _write(taken, path)
    exit_if_partial(forbidden)


def selection_record(chosen: Selection) -> dict[str, Any]:
    """Return the selection flags a snapshot was taken with, as the document keeps them.

    ``namespaces`` lists every namespace read (-n a,b; [] for all); ``namespace`` is kept
    for readers of one namespace, None when several were read.
    """
    return {
        "namespace": chosen.namespace,
        "namespaces": [ns for ns in chosen.scopes if ns is not None],
        "label_selector": chosen.label_selector,
        "field_selector": chosen.field_selector,
        "nodes": list(chosen.nodes),
        "node_selector": chosen.node_selector,
    }


def snapshot_fleet(cluster: ClusterFlags, selection: SelectionFlags, path: str | None) -> None:
    """Save every context's cluster, read at once, to one fleet snapshot; exit 4 or 3 as tree.

    A cluster that could not be read is kept with why (and said on stderr); a --node that
    one cluster lacks is its notice, as in the fleet views.
    """
    read = selection.selection

    def record(
        client: KubeClient, forbidden: ForbiddenReads, progress: Progress
    ) -> tuple[Snapshot, tuple[str, ...]]:
        recorder = RecordingClient(client)  # closed with ``client``, by read_each
        mine = in_context_namespace(read, client.target.namespace)
        model = read_cluster(recorder, mine, forbidden, progress)
        taken = recorder.snapshot(
            model.read_at or recorder.now(),
            notices=model.notices,
            warnings=tuple(forbidden.warnings()),
            selection=selection_record(mine),
        )
        missing = tuple(f'node "{name}" not found' for name in model.missing_nodes)
        return taken, (*model.notices, *missing)

    with one_shot():
        members = read_each(cluster, record, quiet=selection.quiet)
        for member in members:
            where = f"context {member.context!r}"
            for notice in member.value[1] if member.value is not None else ():
                click.echo(f"notice: {where}: {notice}", err=True)
            for line in member.warnings:
                click.echo(f"warning: {where}: {line}", err=True)
            if member.error is not None:
                click.echo(f"error: {where}: {member.error}", err=True)
        clusters = tuple(m.value[0] if m.value is not None else failed_member(m) for m in members)
        _write(FleetSnapshot(datetime.now(UTC), clusters), path)
    exit_fleet(members)


def failed_member(member: Member[Any]) -> FailedMember:
    """Return how a fleet snapshot keeps a cluster that could not be read."""
    return FailedMember(
        context=member.context,
        server=member.server,
        error=member.error or "not read",
        error_kind=member.error_kind,
        exit_code=member.error_code,
        warnings=member.warnings,
    )


def _write(taken: Snapshot | FleetSnapshot, path: str | None) -> None:
    if path is None or path == "-":  # kubectl's -f - habit: "-" is stdout, not a file
        sys.stdout.flush()
        write_snapshot(taken, sys.stdout.buffer, compress=False)
        sys.stdout.flush()
    else:
        _write_file(path, lambda out: write_snapshot(taken, out, compress=path.endswith(".gz")))


def _write_file(path: str, write: Callable[[BinaryIO], None]) -> None:
    try:
        with open(path, "wb") as out:
            write(out)
    except OSError as e:
        raise UsageError(f"cannot write snapshot file {path}: {e.strerror}") from e
    except ValueError as e:  # a path no file can have, e.g. with a NUL byte
        raise UsageError(f"cannot write snapshot file {path!r}: {e}") from e
