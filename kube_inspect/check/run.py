"""Run ``kube-inspect check`` on a cluster: read what the rules need, check, and --wait.

I/O through the client only; the rules themselves are pure (``checks``, ``expectations``).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from kube_inspect.build.label_selector import object_labels, parse_selector
from kube_inspect.check.expectations import Expectation, check_expectations
from kube_inspect.check.rules import CheckInput, CheckOptions, CheckReport, Finding, run_checks
from kube_inspect.kube.client import WORKLOAD_RESOURCES, KubeClient
from kube_inspect.read.partial import ForbiddenReads

NODE_RULES = frozenset({"node-ready", "node-pressure"})
POD_RULES = frozenset({"pod-pending", "container-state", "container-restarts"})
WATCH_SLICE_SECONDS = 30.0  # re-check at least this often: node changes are not watched


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


@dataclass(frozen=True, slots=True)
class CheckPlan:
    """What to check: where, which rules with which knobs, and which expectations."""

    scope: Scope
    rules: tuple[str, ...]
    options: CheckOptions
    expectations: tuple[Expectation, ...] = ()


def evaluate(client: KubeClient, plan: CheckPlan) -> tuple[CheckReport, ForbiddenReads]:
    """Read the cluster once and return the report, with the reads that were forbidden."""
    forbidden = ForbiddenReads()
    data = read_input(client, plan.scope, plan.rules, plan.expectations, forbidden)
    if forbidden.everything:
        raise forbidden.nothing_readable(sorted(set(forbidden.what)))
    extra = check_expectations(plan.expectations, data)
    node = plan.scope.node
    if node and NODE_RULES & set(plan.rules) and "nodes" not in forbidden.what and not data.nodes:
        # A typo in --node must not pass as "nothing to check".
        extra += (Finding("node-ready", f"node/{node}", False, "no such node"),)
    now = datetime.now(UTC)
    return run_checks(data, plan.rules, plan.options, now, extra), forbidden


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
    fails each time.
    """
    deadline = time.monotonic() + timeout
    namespace = plan.scope.namespace
    pods_path = (
        "/api/v1/pods"
        if namespace is None
        else f"/api/v1/namespaces/{quote(namespace, safe='')}/pods"
    )
    while True:
        report, forbidden = evaluate(client, plan)
        remaining = deadline - time.monotonic()
        if report.passed or remaining <= 0:
            return report, forbidden
        progress(still_failing(report, remaining))
        client.wait_for_change(pods_path, min(remaining, WATCH_SLICE_SECONDS))
