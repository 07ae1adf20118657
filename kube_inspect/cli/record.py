"""`kube-inspect record`: keep a journal of the cluster, to ask later what it was at any moment."""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import FrameType

import click

from kube_inspect.cli.completion import complete_file
from kube_inspect.cli.options import (
    FILTER_FLAGS,
    ClusterFlags,
    SelectionFlags,
    cluster_options,
    parse_duration,
    refuse_flags,
    refuse_fleet,
    selection_options,
)
from kube_inspect.cli.reading import client_factory, exit_if_partial
from kube_inspect.cli.snapshot import selection_record
from kube_inspect.errors import EXIT_CODES_HELP, UsageError
from kube_inspect.interpret.words import printable
from kube_inspect.journal.differences import recorded_reads
from kube_inspect.journal.recorder import Recorder, RecordOptions
from kube_inspect.journal.store import open_journal
from kube_inspect.kube.client import USER_AGENT
from kube_inspect.model.journal import DEFAULT_JOURNAL
from kube_inspect.read.selection import in_context_namespace

_DAYS = re.compile(r"(\d+)d(.*)")
_YEAR = 366 * 86400.0


def parse_keep(value: str) -> timedelta:
    """Return a retention (``7d``, ``36h``, ``1d12h``) as a timedelta; UsageError otherwise."""
    found = _DAYS.fullmatch(value.strip())
    days, rest = (int(found[1]), found[2]) if found else (0, value)
    wrong = UsageError(f"invalid --keep {value!r}: use a duration such as 7d, 36h or 1d12h")
    try:
        seconds = days * 86400.0 + (parse_duration(rest, "--keep", _YEAR) if rest else 0.0)
    except UsageError:
        raise wrong from None
    if seconds <= 0:
        raise wrong
    return timedelta(seconds=seconds)


@click.command(epilog=EXIT_CODES_HELP)
@cluster_options
@selection_options
@click.option(
    "--journal",
    "path",
    default=DEFAULT_JOURNAL,
    show_default=True,
    metavar="FILE",
    shell_complete=complete_file,
    help="The journal to append to: an SQLite file (made if absent) or a postgresql:// URL.",
)
@click.option(
    "--keep",
    metavar="DURATION",
    help="Drop what only a moment older than DURATION needs (e.g. 7d, 36h); default: keep all.",
)
@click.option(
    "--metrics-interval",
    default="60s",
    show_default=True,
    metavar="DURATION",
    help="How often to record usage (metrics.k8s.io, when served); 0: never.",
)
def record(
    cluster: ClusterFlags,
    selection: SelectionFlags,
    path: str,
    keep: str | None,
    metrics_interval: str,
) -> None:
    """Record every change of the cluster in a journal, until stopped (Ctrl-C or SIGTERM).

    Lists, then watches, all that a snapshot holds (nodes, pods, their owners and
    workloads, claims, events, usage at an interval) and appends each change to the
    journal, as a snapshot keeps it (no secret). Only get, list and watch are sent.
    A watch that breaks (a network cut, an API server restart) is a gap in the journal,
    said on stderr, until the resource is listed again; the differences that list finds
    are recorded, never more. Stopped and started again, it records the time it was not
    running as a gap. Every view then reads the journal at any moment it covers with
    --from FILE --at TIME.

    \b
    Examples:
      kube-inspect record --journal prod.sqlite --keep 7d &
      kube-inspect record -n shop --journal shop.sqlite
      kube-inspect tree --from prod.sqlite --at 2026-12-06T03:00:00Z
      kube-inspect check --from prod.sqlite --at -2h
      kube-inspect diff prod.sqlite --at -2h --at -1h
    """
    _refuse_what_record_cannot_do(cluster, selection)
    options = RecordOptions(
        keep=None if keep is None else parse_keep(keep),
        metrics_interval=parse_duration(metrics_interval, "--metrics-interval") or float("inf"),
    )
    # its requests told apart in an audit log, from the first (the warm-up's /version) on
    client = client_factory(user_agent=f"{USER_AGENT} record")(cluster)
    chosen = in_context_namespace(selection.selection, client.target.namespace)
    journal = open_journal(path, create=True)

    def say(line: str) -> None:
        if not selection.quiet:
            click.echo(f"record: {printable(line)}", err=True)

    recorder = Recorder(client, journal, recorded_reads(chosen), options, say)
    try:
        with _stopped_by_signals(recorder.stop):
            recorder.start(selection_record(chosen))
            say(_started(recorder, path))
            recorder.run()
        say(f"stopped: {recorder.tally.changes} changes recorded in {path}")
    finally:
        recorder.stop.set()
        journal.close()
        client.close()
    exit_if_partial(recorder.forbidden)


def _refuse_what_record_cannot_do(cluster: ClusterFlags, selection: SelectionFlags) -> None:
    """Raise UsageError for a flag record cannot follow: a filter, a fleet, --from."""
    refuse_flags(
        selection,
        set(FILTER_FLAGS) - {"node_names"},
        "record: it follows every object of the selection (give --node to the view)",
    )
    refuse_fleet(cluster, "record (one recorder per cluster, all writing to one journal)")
    if cluster.from_file is not None:
        raise UsageError("record reads a live cluster: it does not go with --from")


def _started(recorder: Recorder, path: str) -> str:
    counts = ", ".join(f"{n} {r}" for r, n in sorted(recorder.tally.by_resource.items()))
    return f"listed {counts or 'nothing'} into {path}; watching (Ctrl-C to stop)"


@contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """Within the block, Ctrl-C and SIGTERM set ``stop``: the recorder commits, then ends."""

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    before = {signum: signal.signal(signum, handle) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
