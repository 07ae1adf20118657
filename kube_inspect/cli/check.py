"""``kube-inspect check``: is this cluster healthy? Rules, expectations, CI reports, --wait.

The command registers itself on the ``cli`` group (``kube_inspect.cli`` imports this
module); errors still become exit codes there, in one place.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace

import click

from kube_inspect.check.expectations import read_expectations
from kube_inspect.check.rules import RULES, CheckOptions, select_rules
from kube_inspect.check.run import (
    CheckPlan,
    evaluate,
    fleet_check_exit_code,
    known_failures,
    wait_until_passing,
)
from kube_inspect.cli.completion import complete_file, complete_from_list
from kube_inspect.cli.fleet import read_each
from kube_inspect.cli.options import (
    FILTER_FLAGS,
    ClusterFlags,
    SelectionFlags,
    cluster_options,
    refuse_flags,
    selection_options,
)
from kube_inspect.cli.reading import client_factory, exit_if_partial
from kube_inspect.errors import EXIT_CHECKS_FAILED, EXIT_CODES_HELP, UsageError
from kube_inspect.interpret.durations import DAY, parse_duration
from kube_inspect.kube.client import KubeClient, Target
from kube_inspect.kube.progress import Progress
from kube_inspect.model.checks import CheckReport
from kube_inspect.model.fleet import Member
from kube_inspect.offline.document import FleetSnapshot, Snapshot, load_any
from kube_inspect.offline.playback import SnapshotClient
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import in_context_namespace
from kube_inspect.render.checks_fleet import (
    fleet_check_dict,
    render_fleet_check_text,
    render_fleet_github_summary,
)
from kube_inspect.render.checks_json import render_check_json
from kube_inspect.render.checks_text import render_check_text
from kube_inspect.render.github import (
    render_fleet_annotations,
    render_github_annotations,
    render_github_summary,
)
from kube_inspect.render.json import write_json
from kube_inspect.render.junit import render_fleet_junit, render_junit


def write_reports(
    report: CheckReport, output: str, junit: str | None, target: Target, warnings: list[str]
) -> None:
    """Write the report to stdout, the JUnit file, and GitHub Actions' outputs when there."""
    header = f"cluster {target.context} at {target.server}"
    # the files first: stdout may be a pipe whose reader is gone, the files must be there
    if junit:
        try:
            with open(junit, "w", encoding="utf-8") as f:
                render_junit(report, f)
        except OSError as e:
            raise UsageError(f"cannot write --junit file {junit}: {e.strerror}") from e
        except ValueError as e:  # a path no file can have, e.g. with a NUL byte
            raise UsageError(f"cannot write --junit file {junit!r}: {e}") from e
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") == "true" and summary:
        with open(summary, "a", encoding="utf-8") as f:
            render_github_summary(report, f, header)
    if output == "json":
        render_check_json(report, sys.stdout, warnings, target.context, target.server)
    else:
        render_check_text(report, sys.stdout, header)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        render_github_annotations(report, sys.stdout if output != "json" else sys.stderr)


def write_fleet_reports(
    members: tuple[Member[CheckReport], ...], output: str, junit: str | None
) -> None:
    """Write many clusters' reports: stdout, the JUnit file, GitHub Actions' outputs."""
    if junit:
        try:
            with open(junit, "w", encoding="utf-8") as f:
                render_fleet_junit(members, f)
        except OSError as e:
            raise UsageError(f"cannot write --junit file {junit}: {e.strerror}") from e
        except ValueError as e:
            raise UsageError(f"cannot write --junit file {junit!r}: {e}") from e
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") == "true" and summary:
        with open(summary, "a", encoding="utf-8") as f:
            render_fleet_github_summary(members, f)
    if output == "json":
        write_json(fleet_check_dict(members), sys.stdout)
    else:
        render_fleet_check_text(members, sys.stdout)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        render_fleet_annotations(members, sys.stdout if output != "json" else sys.stderr)


Known = frozenset[tuple[str, str]]


def baseline_of(path: str, plan: CheckPlan, context: str) -> Known:
    """Return the failures the baseline already had for ``context``'s cluster.

    A one-cluster baseline is that cluster's; from a fleet snapshot, the cluster of the
    same context is (a UsageError when it was not read there).
    """
    source = load_any(path)
    if isinstance(source, FleetSnapshot):
        found = fleet_baseline(source, plan).get(context)
        if found is None:
            raise UsageError(
                f"--baseline {path}: the fleet snapshot did not read context {context!r} "
                f"(it holds {', '.join(source.contexts)})"
            )
        return found
    return _known_in(source, plan)


def fleet_baseline(source: FleetSnapshot, plan: CheckPlan) -> dict[str, Known]:
    """Return, by context, the failures each cluster the fleet snapshot read already had."""
    return {m.context: _known_in(m, plan) for m in source.clusters if isinstance(m, Snapshot)}


