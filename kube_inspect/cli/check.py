"""``kube-inspect check``: is this cluster healthy? Rules, expectations, CI reports, --wait.

The command registers itself on the ``cli`` group (``kube_inspect.cli`` imports this
module); errors still become exit codes there, in one place. It turns its flags into one
CheckRun, run on one cluster or a fleet (cli/check_run.py); the reports are written by
cli/check_reports.py, --baseline read by cli/check_baseline.py.
"""

from __future__ import annotations

import click

from kube_inspect.check.expectations import read_expectations
from kube_inspect.check.rules import RULES, CheckOptions, select_rules
from kube_inspect.check.run import CheckPlan
from kube_inspect.cli.check_reports import ReportFlags, write_reports
from kube_inspect.cli.check_run import CheckRun, check_cluster, check_fleet
from kube_inspect.cli.completion import complete_file, complete_from_list
from kube_inspect.cli.options import (
    FILTER_FLAGS,
    ClusterFlags,
    SelectionFlags,
    cluster_options,
    refuse_flags,
    selection_options,
)
from kube_inspect.cli.output_flags import report_output_option
from kube_inspect.cli.reading import exit_if_partial
from kube_inspect.errors import EXIT_CHECKS_FAILED, EXIT_CODES_HELP, UsageError
from kube_inspect.interpret.durations import DAY, parse_duration

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
@report_output_option
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
    run = CheckRun(
        cluster, plan, ReportFlags(output, junit), wait_seconds if wait else None, baseline
    )
    if since is not None:
        check_journal_since(run, since)
    elif cluster.fleet:
        check_fleet(run)
    else:
        check_cluster(run)


def check_journal_since(run: CheckRun, since: str) -> None:
    """Check what appeared in the --from journal since ``since``; exit 1 when a check fails."""
    if run.wait is not None or run.baseline is not None:
        raise UsageError("--since compares with the journal itself: drop --wait and --baseline")
    from kube_inspect.cli.check_since import check_since  # reads a journal: only then

    report, forbidden, target = check_since(run.cluster, run.plan, since)
    write_reports(report, run.reports, target, forbidden.warnings())
    if not report.passed:
        click.get_current_context().exit(EXIT_CHECKS_FAILED)
    exit_if_partial(forbidden)
