"""The built-in health rules of ``kube-inspect check``: pure functions over the model.

Each rule looks at every object it concerns and says, for each, whether it passed: one
``Finding`` per rule and object, so a CI report has one test case per rule and object.
What the user could not read is not checked (``Cluster.unread``), never passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from kube_inspect.interpret.health import (
    NODE_STATES,
    PRESSURES,
    device_problem,
    judge_claim,
    judge_container,
    pod_problem,
)
from kube_inspect.interpret.rollouts import TIMED_OUT, WorkloadJudgement, judge_workload, owned_pods
from kube_inspect.model.checks import CheckReport as CheckReport  # re-exported for check/run
from kube_inspect.model.checks import Finding as Finding
from kube_inspect.model.cluster import Claim, Cluster, Pod, Workload
from kube_inspect.model.durations import human_duration
from kube_inspect.model.timestamps import parse_time


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """The knobs of the built-in rules."""

    max_pending_seconds: float = 300.0
    max_restarts: int = 5


Rule = Callable[[Cluster, CheckOptions, datetime], Iterator[Finding]]


def check_node_ready(data: Cluster, options: CheckOptions, now: datetime) -> Iterator[Finding]:
    """Yield, for each node, whether its Ready condition is one the health table passes."""
    for node in data.nodes:
        state = {True: "Ready", False: "NotReady", None: "Unknown"}[node.ready]
        passed = NODE_STATES[state].verdict != "failing"
        words = {True: "Ready", False: "NotReady", None: "Ready status unknown"}[node.ready]
        yield Finding("node-ready", f"node/{node.name}", passed, f"node is {words}")


def check_node_pressure(data: Cluster, options: CheckOptions, now: datetime) -> Iterator[Finding]:
    """Yield, for each node, whether it reports memory, disk or PID pressure."""
    for node in data.nodes:
        under = sorted(p for p in node.pressures if p in PRESSURES)
        message = f"node is under {', '.join(under)}" if under else "no pressure"
        yield Finding("node-pressure", f"node/{node.name}", not under, message)


def check_pod_pending(data: Cluster, options: CheckOptions, now: datetime) -> Iterator[Finding]:
    """Yield, for each pod, whether it has been Pending longer than allowed."""
    for pod in data.pods:
        created = parse_time(pod.created)
        age = (now - created).total_seconds() if created else 0.0
        stuck = pod.phase == "Pending" and age > options.max_pending_seconds
        message = (
            f"pod Pending for {human_duration(age)} "
            f"(more than {human_duration(options.max_pending_seconds)})"
            if stuck
            else f"pod is {pod.phase}"
        )
        if stuck and pod.pending is not None:
            message += f": {pod.pending.describe()}"
        yield Finding("pod-pending", f"pod/{pod.namespace}/{pod.name}", not stuck, message)


def check_pod_claims(data: Cluster, options: CheckOptions, now: datetime) -> Iterator[Finding]:
    """Yield, for each pod with PersistentVolumeClaims, whether they can serve it.

    And for each pod whose ResourceClaim (DRA) is missing or holds a device gone from
    its ResourceSlice: a failure (claims not read are not judged).

    A Lost or missing claim fails; a Pending one once the pod has waited longer than
    ``max_pending_seconds`` (a claim being provisioned is not a failure yet). Finished
    pods no longer need their claims; claims not read are not judged.
    """
    for pod in data.pods:
        claims = [v.claim for v in pod.volumes or () if v.claim is not None]
        device = device_problem(pod) if pod.claims and not pod.terminated else None
        if device is not None:  # a ResourceClaim (DRA) whose device vanished, or missing
            yield Finding("pod-claims", f"pod/{pod.namespace}/{pod.name}", False, device)
            continue
        if not claims or pod.terminated:
            continue
        created = parse_time(pod.created)
        age = (now - created).total_seconds() if created else 0.0
        allowed = options.max_pending_seconds
        unusual = [c for c in claims if judge_claim(c).state.unusual]
        failing = [c for c in unusual if c.phase != "Pending" or age > allowed]
        if failing:
            message = "; ".join(claim_failure(c, age, allowed) for c in failing)
        elif unusual:
            names = ", ".join(c.name for c in unusual)
            message = (
                f"claim {names} Pending for {human_duration(age)} "
                f"(within {human_duration(allowed)})"
            )
        else:
            message = "claims Bound: " + ", ".join(c.name for c in claims)
        yield Finding("pod-claims", f"pod/{pod.namespace}/{pod.name}", not failing, message)


def claim_failure(claim: Claim, age: float, allowed: float) -> str:
    """Return why a claim fails its pod: ``claim data-0 is Lost: ...``."""
    if claim.phase is None:
        return f"claim {claim.name} does not exist in the pod's namespace"
    if claim.phase == "Pending":
        return (
            f"claim {claim.name} Pending for {human_duration(age)} "
            f"(more than {human_duration(allowed)}): not bound to a volume"
        )
    return f"claim {claim.name} is {claim.phase}: {judge_claim(claim).state.meaning}"


def check_container_state(data: Cluster, options: CheckOptions, now: datetime) -> Iterator[Finding]:
    """Yield, for each container, whether its state is not one the health table calls failing.

    Failing: crash-looping, failing to pull or create, OOMKilled, exited non-zero, ...
    """
    for pod in data.pods:
        for container in pod.containers:
            yield Finding(
                "container-state",
                f"container/{pod.namespace}/{pod.name}/{container.name}",
                judge_container(container).verdict != "failing",
                f"container is {container.state.describe()}",
            )


def check_container_restarts(
    data: Cluster, options: CheckOptions, now: datetime
) -> Iterator[Finding]:
    """Yield, for each container, whether it restarted at most ``max_restarts`` times."""
    for pod in data.pods:
        for container in pod.containers:
            ok = container.restarts <= options.max_restarts
            message = f"{container.restarts} restarts" + (
                "" if ok else f" (more than {options.max_restarts})"
            )
            yield Finding(
                "container-restarts",
                f"container/{pod.namespace}/{pod.name}/{container.name}",
                ok,
                message,
            )


def check_workload_ready(data: Cluster, options: CheckOptions, now: datetime) -> Iterator[Finding]:
    """Yield, for each Deployment, StatefulSet and DaemonSet, whether its rollout is complete.

    Complete as ``kubectl rollout status`` judges it, with every desired replica ready
    (interpret/rollouts.py); when it is not, the message says how far it got and what holds
    its pods back.
    """
    pods = data.pods if data.workloads else ()
    for workload in data.workloads or ():
        judgement = judge_workload(workload)
        yield Finding(
            "workload-ready",
            f"{workload.kind.lower()}/{workload.namespace}/{workload.name}",
            judgement.complete,
            workload_message(workload, judgement, pods),
        )


POD_REASONS_SHOWN = 3  # the pods named in a workload's failure, then "and N more"
# what a workload's message says when its controller gave up (ProgressDeadlineExceeded)
ROLLOUT_FAILED = "rollout failed"


def rollout_gave_up(finding: Finding) -> bool:
    """Return True for a workload whose rollout failed for good, as kubectl rollout status says.

    kubectl stops waiting there; so does check --wait.
    """
    return (
        finding.rule == "workload-ready"
        and not finding.passed
        and f"; {ROLLOUT_FAILED}: " in finding.message
    )


def workload_message(workload: Workload, judgement: WorkloadJudgement, pods: Iterable[Pod]) -> str:
    """Return what check says of a workload: readiness, rollout, and its pods' problems.

    E.g. ``3/3 replicas ready; rollout not complete: 1 of 3 new replicas updated; pod
    web-7d-x: Pending: Unschedulable``.
    """
    words = f"{workload.ready}/{workload.desired} replicas ready"
    if judgement.key == "RolledOut":
        return f"{words}, rollout complete"
    if judgement.key == TIMED_OUT:
        words += f"; {ROLLOUT_FAILED}: {judgement.detail}"
    elif judgement.rollout:
        words += f"; rollout not complete: {judgement.detail}"
    if judgement.complete:
        return words
    problems = [(p.name, why) for p in owned_pods(workload, pods) if (why := pod_problem(p))]
    shown = "; ".join(f"pod {name}: {why}" for name, why in problems[:POD_REASONS_SHOWN])
    more = len(problems) - POD_REASONS_SHOWN
    return (
        words
        + (f"; {shown}" if shown else "")
        + (f" and {more} more pods with problems" if more > 0 else "")
    )


RULES: dict[str, Rule] = {
    "node-ready": check_node_ready,
    "node-pressure": check_node_pressure,
    "pod-pending": check_pod_pending,
    "pod-claims": check_pod_claims,
    "container-state": check_container_state,
    "container-restarts": check_container_restarts,
    "workload-ready": check_workload_ready,
}


def select_rules(only: Iterable[str], skip: Iterable[str]) -> tuple[str, ...]:
    """Return the rule names to run: ``only`` those (all when empty), minus ``skip``.

    Raises ValueError naming an unknown rule, or one both run only and skipped.
    """
    only, skip = tuple(only), tuple(skip)
    unknown = sorted(set(only + skip) - set(RULES))
    if unknown:
        raise ValueError(f"unknown rule {unknown[0]!r}: the rules are {', '.join(RULES)}")
    both = sorted(set(only) & set(skip))
    if both:
        raise ValueError(f"rule {both[0]!r} is given to both --rule and --skip-rule")
    chosen = only or tuple(RULES)
    return tuple(r for r in RULES if r in chosen and r not in skip)


RULE_INPUTS: dict[str, tuple[str, ...]] = {
    "node-ready": ("nodes",),
    "node-pressure": ("nodes",),
    "pod-pending": ("pods",),
    "pod-claims": ("pods", "persistentvolumeclaims"),
    "container-state": ("pods",),
    "container-restarts": ("pods",),
    "workload-ready": ("deployments", "statefulsets", "daemonsets"),
}


def run_checks(
    data: Cluster,
    rules: Iterable[str],
    options: CheckOptions,
    now: datetime,
    extra: Iterable[Finding] = (),
) -> CheckReport:
    """Return the report of the named rules on ``data``, with ``extra`` findings added.

    A rule that needs something the user could not read (``data.unread``) is not run:
    it is reported as not checked, never as passed.
    """
    names = tuple(rules)
    unread = set(data.unread)
    skipped = tuple(n for n in names if unread & set(RULE_INPUTS.get(n, ())))
    findings = [f for name in names if name not in skipped for f in RULES[name](data, options, now)]
    findings.extend(extra)
    order = {name: i for i, name in enumerate(RULES)}
    findings.sort(key=lambda f: (order.get(f.rule, len(order)), f.rule, f.object))
    extra_rules = sorted({f.rule for f in findings} - set(names))
    return CheckReport(
        rules=names + tuple(extra_rules), findings=tuple(findings), not_checked=skipped
    )