def _known_in(snapshot: Snapshot, plan: CheckPlan) -> Known:
    client = SnapshotClient(snapshot)
    try:
        return known_failures(evaluate(client, plan)[0])
    finally:
        client.close()


def in_context(plan: CheckPlan, client: KubeClient) -> CheckPlan:
    """Return the plan as read through ``client``: in its context's namespace, without -n/-A."""
    return replace(plan, selection=in_context_namespace(plan.selection, client.target.namespace))


def check_fleet(
    flags: ClusterFlags,
    plan: CheckPlan,
    wait: float | None,
    output: str,
    junit: str | None,
    baseline: str | None = None,
) -> None:
    """Check every cluster the flags name, at once; exit with the worst of their codes.

    With --wait each cluster waits for itself, in its own thread, within the same timeout.
    With a fleet ``baseline``, each cluster's known failures are those of the cluster of
    the same context in it (none for a context it did not read, said on stderr).
    """
    known: dict[str, Known] | None = None
    if baseline is not None:
        source = load_any(baseline)
        if not isinstance(source, FleetSnapshot):
            raise UsageError(
                f"--baseline {baseline} is one cluster's snapshot: several contexts are "
                "checked against a fleet snapshot (kube-inspect snapshot --context a,b)"
            )
        known = fleet_baseline(source, plan)

    def check_one(client: KubeClient, forbidden: ForbiddenReads, progress: Progress) -> CheckReport:
        context = client.target.context
        mine = in_context(plan, client)
        if known is not None:
            if context not in known:
                click.echo(
                    f"notice: context {context!r}: not read in the baseline: every failure counts",
                    err=True,
                )
            mine = replace(plan, known=known.get(context, frozenset()))
        if wait is None:
            report, _ = evaluate(client, mine, forbidden)
            return report
        report, seen = wait_until_passing(
            client, mine, wait, lambda line: click.echo(f"{context}: {line}", err=True)
        )
        forbidden.merge(seen)
        return report

    members = read_each(flags, check_one, quiet=True)
    write_fleet_reports(members, output, junit)
    for member in members:
        for line in member.warnings:
            click.echo(f"warning: context {member.context!r}: {line}", err=True)
    code = fleet_check_exit_code(members)
    if code:
        click.get_current_context().exit(code)


# check's --help: the rules it runs, and how it ends
CHECK_HELP = """Check that the cluster is healthy; exit 1 when a check fails (for CI gates).

\b
Rules (all on by default):
  node-ready          every node is Ready
  node-pressure       no node under memory, disk or PID pressure
  pod-pending         no pod Pending longer than --max-pending
  pod-claims          no pod on a Lost or missing PersistentVolumeClaim, nor
                      on one Pending longer than --max-pending, nor on a
                      ResourceClaim missing or holding a device gone from its
                      ResourceSlice (DRA)
  container-state     no container in CrashLoopBackOff, ImagePullBackOff,
                      ErrImagePull, CreateContainerConfigError, or OOMKilled
  container-restarts  no container restarted more than --max-restarts times
  workload-ready      every Deployment, StatefulSet and DaemonSet rolled out
                      as `kubectl rollout status` judges it, and has its
                      desired replicas ready; a failure names the rollout's
                      state and its pods' problems
With --node, --node-selector or --field-selector, only the workloads that
own a selected pod are judged.
Under GITHUB_ACTIONS=true, failures are also printed as annotations and a
Markdown summary is appended to $GITHUB_STEP_SUMMARY.

\b
Several contexts (--context a,b or --all-contexts) are checked at once; every
report names the cluster of each case, and the exit code is the worst: 1 if a
check failed anywhere, else 4 if a cluster was not read, 3 if none was.

\b
Examples:
  kube-inspect check                           # the whole cluster
  kube-inspect check -n shop --skip-rule node-ready --skip-rule node-pressure
  kube-inspect check --expect expect.yaml --junit report.xml
  kube-inspect check --wait --timeout 5m       # after a deploy, until healthy
  kube-inspect check -o json | jq '.findings[] | select(.passed | not)'
  kube-inspect check --context prod,staging --junit report.xml
  kube-inspect snapshot -o before.json.gz      # then deploy, then:
  kube-inspect check --baseline before.json.gz # only what the deploy broke
  kube-inspect check --from journal.sqlite --since -10m  # what broke since
"""


