"""``kube-inspect check``: is this cluster healthy? Rules, expectations, CI reports, --wait.

The command registers itself on the ``cli`` group (``kube_inspect.cli`` imports this
module); errors still become exit codes there, in one place.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import click

from kube_inspect.checks import (
    RULES,
    CheckInput,
    CheckOptions,
    CheckReport,
    run_checks,
    select_rules,
)
from kube_inspect.cli import (
    EXIT_CODES_HELP,
    cli,
    cluster_options,
    exit_if_partial,
    namespace_options,
    parse_request_timeout,
)
from kube_inspect.client import WORKLOAD_RESOURCES, KubeClient, Target
from kube_inspect.errors import EXIT_CHECKS_FAILED, UsageError
from kube_inspect.expectations import Expectation, check_expectations, read_expectations
from kube_inspect.label_selector import object_labels, parse_selector
from kube_inspect.partial import ForbiddenReads
from kube_inspect.render.checks_json import render_check_json
from kube_inspect.render.checks_text import render_check_text
from kube_inspect.render.github import render_github_annotations, render_github_summary
from kube_inspect.render.junit import render_junit

NODE_RULES = frozenset({"node-ready", "node-pressure"})
POD_RULES = frozenset({"pod-pending", "container-state", "container-restarts"})
WATCH_SLICE_SECONDS = 30.0  # re-check at least this often: node changes are not watched
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: str, flag: str) -> float:
    """Return a kubectl-style duration (``90``, ``5m``, ``1m30s``) in seconds."""
    text = value.strip()
    if re.fullmatch(r"\d+", text):
        return float(text)
    if text and _DURATION.sub("", text) == "":
        return sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(text))
    raise UsageError(f"invalid {flag} {value!r}: use a duration such as 30s, 5m or 1m30s")


@dataclass(frozen=True, slots=True)
class Scope:
    """Which objects the check looks at: the filters shared with ``tree``."""

    namespace: str | None
    selector: str | None
    node: str | None


def read_input(
    client: KubeClient,
    scope: Scope,
    rules: tuple[str, ...],
    expectations: tuple[Expectation, ...],
    forbidden: ForbiddenReads,
) -> CheckInput:
    """Return the objects the chosen rules and expectations need, filtered to ``scope``."""
    matches = parse_selector(scope.selector)
    kinds = {e.kind for e in expectations}
    nodes: list[dict[str, Any]] = []
    pods: list[dict[str, Any]] = []
    workloads: list[dict[str, Any]] = []
    if NODE_RULES & set(rules):
        nodes = forbidden.attempt("nodes", client.list_nodes, [], "node rules not checked")
        nodes = [n for n in nodes if scope.node in (None, _name(n))]
    if POD_RULES & set(rules) or "Pod" in kinds:
        pods = forbidden.attempt(
            "pods", lambda: client.list_pods(scope.namespace), [], "pod rules not checked"
        )
        pods = [
            p
            for p in pods
            if matches(object_labels(p)) and scope.node in (None, _spec(p).get("nodeName"))
        ]
    if "workload-ready" in rules or kinds - {"Pod"}:
        for resource in WORKLOAD_RESOURCES:
            found: list[dict[str, Any]] = forbidden.attempt(
                resource,
                functools.partial(client.list_workloads, resource, scope.namespace),
                [],
                f"{resource} not checked",
            )
            workloads.extend(w for w in found if matches(object_labels(w)))
    return CheckInput(tuple(nodes), tuple(pods), tuple(workloads))


def _name(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def evaluate(
    client: KubeClient,
    scope: Scope,
    rules: tuple[str, ...],
    options: CheckOptions,
    expectations: tuple[Expectation, ...],
) -> tuple[CheckReport, ForbiddenReads]:
    """Read the cluster once and return the report, with the reads that were forbidden."""
    forbidden = ForbiddenReads()
    data = read_input(client, scope, rules, expectations, forbidden)
    if forbidden.everything:
        raise forbidden.nothing_readable(sorted(set(forbidden.what)))
    extra = check_expectations(expectations, data)
    return run_checks(data, rules, options, datetime.now(UTC), extra), forbidden


def wait_until_passing(
    client: KubeClient,
    scope: Scope,
    rules: tuple[str, ...],
    options: CheckOptions,
    expectations: tuple[Expectation, ...],
    timeout: float,
) -> tuple[CheckReport, ForbiddenReads]:
    """Return the first passing report, or the last one when ``timeout`` seconds ran out.

    Between two checks it watches the pods in scope (a WATCH, not polling) and re-checks on
    the first change, or after WATCH_SLICE_SECONDS at most.
    """
    deadline = time.monotonic() + timeout
    pods_path = (
        "/api/v1/pods"
        if scope.namespace is None
        else (f"/api/v1/namespaces/{scope.namespace}/pods")
    )
    while True:
        report, forbidden = evaluate(client, scope, rules, options, expectations)
        remaining = deadline - time.monotonic()
        if report.passed or remaining <= 0:
            return report, forbidden
        names = ", ".join(f"{f.object} ({f.rule})" for f in report.failures[:3])
        more = len(report.failures) - 3
        click.echo(
            f"waiting, {remaining:.0f}s left: {len(report.failures)} failing: {names}"
            + (f" and {more} more" if more > 0 else ""),
            err=True,
        )
        client.wait_for_change(pods_path, min(remaining, WATCH_SLICE_SECONDS))


def write_reports(
    report: CheckReport, output: str, junit: str | None, target: Target, warnings: list[str]
) -> None:
    """Write the report to stdout, the JUnit file, and GitHub Actions' outputs when there."""
    header = f"cluster {target.context} at {target.server}"
    if output == "json":
        render_check_json(report, sys.stdout, warnings, target.context, target.server)
    else:
        render_check_text(report, sys.stdout, header)
    if junit:
        try:
            with open(junit, "w", encoding="utf-8") as f:
                render_junit(report, f)
        except OSError as e:
            raise UsageError(f"cannot write --junit file {junit}: {e.strerror}") from e
    if os.environ.get("GITHUB_ACTIONS") == "true":
        render_github_annotations(report, sys.stdout if output != "json" else sys.stderr)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8") as f:
                render_github_summary(report, f, header)


