"""``check --from JOURNAL --since TIME``: fail on the problems that appeared since TIME."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from kube_inspect.check.run import CheckPlan, evaluate, known_failures
from kube_inspect.check.since import appeared_findings, with_appeared
from kube_inspect.cli.history import opened, parse_when
from kube_inspect.cli.options import ClusterFlags
from kube_inspect.errors import UsageError
from kube_inspect.interpret.history import KINDS
from kube_inspect.interpret.problems import journal_problems
from kube_inspect.journal.moment import one_span
from kube_inspect.journal.store import Journal, is_journal
from kube_inspect.journal.window import window_changes
from kube_inspect.kube.client import Target
from kube_inspect.model.checks import CheckReport
from kube_inspect.offline.document import Snapshot
from kube_inspect.offline.playback import SnapshotClient
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import in_context_namespace


def _evaluated(snapshot: Snapshot, plan: CheckPlan) -> tuple[CheckReport, ForbiddenReads, Target]:
    client = SnapshotClient(snapshot)
    try:
        mine = replace(plan, selection=in_context_namespace(plan.selection, None))
        report, forbidden = evaluate(client, mine)
        return report, forbidden, client.target
    finally:
        client.close()


def _since_in(
    journal: Journal, flags: ClusterFlags, plan: CheckPlan, since: datetime
) -> tuple[CheckReport, ForbiddenReads, Target]:
    span = one_span(journal.target, journal.spans(), flags.context)
    end = flags.at[0] if flags.at else span.last_at
    known: frozenset[tuple[str, str]] = frozenset()
    if since > span.first_at:  # before the journal began, nothing was known to fail
        then = journal.snapshot_at(span.cluster, min(since, end))
        known = known_failures(_evaluated(then, plan)[0])
    after = journal.snapshot_at(span.cluster, end)
    report, forbidden, target = _evaluated(after, replace(plan, known=known))
    changes = window_changes(journal, span.cluster, since, end, KINDS)
    problems = journal_problems(changes, since, end)
    findings = appeared_findings(problems, plan.selection.namespace)
    return with_appeared(report, findings), forbidden, target


def check_since(
    flags: ClusterFlags, plan: CheckPlan, since: str
) -> tuple[CheckReport, ForbiddenReads, Target]:
    """Return the report of the journal --from names: what appeared since ``since``.

    The window ends at --at when given, else at the journal's last moment.
    """
    source = flags.from_file
    if source is None or not is_journal(source):
        raise UsageError(
            "--since asks a journal what appeared since TIME: give --from JOURNAL "
            "(kube-inspect record writes one)"
        )
    when = parse_when(since, "--since", datetime.now(UTC))
    with opened(source) as journal:
        return _since_in(journal, flags, plan, when)
