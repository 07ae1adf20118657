"""Run ``kube-inspect check`` on a cluster: read it through the one read path, check, --wait.

I/O through the client only; the rules themselves are pure (``rules``, ``expectations``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from kube_inspect.check.expectations import Expectation, check_expectations
from kube_inspect.check.rules import CheckOptions, rollout_gave_up, run_checks
from kube_inspect.errors import EXIT_CHECKS_FAILED, EXIT_OK, EXIT_PARTIAL, Forbidden, NotFound
from kube_inspect.interpret.rollouts import owning_workloads
from kube_inspect.kube.client import WORKLOAD_RESOURCES, KubeClient
from kube_inspect.model.checks import CheckReport, Finding
from kube_inspect.model.cluster import Cluster
from kube_inspect.model.fleet import Member
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.fleet import fleet_exit_code
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import Selection
from kube_inspect.read.watch import pods_path

NODE_RULES = frozenset({"node-ready", "node-pressure"})
WATCH_SLICE_SECONDS = 30.0  # re-check at least this often: node changes are not watched


@dataclass(frozen=True, slots=True)
class CheckPlan:
    """What to check: where (the selection every view shares), which rules, expectations."""

    selection: Selection
    rules: tuple[str, ...]
    options: CheckOptions
    expectations: tuple[Expectation, ...] = ()
    # (rule, object) failing already in --baseline's read: not failures of this check
    known: frozenset[tuple[str, str]] = frozenset()


def known_failures(report: CheckReport) -> frozenset[tuple[str, str]]:
    """Return the (rule, object) of each failing finding, for a later check's --baseline."""
    return frozenset((f.rule, f.object) for f in report.failures)


def without_known(report: CheckReport, known: frozenset[tuple[str, str]]) -> CheckReport:
    """Return the report with the failures in ``known`` counted as passed, and saying why."""
    if not known:
        return report
    findings = tuple(
        replace(f, passed=True, message=f"already failing in the baseline: {f.message}")
        if not f.passed and (f.rule, f.object) in known
        else f
        for f in report.findings
    )
    return replace(report, findings=findings)


def missing_node_findings(cluster: Cluster, plan: CheckPlan) -> tuple[Finding, ...]:
    """Return a failing finding per node asked for with --node that the server says is not there.

    For a user who may not read nodes whether it exists is unknown, never "no such
    node": the node rules are not checked and the refused read is the partial result's
    warning.
    """
    if "nodes" in cluster.unread:
        return ()
    shown = {n.name for n in cluster.nodes}
    findings = []
    for name in sorted(set(plan.selection.nodes)):
        if name in cluster.missing_nodes or name not in shown:
            findings.append(Finding("node-ready", f"node/{name}", False, "no such node"))
    return tuple(findings)


def in_scope(cluster: Cluster, selection: Selection) -> Cluster:
    """Return the cluster with only the workloads owning a selected pod, if pods are picked by node.

    Workloads are listed by namespace and label selector; --node, --node-selector and
    --field-selector pick pods only, so then a workload is judged when one of its pods is in.
    """
    if cluster.workloads is None or not (
        selection.nodes or selection.node_selector or selection.field_selector
    ):
        return cluster
    if "pods" in cluster.unread:  # which workloads are in scope is unknown: not checked
        return replace(cluster, workloads=(), unread=(*cluster.unread, *WORKLOAD_RESOURCES))
    return replace(cluster, workloads=owning_workloads(cluster.workloads, cluster.pods))


def absent_namespaces(
    client: KubeClient,
    expectations: tuple[Expectation, ...],
    cluster: Cluster,
    scope: tuple[str, ...],
) -> frozenset[str]:
    """Return the namespaces expectations name, that were read, and that do not exist.

    Only those in which nothing was found are asked about: one GET each.
    """
    seen = {p.namespace for p in cluster.pods} | {w.namespace for w in cluster.workloads or ()}
    named = {
        e.namespace for e in expectations if e.namespace and (not scope or e.namespace in scope)
    }
    absent = set()
    for namespace in sorted(named - seen):
        try:
            client.get_namespace(namespace)
        except NotFound:
            absent.add(namespace)
        except Forbidden:
            pass  # may not read namespaces: the entry's own finding says what was found
    return frozenset(absent)