@click.command(epilog=EXIT_CODES_HELP)
@cluster_options
@namespace_options
@click.option(
    "-l",
    "--selector",
    metavar="SELECTOR",
    help="Only pods and workloads with these labels (e.g. app=web,tier!=db).",
)
@click.option("--node", metavar="NAME", help="Only this node and the pods on it.")
@click.option(
    "--rule",
    "only_rules",
    multiple=True,
    metavar="NAME",
    help=f"Run only this rule (repeatable): {', '.join(RULES)}.",
)
@click.option(
    "--skip-rule",
    "skip_rules",
    multiple=True,
    metavar="NAME",
    help="Do not run this rule (repeatable).",
)
@click.option(
    "--max-pending",
    default="5m",
    show_default=True,
    metavar="DURATION",
    help="How long a pod may stay Pending.",
)
@click.option(
    "--max-restarts",
    default=5,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many times a container may have restarted.",
)
@click.option(
    "--expect", "expect_file", metavar="FILE", help="Also check the expectations in this YAML file."
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
    "--junit",
    metavar="FILE",
    help="Also write a JUnit XML report (one test case per rule and object).",
)
def check(
    kubeconfig: str | None,
    context: str | None,
    request_timeout: str,
    namespace: str | None,
    all_namespaces: bool,
    selector: str | None,
    node: str | None,
    only_rules: tuple[str, ...],
    skip_rules: tuple[str, ...],
    max_pending: str,
    max_restarts: int,
    expect_file: str | None,
    wait: bool,
    timeout: str,
    output: str,
    junit: str | None,
) -> None:
    """Check that the cluster is healthy; exit 1 when a check fails (for CI gates).

    \b
    Rules (all on by default):
      node-ready          every node is Ready
      node-pressure       no node under memory, disk or PID pressure
      pod-pending         no pod Pending longer than --max-pending
      container-state     no container in CrashLoopBackOff, ImagePullBackOff,
                          ErrImagePull, CreateContainerConfigError, or OOMKilled
      container-restarts  no container restarted more than --max-restarts times
      workload-ready      every Deployment, StatefulSet and DaemonSet has its
                          desired replicas ready
    Under GITHUB_ACTIONS=true, failures are also printed as annotations and a
    Markdown summary is appended to $GITHUB_STEP_SUMMARY.

    \b
    Examples:
      kube-inspect check                           # the whole cluster
      kube-inspect check -n shop --skip-rule node-ready --skip-rule node-pressure
      kube-inspect check --expect expect.yaml --junit report.xml
      kube-inspect check --wait --timeout 5m       # after a deploy, until healthy
      kube-inspect check -o json | jq '.findings[] | select(.passed | not)'
    """  # noqa: D301 - "\b" must be the backspace character click looks for, not raw text
    try:
        rules = select_rules(only_rules, skip_rules)
    except ValueError as e:
        raise UsageError(str(e)) from e
    options = CheckOptions(parse_duration(max_pending, "--max-pending"), max_restarts)
    wait_seconds = parse_duration(timeout, "--timeout")
    parse_selector(selector)  # a bad selector is a usage error before anything is sent
    expectations = read_expectations(expect_file) if expect_file else ()
    scope = Scope(None if all_namespaces else namespace, selector, node)
    client = KubeClient.from_kubeconfig(kubeconfig, context, parse_request_timeout(request_timeout))
    try:
        if wait:
            report, forbidden = wait_until_passing(
                client, scope, rules, options, expectations, wait_seconds
            )
        else:
            report, forbidden = evaluate(client, scope, rules, options, expectations)
    finally:
        client.close()
    write_reports(report, output, junit, client.target, forbidden.warnings())
    if not report.passed:
        for line in forbidden.warnings():
            click.echo(f"warning: {line}", err=True)
        click.get_current_context().exit(EXIT_CHECKS_FAILED)
    exit_if_partial(forbidden)


cli.add_command(check)
