"""Reading for commands: the client factory, one read of the selection, notices on stderr."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

import click

from kube_inspect.cli.moments import is_journal, journal_moment
from kube_inspect.cli.options import ClusterFlags
from kube_inspect.errors import EXIT_PARTIAL, SnapshotError, UsageError
from kube_inspect.interpret.words import printable
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.plan import plan_reads
from kube_inspect.read.selection import Selection, in_context_namespace
from kube_inspect.render.progress import ProgressLine

if TYPE_CHECKING:  # imported once the connections are opening (kubeconfig_client)
    from kube_inspect.kube.client import KubeClient

ClientFactory = Callable[[ClusterFlags], "KubeClient"]  # as tests hand them in


class Connect(Protocol):
    """Make the client of the flags' cluster, ``connections`` opening ahead."""

    def __call__(self, flags: ClusterFlags, connections: int = 1) -> KubeClient:
        """Return the client (from the kubeconfig, the --from file, or the test's factory)."""


def kubeconfig_client(
    flags: ClusterFlags, connections: int = 1, user_agent: str | None = None
) -> KubeClient:
    """Return a client for the cluster the flags name (the factory used outside tests).

    ``connections`` start opening as soon as the kubeconfig is read, each in a thread
    (kube/opening.py): the client's modules and the read path are imported while the TCP
    and TLS handshakes go on, and the reads sent at once each find one open. The client
    asks for the server's version at once, on the first (``warm_up``). ``user_agent``
    (record's) replaces kube-inspect's in every request, that first one included.

    A context with ``insecure-skip-tls-verify`` (or the flag) asked for unverified TLS:
    urllib3 would warn of it on every request, with a site-packages path; kubectl says
    nothing, and neither does kube-inspect.
    """
    warnings.filterwarnings("ignore", message="Unverified HTTPS request", module="urllib3")
    from kube_inspect.kube.opening import connect

    client = connect(
        flags.kubeconfig, flags.context, flags.request_timeout, flags.overrides, connections
    )
    client.wire = flags.wire
    client.user_agent = user_agent  # set before the warm-up sends anything
    # whatever the credentials (token, certificate, exec plugin, auth-provider): the
    # TCP and TLS handshakes overlap the rest of start-up instead of following it
    client.warm_up()
    return client


def default_namespace(flags: ClusterFlags) -> str | None:
    """Return where kubectl looks for a named pod without -n: the context's namespace.

    "default" when the context names none, as kubectl; None for --from (no context).
    """
    if flags.from_file is not None:
        return None
    from kube_inspect.kube.connection import context_entries

    entries = context_entries(flags.kubeconfig, flags.context, flags.overrides)
    return entries.namespace or "default"


def snapshot_client(flags: ClusterFlags) -> KubeClient:
    """Return a client that answers from the --from file (read when the flags were parsed).

    A file named some other way (diff's BEFORE, check's --baseline) is read now, whole.
    """
    from kube_inspect.offline.document import (  # only --from reads a file
        ONE_CLUSTER_ONLY,
        FleetSnapshot,
        fleet_refused,
        load_source,
    )
    from kube_inspect.offline.playback import SnapshotClient

    assert flags.from_file is not None
    if is_journal(flags.from_file) and (flags.loaded is None or flags.loaded[0] != flags.from_file):
        # read now, to say why it could not be read when the flags were parsed
        return SnapshotClient(journal_moment(flags.from_file, flags.context, flags.at))
    if flags.loaded is not None and flags.loaded[0] == flags.from_file:
        source = flags.loaded[1]
        if isinstance(source, FleetSnapshot):
            raise SnapshotError(fleet_refused(flags.from_file, source, ONE_CLUSTER_ONLY))
        return SnapshotClient(source)
    return SnapshotClient(load_source(flags.from_file))


def client_factory(user_agent: str | None = None) -> Connect:
    """Return the factory the invocation was given (tests hand in recorded clients).

    With --from, the client answers from the file whatever the factory. ``user_agent``
    names the command to the API server (see kubeconfig_client).
    """
    ctx = click.get_current_context()
    found = ctx.find_object(dict)
    given: ClientFactory | None = (found or {}).get("client_factory")

    def make(flags: ClusterFlags, connections: int = 1) -> KubeClient:
        if flags.from_file is not None:
            return snapshot_client(flags)
        if flags.at:
            raise UsageError("--at reads a journal: give it with --from JOURNAL")
        if given is not None:  # a recorded client: nothing to open
            return given(flags)
        return kubeconfig_client(flags, connections, user_agent)

    return make


@contextmanager
def connected(flags: ClusterFlags, connections: int = 1) -> Iterator[KubeClient]:
    """Yield a client for the flags' cluster, ``connections`` opening; close it after."""
    client = client_factory()(flags, connections)
    try:
        yield client
    finally:
        client.close()


def load_cluster(
    flags: ClusterFlags,
    selection: Selection,
    forbidden: ForbiddenReads,
    *,
    quiet: bool = False,
    notices_on_stderr: bool = True,
    say_no_pods: bool = True,
) -> Cluster:
    """Return the selection of the cluster, read once; forbidden reads noted in ``forbidden``.

    Notices go to stderr for human outputs (json and yaml carry them in the document).
    """
    with connected(flags, plan_reads(selection).connections) as client:
        from kube_inspect.read.cluster import read_cluster  # while the connections open

        progress = ProgressLine.for_stream(sys.stderr, quiet)
        selection = in_context_namespace(selection, client.target.namespace)
        cluster = read_cluster(client, selection, forbidden, progress)
    report_read(cluster, selection, notices_on_stderr=notices_on_stderr, say_no_pods=say_no_pods)
    return cluster


def report_read(
    cluster: Cluster, selection: Selection, *, notices_on_stderr: bool, say_no_pods: bool = True
) -> None:
    """Say on stderr what the read found worth knowing; nodes asked for and absent are errors."""
    if cluster.missing_nodes:
        name = cluster.missing_nodes[0]
        raise UsageError(f'node "{name}" not found: see kubectl get nodes')
    if notices_on_stderr:
        for notice in cluster.notices:
            click.echo(f"notice: {printable(notice)}", err=True)
    if say_no_pods and selection.namespace and not cluster.pods and "pods" not in cluster.unread:
        click.echo(f"No pods found in {selection.namespace} namespace.", err=True)


def say_partial_sums(cluster: Cluster) -> None:
    """Say on stderr what ``*`` marks on nodes' figures, when some are sums of some pods."""
    from kube_inspect.render.cells import partial_legend

    legend = partial_legend(cluster)
    if legend is not None:
        click.echo(f"notice: {legend}", err=True)


def warn_forbidden(forbidden: ForbiddenReads) -> None:
    """Warn on stderr about each forbidden read: one line each, what is missing."""
    for line in forbidden.warnings():
        click.echo(f"warning: {printable(line)}", err=True)


def exit_if_partial(forbidden: ForbiddenReads) -> None:
    """Warn on stderr about each forbidden read and exit with EXIT_PARTIAL, if there was one."""
    if not forbidden:
        return
    warn_forbidden(forbidden)
    click.get_current_context().exit(EXIT_PARTIAL)
