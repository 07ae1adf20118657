"""``kube-inspect history``: what happened to a pod, node or workload, read from a journal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click

from kube_inspect.cli.completion import complete_file
from kube_inspect.cli.moments import parse_at
from kube_inspect.cli.output_flags import report_output_option
from kube_inspect.errors import EXIT_CODES_HELP, UsageError
from kube_inspect.interpret.history import KINDS, RESOURCES, tell_history
from kube_inspect.interpret.names import check_name
from kube_inspect.interpret.problems import journal_problems
from kube_inspect.journal.events import events_named_after
from kube_inspect.journal.moment import one_span
from kube_inspect.journal.store import Journal, JournalError, open_journal
from kube_inspect.journal.window import window_changes
from kube_inspect.model.history import History
from kube_inspect.model.journal import DEFAULT_JOURNAL, ObjectKey
from kube_inspect.render.history import (
    history_document,
    problems_document,
    render_history_text,
    render_problems_text,
)
from kube_inspect.render.json import write_json

EVENT_SLACK = timedelta(minutes=1)  # an event about an object may be seen just before it


def parse_when(value: str, flag: str, now: datetime) -> datetime:
    """Return a time as ``--at`` takes it (``-1h``, or 2026-12-06T03:00:00Z), for ``flag``."""
    try:
        return parse_at(value, now)
    except UsageError:
        raise UsageError(
            f"invalid {flag} {value!r}: use a time such as 2026-12-06T03:00:00Z or a time ago "
            "such as -1h"
        ) from None


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """What ``history`` was asked: one object (or every problem), a window, an output."""

    key: ObjectKey | None
    cluster: str | None
    since: datetime | None
    until: datetime | None
    output: str


def object_key(reference: str, namespace: str) -> ObjectKey:
    """Return the journal key of ``KIND/NAME`` (kubectl's kind words); UsageError otherwise."""
    kind, slash, name = reference.partition("/")
    resource = RESOURCES.get(kind.lower())
    if not slash or not name or resource is None:
        raise UsageError(
            f"history wants KIND/NAME, e.g. pod/web, with KIND one of "
            f"{', '.join(k.lower() for k in KINDS.values())}: not {reference!r}"
        )
    check_name(name, f"{KINDS[resource].lower()} name")
    return ObjectKey(resource, None if resource == "nodes" else namespace, name)


@contextmanager
def opened(source: str) -> Iterator[Journal]:
    """Yield the journal ``source`` names, closed afterwards."""
    journal = open_journal(source)
    try:
        yield journal
    finally:
        journal.close()


def read_history(journal: Journal, query: HistoryQuery) -> History:
    """Return the story of the query's object; JournalError when the journal has none of it."""
    assert query.key is not None
    cluster = one_span(journal.target, journal.spans(), query.cluster).cluster
    own = list(journal.changes(cluster, key=query.key))
    if not own:
        where = f" in namespace {query.key.namespace}" if query.key.namespace else ""
        kind = KINDS[query.key.resource].lower()
        raise JournalError(f"{journal.target} holds nothing about {kind} {query.key.name}{where}")
    # events about it come after its first change, and are named after it
    first = own[0].observed_at - EVENT_SLACK
    key = query.key
    events = events_named_after(journal, cluster, key.namespace, key.name, first)
    history = tell_history(cluster, query.key, own, events, journal.gaps(cluster))
    kept = tuple(
        m
        for m in history.moments
        if (query.since is None or m.at >= query.since)
        and (query.until is None or m.at <= query.until)
    )
    return History(
        history.cluster, history.kind, history.namespace, history.name, kept, history.gaps
    )


def write_history(journal: Journal, query: HistoryQuery) -> None:
    """Write the query's story, or its window's problems, to stdout."""
    if query.key is not None:
        history = read_history(journal, query)
        if query.output == "json":
            write_json(history_document(history), sys.stdout)
        else:
            render_history_text(history, sys.stdout)
        return
    cluster = one_span(journal.target, journal.spans(), query.cluster).cluster
    changes = window_changes(journal, cluster, query.since, query.until, KINDS)
    problems = journal_problems(changes, query.since, query.until)
    if query.output == "json":
        write_json(problems_document(cluster, query.since, query.until, problems), sys.stdout)
    else:
        render_problems_text(cluster, query.since, query.until, problems, sys.stdout)


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("reference", metavar="KIND/NAME", required=False)
@click.option(
    "-n", "--namespace", default="default", show_default=True, help="The object's namespace."
)
@click.option(
    "--from",
    "source",
    default=DEFAULT_JOURNAL,
    show_default=True,
    metavar="JOURNAL",
    shell_complete=complete_file,
    help="The journal `kube-inspect record` wrote: an SQLite file or a postgresql:// URL.",
)
@click.option(
    "--context",
    "cluster",
    metavar="NAME",
    help="Which recorded cluster, when the journal holds several.",
)
@click.option("--since", metavar="TIME", help="From this time on: 2026-12-06T03:00:00Z, or -1h.")
@click.option("--until", metavar="TIME", help="Up to this time (same forms as --since).")
@click.option("--problems", is_flag=True, help="Every object that became unhealthy, when and why.")
@report_output_option
def history(
    reference: str | None,
    namespace: str,
    source: str,
    cluster: str | None,
    since: str | None,
    until: str | None,
    problems: bool,
    output: str,
) -> None:
    """Tell what happened to a pod, node or workload, in order, from a journal.

    Reads the journal `kube-inspect record` keeps: each phase, container state (with
    its reason and exit code), restart and OOM kill with its time, move to another
    node (the same name recreated with a new uid), readiness change, the events about
    it (kept after the API server deleted them), and a node's cordons and taints. Times
    are the API server's own where it wrote one; a ~ marks a time only the recorder saw.
    With --problems, every object that became unhealthy in the window, when and why,
    as the tree judges health.

    \b
    KIND is pod, node, deployment, statefulset, daemonset or job (kubectl's short
    names too: po, no, deploy, sts, ds).

    \b
    Examples:
      kube-inspect history pod/web -n shop --from prod.sqlite
      kube-inspect history node/worker-3 --since 2026-12-06T02:00:00Z
      kube-inspect history deployment/api -n shop -o json
      kube-inspect history --problems --since -1h --from prod.sqlite
      kube-inspect history pod/web --from postgresql://journal@db/kube
    """
    if (reference is None) != problems:
        raise UsageError("history wants KIND/NAME, or --problems (not both)")
    now = datetime.now(UTC)
    query = HistoryQuery(
        key=None if reference is None else object_key(reference, namespace),
        cluster=cluster,
        since=None if since is None else parse_when(since, "--since", now),
        until=None if until is None else parse_when(until, "--until", now),
        output=output,
    )
    with opened(source) as journal:
        write_history(journal, query)