@click.command(help=CHECK_HELP, epilog=EXIT_CODES_HELP)
@cluster_options
@selection_options
@click.option(
    "--rule",
    "only_rules",
    multiple=True,
    metavar="NAME",
    shell_complete=complete_from_list(RULES),
    help=f"Run only this rule (repeatable): {', '.join(RULES)}.",
)
@click.option(
    "--skip-rule",
    "skip_rules",
    multiple=True,
    metavar="NAME",
    shell_complete=complete_from_list(RULES),
    help="Do not run this rule (repeatable).",
)
@click.option(
    "--max-pending",
    default="5m",
    show_default=True,
    metavar="DURATION",
    help="How long a pod may stay Pending (and wait on a Pending claim).",
)
@click.option(
    "--max-restarts",
    default=5,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many times a container may have restarted.",
)
@click.option(
    "--expect",
    "expect_file",
    metavar="FILE",
    shell_complete=complete_file,
    help="Also check the expectations in this YAML file.",
)
@click.option(
    "--wait", is_flag=True, help="Re-check on every change until all pass or --timeout runs out."
)
@click.option(
    "--timeout", default="5m", show_default=True, metavar="DURATION", help="How long --wait waits."
)
@click.option(
    "-o",
    "--output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--baseline",
    metavar="FILE",
    shell_complete=complete_file,
    help="Fail only on problems that were not already failing in this snapshot "
    "(or kubectl List): did the deploy break anything not already broken? A fleet "
    "snapshot gives each context the cluster of the same context in it.",
)
@click.option(
    "--junit",
    metavar="FILE",
    shell_complete=complete_file,
    help="Also write a JUnit XML report (one test case per rule and object).",
)
@click.option(
    "--since",
    metavar="TIME",
    help="With --from JOURNAL: fail only on problems that appeared since TIME (-10m, or "
    "2026-12-06T03:00:00Z): what the rules find at the journal's end and did not then, and "
    "every object that became unhealthy in between (rule appeared-since).",
)
def check(
    cluster: ClusterFlags,
    selection: SelectionFlags,
    only_rules: tuple[str, ...],
    skip_rules: tuple[str, ...],
    max_pending: str,
    max_restarts: int,
    expect_file: str | None,
    wait: bool,
    timeout: str,
    output: str,
    junit: str | None,
    baseline: str | None,
    since: str | None,
) -> None:
    """Check the selection once, or until it passes (--wait); exit 1 when a check fails."""
    refuse_flags(
        selection,
        set(FILTER_FLAGS),
        "check: it checks every object of the selection (--problems and --sort are tree's)",
    )
    try:
        rules = select_rules(only_rules, skip_rules)
    except ValueError as e:
        raise UsageError(str(e)) from e
    options = CheckOptions(
        parse_duration(max_pending, "--max-pending", maximum=100 * 365 * DAY), max_restarts
    )
    wait_seconds = parse_duration(timeout, "--timeout")
    given = click.get_current_context().get_parameter_source("timeout")
    if given is not click.core.ParameterSource.DEFAULT and not wait:
        raise UsageError("--timeout says how long --wait waits: add --wait, or leave it out")
    if not rules and not expect_file:
        raise UsageError("no rule left to run: --rule and --skip-rule leave none, and no --expect")
    if wait and cluster.from_file is not None:
        raise UsageError("--wait watches a live cluster: it does not go with --from")
    plan = CheckPlan(
        selection.selection,
        rules,
        options,
        read_expectations(expect_file) if expect_file else (),
    )
    if since is not None:
        if wait or baseline is not None:
            raise UsageError("--since compares with the journal itself: drop --wait and --baseline")
        from kube_inspect.cli.check_since import check_since  # reads a journal: only then

        report, forbidden, target = check_since(cluster, plan, since)
        write_reports(report, output, junit, target, forbidden.warnings())
        if not report.passed:
            click.get_current_context().exit(EXIT_CHECKS_FAILED)
        exit_if_partial(forbidden)
        return
    run = check_fleet if cluster.fleet else check_cluster
    run(cluster, plan, wait_seconds if wait else None, output, junit, baseline)


def check_cluster(
    flags: ClusterFlags,
    plan: CheckPlan,
    wait: float | None,
    output: str,
    junit: str | None,
    baseline: str | None = None,
) -> None:
    """Check the one cluster the flags name (for ``wait`` seconds at most with --wait).

    Exit 1 when a check fails, else 4 when part of it could not be read.
    """
    client = client_factory()(flags)
    plan = in_context(plan, client)
    try:
        if baseline is not None:
            plan = replace(plan, known=baseline_of(baseline, plan, client.target.context))
        if wait is not None:
            report, forbidden = wait_until_passing(
                client, plan, wait, lambda line: click.echo(line, err=True)
            )
        else:
            report, forbidden = evaluate(client, plan)
    finally:
        client.close()
    write_reports(report, output, junit, client.target, forbidden.warnings())
    if not report.passed:
        for line in forbidden.warnings():
            click.echo(f"warning: {line}", err=True)
        click.get_current_context().exit(EXIT_CHECKS_FAILED)
    exit_if_partial(forbidden)
