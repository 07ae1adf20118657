"""Run ``check`` on the cluster the flags name, or on each of several at once (a fleet).

Once, or with --wait until it passes; against --baseline's known failures when given.
The command (cli/check.py) fills one CheckRun from its flags and hands it here whole.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import click

from kube_inspect.check.run import (
    CheckPlan,
    evaluate,
    fleet_check_exit_code,
    wait_until_passing,
)
from kube_inspect.cli.check_baseline import Known, baseline_of, fleet_baseline_of
from kube_inspect.cli.check_reports import ReportFlags, write_fleet_reports, write_reports
from kube_inspect.cli.fleet import read_each
from kube_inspect.cli.options import ClusterFlags
from kube_inspect.cli.reading import client_factory, exit_if_partial, warn_forbidden
from kube_inspect.errors import EXIT_CHECKS_FAILED
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.progress import Progress
from kube_inspect.model.checks import CheckReport
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.plan import plan_reads
from kube_inspect.read.selection import in_context_namespace


@dataclass(frozen=True, slots=True)
class CheckRun:
    """One ``check`` as its flags asked for it: which clusters, what, how long, where to.

    ``wait`` is --wait's timeout in seconds (None: check once); ``baseline`` is the
    --baseline file whose failures are known already.
    """

    cluster: ClusterFlags
    plan: CheckPlan
    reports: ReportFlags
    wait: float | None = None
    baseline: str | None = None


def in_context(plan: CheckPlan, client: KubeClient) -> CheckPlan:
    """Return the plan as read through ``client``: in its context's namespace, without -n/-A."""
    return replace(plan, selection=in_context_namespace(plan.selection, client.target.namespace))


def check_cluster(run: CheckRun) -> None:
    """Check the one cluster the flags name (for ``run.wait`` seconds at most with --wait).

    Exit 1 when a check fails, else 4 when part of it could not be read.
    """
    # the connections its read needs open while the rest of start-up runs (kube/opening.py)
    client = client_factory()(run.cluster, plan_reads(run.plan.selection).connections)
    plan = in_context(run.plan, client)
    try:
        if run.baseline is not None:
            plan = replace(plan, known=baseline_of(run.baseline, plan, client.target.context))
        if run.wait is not None:
            report, forbidden = wait_until_passing(
                client, plan, run.wait, lambda line: click.echo(line, err=True)
            )
        else:
            report, forbidden = evaluate(client, plan)
    finally:
        client.close()
    write_reports(report, run.reports, client.target, forbidden.warnings())
    if not report.passed:
        warn_forbidden(forbidden)
        click.get_current_context().exit(EXIT_CHECKS_FAILED)
    exit_if_partial(forbidden)


def check_fleet(run: CheckRun) -> None:
    """Check every cluster the flags name, at once; exit with the worst of their codes.

    With --wait each cluster waits for itself, in its own thread, within the same timeout.
    With a fleet ``baseline``, each cluster's known failures are those of the cluster of
    the same context in it (none for a context it did not read, said on stderr).
    """
    plan, wait = run.plan, run.wait
    known: dict[str, Known] | None = None
    if run.baseline is not None:
        known = fleet_baseline_of(run.baseline, plan)

    def check_one(client: KubeClient, forbidden: ForbiddenReads, progress: Progress) -> CheckReport:
        context = client.target.context
        mine = in_context(plan, client)
        if known is not None:
            if context not in known:
                click.echo(
                    f"notice: context {context!r}: not read in the baseline: every failure counts",
                    err=True,
                )
            mine = replace(mine, known=known.get(context, frozenset()))
        if wait is None:
            report, _ = evaluate(client, mine, forbidden)
            return report
        report, seen = wait_until_passing(
            client, mine, wait, lambda line: click.echo(f"{context}: {line}", err=True)
        )
        forbidden.merge(seen)
        return report

    members = read_each(run.cluster, check_one, quiet=True)
    write_fleet_reports(members, run.reports)
    for member in members:
        for line in member.warnings:
            click.echo(f"warning: context {member.context!r}: {line}", err=True)
    code = fleet_check_exit_code(members)
    if code:
        click.get_current_context().exit(code)
