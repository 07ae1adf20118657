"""The built-in health rules of ``kube-inspect check``: pure functions over API objects.

Each rule looks at every object it concerns and says, for each, whether it passed: one
``Finding`` per rule and object, so a CI report has one test case per rule and object.
Objects may miss any field (a restricted user, an old server): every lookup has a default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kube_inspect.build import fields
from kube_inspect.build.health import NODE_STATES, PRESSURES, judge_container
from kube_inspect.build.objects import build_pod, node_ready
from kube_inspect.model.checks import CheckReport as CheckReport  # re-exported for check/run
from kube_inspect.model.checks import Finding as Finding

ApiObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """The knobs of the built-in rules."""

    max_pending_seconds: float = 300.0
    max_restarts: int = 5


@dataclass(frozen=True, slots=True)
class CheckInput:
    """The objects the rules look at, as the API server returns them."""

    nodes: tuple[ApiObject, ...]
    pods: tuple[ApiObject, ...]
    workloads: tuple[ApiObject, ...]  # Deployments, StatefulSets, DaemonSets with "kind"


Rule = Callable[[CheckInput, CheckOptions, datetime], Iterator[Finding]]


def _name(obj: ApiObject) -> str:
    return str(fields.mapping(obj.get("metadata")).get("name") or "")


def _ns_name(obj: ApiObject) -> str:
    meta = fields.mapping(obj.get("metadata"))
    return f"{meta.get('namespace') or ''}/{meta.get('name') or ''}"


def parse_timestamp(value: Any) -> datetime | None:
    """Return an RFC 3339 timestamp of the API (``2026-11-25T11:49:00Z``) as a datetime."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def check_node_ready(data: CheckInput, options: CheckOptions, now: datetime) -> Iterator[Finding]:
    """Yield, for each node, whether its Ready condition is one the health table passes."""
    for node in data.nodes:
        ready = node_ready(fields.items(fields.mapping(node.get("status")).get("conditions")))
        state = {True: "Ready", False: "NotReady", None: "Unknown"}[ready]
        passed = NODE_STATES[state].verdict != "failing"
        words = {True: "Ready", False: "NotReady", None: "Ready status unknown"}[ready]
        yield Finding("node-ready", f"node/{_name(node)}", passed, f"node is {words}")


def check_node_pressure(
    data: CheckInput, options: CheckOptions, now: datetime
) -> Iterator[Finding]:
    """Yield, for each node, whether it reports memory, disk or PID pressure."""
    for node in data.nodes:
        conditions = fields.items(fields.mapping(node.get("status")).get("conditions"))
        under = sorted(
            str(c.get("type"))
            for c in map(fields.mapping, conditions)
            if c.get("type") in PRESSURES and c.get("status") == "True"
        )
        message = f"node is under {', '.join(under)}" if under else "no pressure"
        yield Finding("node-pressure", f"node/{_name(node)}", not under, message)


def check_pod_pending(data: CheckInput, options: CheckOptions, now: datetime) -> Iterator[Finding]:
    """Yield, for each pod, whether it has been Pending longer than allowed."""
    for pod in data.pods:
        phase = fields.mapping(pod.get("status")).get("phase")
        created = parse_timestamp(fields.mapping(pod.get("metadata")).get("creationTimestamp"))
        age = (now - created).total_seconds() if created else 0.0
        stuck = phase == "Pending" and age > options.max_pending_seconds
        message = (
            f"pod Pending for {age:.0f}s (more than {options.max_pending_seconds:g}s)"
            if stuck
            else f"pod is {phase or 'Unknown'}"
        )
        yield Finding("pod-pending", f"pod/{_ns_name(pod)}", not stuck, message)


def check_container_state(
    data: CheckInput, options: CheckOptions, now: datetime
) -> Iterator[Finding]:
    """Yield, for each container, whether its state is not one the health table calls failing.

    Failing: crash-looping, failing to pull or create, OOMKilled, exited non-zero, ...
    """
    for pod in data.pods:
        for container in build_pod(pod).containers:
            yield Finding(
                "container-state",
                f"container/{_ns_name(pod)}/{container.name}",
                judge_container(container).verdict != "failing",
                f"container is {container.state.describe()}",
            )


def check_container_restarts(
    data: CheckInput, options: CheckOptions, now: datetime
) -> Iterator[Finding]:
    """Yield, for each container, whether it restarted at most ``max_restarts`` times."""
    for pod in data.pods:
        for container in build_pod(pod).containers:
            ok = container.restarts <= options.max_restarts
            message = f"{container.restarts} restarts" + (
                "" if ok else f" (more than {options.max_restarts})"
            )
            yield Finding(
                "container-restarts", f"container/{_ns_name(pod)}/{container.name}", ok, message
            )


def workload_replicas(workload: ApiObject) -> tuple[int, int]:
    """Return (desired, ready) replicas of a Deployment, StatefulSet or DaemonSet."""
    spec, status = fields.mapping(workload.get("spec")), fields.mapping(workload.get("status"))
    if workload.get("kind") == "DaemonSet":
        return fields.count(status.get("desiredNumberScheduled")), fields.count(
            status.get("numberReady")
        )
    replicas = spec.get("replicas", 1)  # the API defaults an omitted replicas to 1
    return fields.count(replicas), fields.count(status.get("readyReplicas"))


def check_workload_ready(
    data: CheckInput, options: CheckOptions, now: datetime
) -> Iterator[Finding]:
    """Yield, for each Deployment, StatefulSet and DaemonSet, whether all replicas are ready."""
    for workload in data.workloads:
        desired, ready = workload_replicas(workload)
        kind = str(workload.get("kind") or "workload").lower()
        yield Finding(
            "workload-ready",
            f"{kind}/{_ns_name(workload)}",
            ready >= desired,
            f"{ready}/{desired} replicas ready",
        )


RULES: dict[str, Rule] = {
    "node-ready": check_node_ready,
    "node-pressure": check_node_pressure,
    "pod-pending": check_pod_pending,
    "container-state": check_container_state,
    "container-restarts": check_container_restarts,
    "workload-ready": check_workload_ready,
}


def select_rules(only: Iterable[str], skip: Iterable[str]) -> tuple[str, ...]:
    """Return the rule names to run: ``only`` those (all when empty), minus ``skip``.

    Raises ValueError naming an unknown rule.
    """
    only, skip = tuple(only), tuple(skip)
    unknown = sorted(set(only + skip) - set(RULES))
    if unknown:
        raise ValueError(f"unknown rule {unknown[0]!r}: the rules are {', '.join(RULES)}")
    chosen = only or tuple(RULES)
    return tuple(r for r in RULES if r in chosen and r not in skip)


def run_checks(
    data: CheckInput,
    rules: Iterable[str],
    options: CheckOptions,
    now: datetime,
    extra: Iterable[Finding] = (),
) -> CheckReport:
    """Return the report of the named rules on ``data``, with ``extra`` findings added."""
    names = tuple(rules)
    findings = [f for name in names for f in RULES[name](data, options, now)]
    findings.extend(extra)
    order = {name: i for i, name in enumerate(RULES)}
    findings.sort(key=lambda f: (order.get(f.rule, len(order)), f.rule, f.object))
    extra_rules = sorted({f.rule for f in findings} - set(names))
    return CheckReport(rules=names + tuple(extra_rules), findings=tuple(findings))
