"""Several contexts in one command: which ones, read them at once, say how each went.

``load_fleet`` is ``load_cluster`` for many clusters; ``read_each`` is the part any command
(tree, the flat views, check and snapshot) hands its own one-cluster read to.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import click

from kube_inspect.cli.options import ClusterFlags
from kube_inspect.cli.reading import client_factory
from kube_inspect.kube.client import KubeClient, fleet_contexts
from kube_inspect.kube.progress import Progress
from kube_inspect.model.cluster import Cluster
from kube_inspect.model.fleet import Member
from kube_inspect.offline.document import FailedMember
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.fleet import fleet_exit_code, read_fleet
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import Selection, in_context_namespace
from kube_inspect.render.progress import FleetProgressLine

T = TypeVar("T")
Fleet = tuple[Member[Cluster], ...]


def read_each(
    flags: ClusterFlags,
    read: Callable[[KubeClient, ForbiddenReads, Progress], T],
    *,
    quiet: bool = False,
) -> tuple[Member[T], ...]:
    """Return what ``read`` gives for each context the flags name, all read at once.

    Each context gets its own client (from the invocation's factory) with the flags'
    kubeconfig and request timeout; progress is one line on stderr for all of them.
    From a fleet snapshot, each cluster that was read is read from its snapshot, and
    each that failed fails again, as it was recorded.
    """
    recorded = flags.fleet_snapshot
    failed: dict[str, Member[T]] = {}
    if recorded is None:
        contexts = fleet_contexts(flags.kubeconfig, flags.contexts)
    else:
        contexts = recorded.contexts
        failed = {m.context: replayed(m) for m in recorded.clusters if isinstance(m, FailedMember)}
    factory = client_factory()
    readable = [c for c in contexts if c not in failed]
    progress = FleetProgressLine.for_fleet(sys.stderr, quiet, len(readable))

    def read_one(client: KubeClient, forbidden: ForbiddenReads) -> T:
        mine = progress.member()
        try:
            return read(client, forbidden, mine)
        finally:
            mine.done()

    try:
        members = read_fleet(readable, lambda context: factory(flags.one(context)), read_one)
    finally:
        progress.done()
    by_context = {m.context: m for m in members} | failed
    return tuple(by_context[c] for c in contexts)


def replayed(failure: FailedMember) -> Member[Any]:
    """Return the member a fleet snapshot recorded as failed: the same error, again."""
    return Member(
        failure.context,
        failure.server,
        None,
        failure.error,
        failure.exit_code,
        failure.warnings,
        failure.error_kind,
    )


def load_fleet(
    flags: ClusterFlags,
    selection: Selection,
    *,
    quiet: bool = False,
    notices_on_stderr: bool = True,
    errors_on_stderr: bool = False,
) -> Fleet:
    """Return the selection of every context's cluster, read at once, and say how each went.

    Notices and forbidden reads go to stderr for human outputs, each naming its context;
    json and yaml carry them in the document. A --node that one cluster lacks is a notice
    of that cluster, not an error: the others may have it.
    """

    def read(client: KubeClient, forbidden: ForbiddenReads, progress: Progress) -> Cluster:
        mine = in_context_namespace(selection, client.target.namespace)  # each its own
        cluster = read_cluster(client, mine, forbidden, progress)
        missing = tuple(f'node "{name}" not found' for name in cluster.missing_nodes)
        return replace(cluster, notices=(*cluster.notices, *missing), missing_nodes=())

    members = read_each(flags, read, quiet=quiet)
    report_fleet(members, notices_on_stderr=notices_on_stderr, errors_on_stderr=errors_on_stderr)
    return members


def report_fleet(
    members: Fleet, *, notices_on_stderr: bool = True, errors_on_stderr: bool = False
) -> None:
    """Write each cluster's notices, forbidden reads and (if asked) failure on stderr."""
    for member in members:
        where = f"context {member.context!r}"
        if notices_on_stderr and member.value is not None:
            for notice in member.value.notices:
                click.echo(f"notice: {where}: {notice}", err=True)
        for line in member.warnings:  # as exit_if_partial does, whatever the format
            click.echo(f"warning: {where}: {line}", err=True)
        if errors_on_stderr and member.error is not None:
            click.echo(f"error: {where}: {member.error}", err=True)


def exit_fleet(members: tuple[Member[T], ...]) -> None:
    """End with the fleet's exit code: 4 when some cluster failed, 3 when none answered."""
    code = fleet_exit_code(members)
    if code:
        click.get_current_context().exit(code)