def evaluate(
    client: KubeClient, plan: CheckPlan, forbidden: ForbiddenReads | None = None
) -> tuple[CheckReport, ForbiddenReads]:
    """Read the cluster once and return the report, with the reads that were forbidden.

    They are noted in ``forbidden`` when given (a fleet's member keeps its own).
    """
    forbidden = ForbiddenReads() if forbidden is None else forbidden
    selection = replace(
        plan.selection,
        with_nodes=bool(NODE_RULES & set(plan.rules)),  # a namespace's CI account may skip them
        with_usage=False,
        with_owners=False,
        with_workloads="workload-ready" in plan.rules
        or any(e.kind != "Pod" for e in plan.expectations),
        with_claims="pod-claims" in plan.rules,
    )
    cluster = in_scope(read_cluster(client, selection, forbidden), selection)
    if "pods" in cluster.unread and selection.filters_pods and "nodes" not in cluster.unread:
        # which nodes run the selected pods is unknown too: the node rules cannot run
        cluster = replace(cluster, unread=(*cluster.unread, "nodes"))
    scope = tuple(ns for ns in plan.selection.scopes if ns is not None)  # empty: all
    absent = absent_namespaces(client, plan.expectations, cluster, scope)
    extra = check_expectations(plan.expectations, cluster, scope, absent)
    extra += missing_node_findings(cluster, plan)
    now = cluster.read_at or datetime.now(UTC)
    report = run_checks(cluster, plan.rules, plan.options, now, extra)
    return without_known(report, plan.known), forbidden


def fleet_check_exit_code(members: Sequence[Member[CheckReport]]) -> int:
    """Return the exit code of check over many clusters: the worst of them.

    1 when a check failed in any cluster (it wins, as with one cluster); else as any
    fleet's read: 3 when no cluster answered, 4 when one failed, forbade reads or had a
    rule it could not check, 0 when every cluster passed.
    """
    if any(m.value is not None and not m.value.passed for m in members):
        return EXIT_CHECKS_FAILED
    code = fleet_exit_code(members)
    if code == EXIT_OK and any(m.value is not None and not m.value.complete for m in members):
        return EXIT_PARTIAL
    return code


def still_failing(report: CheckReport, remaining: float) -> str:
    """Return one line saying what still fails while --wait waits."""
    names = ", ".join(f"{f.object} ({f.rule})" for f in report.failures[:3])
    more = len(report.failures) - 3
    return f"waiting, {remaining:.0f}s left: {len(report.failures)} failing: {names}" + (
        f" and {more} more" if more > 0 else ""
    )


def wait_until_passing(
    client: KubeClient, plan: CheckPlan, timeout: float, progress: Callable[[str], None]
) -> tuple[CheckReport, ForbiddenReads]:
    """Return the first passing report, or the last one when ``timeout`` seconds ran out.

    Between two checks it watches the pods in scope (a WATCH, not polling) and re-checks on
    the first change, or after WATCH_SLICE_SECONDS at most; ``progress`` hears what still
    fails each time. A rollout that failed for good (its progress deadline passed) ends
    the wait at once, as it ends ``kubectl rollout status``.
    """
    deadline = time.monotonic() + timeout
    paths = [pods_path(namespace) for namespace in plan.selection.scopes]
    while True:
        report, forbidden = evaluate(client, plan)
        remaining = deadline - time.monotonic()
        if report.passed or remaining <= 0:
            return report, forbidden
        if failed := [f.object for f in report.failures if rollout_gave_up(f)]:
            progress(f"not waiting: the rollout of {', '.join(failed)} failed")
            return report, forbidden
        progress(still_failing(report, remaining))
        client.wait_for_any_change(paths, min(remaining, WATCH_SLICE_SECONDS))
