"""The one judgement of workloads: their rollout, as ``kubectl rollout status`` judges it.

A Deployment, StatefulSet or DaemonSet is healthy when its rollout is complete by the
rules of kubectl's rollout_status.go (kubernetes/kubectl, pkg/polymorphichelpers): its
controller saw the latest spec, every replica runs the current template, none of an
older one is left and the updated ones are available. A Deployment whose Progressing
condition says ProgressDeadlineExceeded failed. Where kubectl has no rollout status (an
OnDelete strategy, or a status not read), readiness alone is judged. Check's
workload-ready rule and every other view read their verdicts here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kube_inspect.interpret.health import StateHealth, Verdict
from kube_inspect.model.cluster import Pod, Rollout, Workload

ROLLOUT_STATES: dict[str, StateHealth] = {
    "RolledOut": StateHealth("healthy", "every replica runs the current template and is available"),
    "Ready": StateHealth("healthy", "every desired replica is ready"),
    "SpecNotObserved": StateHealth(
        "warning", "its controller has not acted on the latest change to its spec yet"
    ),
    "Updating": StateHealth(
        "warning",
        "not every replica runs the current template: the rollout is under way, or stuck",
    ),
    "OldReplicasLeft": StateHealth(
        "warning", "replicas of an older template are still waiting to be removed"
    ),
    "Unavailable": StateHealth(
        "warning", "replicas of the current template are not all available yet"
    ),
    "NotReady": StateHealth("warning", "not every desired replica is ready"),
    "ProgressDeadlineExceeded": StateHealth(
        "failing",
        "the rollout made no progress within the Deployment's progressDeadlineSeconds: "
        "its controller gave up waiting for it",
    ),
}
TIMED_OUT = "ProgressDeadlineExceeded"  # the Progressing reason: kubectl's TimedOutReason


@dataclass(frozen=True, slots=True)
class WorkloadJudgement:
    """The verdict on a workload: its state key in ROLLOUT_STATES and the figures behind it.

    ``rollout`` is False where readiness alone was judged (no rollout status to read).
    """

    key: str
    detail: str
    rollout: bool = True

    @property
    def state(self) -> StateHealth:
        """Return the state's verdict and meaning."""
        return ROLLOUT_STATES[self.key]

    @property
    def verdict(self) -> Verdict:
        """Return healthy, warning or failing."""
        return self.state.verdict

    @property
    def complete(self) -> bool:
        """Return True when kubectl rollout status would say it is done (or it is ready)."""
        return self.verdict == "healthy"


def _ready(workload: Workload, done: WorkloadJudgement | None = None) -> WorkloadJudgement:
    """Return ``done`` (a complete rollout) if every desired replica is ready, else NotReady.

    Without ``done`` readiness is all there is to judge. A complete rollout whose replicas
    stopped being ready is not healthy either (a Deployment's available count catches it
    only after minReadySeconds).
    """
    figures = f"{workload.ready}/{workload.desired} replicas ready"
    if workload.ready < workload.desired:
        return WorkloadJudgement("NotReady", figures, rollout=False)
    return done or WorkloadJudgement("Ready", figures, rollout=False)


def _deployment(workload: Workload, r: Rollout) -> WorkloadJudgement:
    if r.progressing_reason == TIMED_OUT:
        return WorkloadJudgement(TIMED_OUT, r.progressing_message or "no progress")
    if r.updated < workload.desired:
        return WorkloadJudgement(
            "Updating", f"{r.updated} of {workload.desired} new replicas updated"
        )
    if r.total > r.updated:
        return WorkloadJudgement(
            "OldReplicasLeft", f"{r.total - r.updated} old replicas pending termination"
        )
    if r.available < r.updated:
        return WorkloadJudgement(
            "Unavailable", f"{r.available} of {r.updated} updated replicas available"
        )
    return WorkloadJudgement("RolledOut", f"{workload.ready}/{workload.desired} replicas ready")


def _daemon_set(workload: Workload, r: Rollout) -> WorkloadJudgement:
    if r.updated < workload.desired:
        return WorkloadJudgement("Updating", f"{r.updated} of {workload.desired} new pods updated")
    if r.available < workload.desired:
        return WorkloadJudgement(
            "Unavailable", f"{r.available} of {workload.desired} updated pods available"
        )
    return WorkloadJudgement("RolledOut", f"{workload.ready}/{workload.desired} replicas ready")


def _stateful_set(workload: Workload, r: Rollout) -> WorkloadJudgement:
    if workload.ready < workload.desired:
        return WorkloadJudgement(
            "NotReady", f"{workload.desired - workload.ready} pods not ready yet"
        )
    if r.partition is not None:  # kubectl stops here when rollingUpdate is set
        wanted = workload.desired - r.partition
        if r.updated < wanted:
            return WorkloadJudgement("Updating", f"{r.updated} of {wanted} new pods updated")
    elif r.update_revision != r.current_revision:
        return WorkloadJudgement(
            "Updating", f"{r.updated} pods at revision {r.update_revision} so far"
        )
    return WorkloadJudgement("RolledOut", f"{workload.ready}/{workload.desired} replicas ready")


def judge_workload(workload: Workload) -> WorkloadJudgement:
    """Return the verdict on a workload: its rollout's as kubectl judges it, else readiness."""
    r = workload.rollout
    if r is None or (workload.kind != "Deployment" and r.strategy != "RollingUpdate"):
        return _ready(workload)  # kubectl has no rollout status for OnDelete
    unobserved = r.generation > r.observed_generation
    if workload.kind == "StatefulSet":
        unobserved = unobserved or r.observed_generation == 0
    if unobserved:
        return WorkloadJudgement(
            "SpecNotObserved",
            f"generation {r.generation} not observed yet (observed {r.observed_generation})",
        )
    if workload.kind == "Deployment":
        judgement = _deployment(workload, r)
    elif workload.kind == "DaemonSet":
        judgement = _daemon_set(workload, r)
    else:
        judgement = _stateful_set(workload, r)
    return judgement if not judgement.complete else _ready(workload, judgement)


WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


def workload_of(pod: Pod) -> str | None:
    """Return ``Kind/name`` of the Deployment, StatefulSet or DaemonSet that made the pod.

    A Deployment's pods belong to a ReplicaSet named after it and the pod template's hash
    (which the pods carry as the ``pod-template-hash`` label), so no ReplicaSet is read.
    """
    for ref in (pod.owner, pod.controller):
        if ref is not None and ref.split("/", 1)[0] in WORKLOAD_KINDS:
            return ref
    template = pod.labels.get("pod-template-hash")
    if template and pod.controller and pod.controller.endswith(f"-{template}"):
        kind, _, name = pod.controller.partition("/")
        if kind == "ReplicaSet" and len(name) > len(template) + 1:
            return f"Deployment/{name[: -len(template) - 1]}"
    return None


def owns(workload: Workload, pod: Pod) -> bool:
    """Return True when the workload's controller made the pod."""
    return pod.namespace == workload.namespace and (
        workload_of(pod) == f"{workload.kind}/{workload.name}"
    )


def owned_pods(workload: Workload, pods: Iterable[Pod]) -> tuple[Pod, ...]:
    """Return the pods the workload made, in the order given."""
    return tuple(p for p in pods if owns(workload, p))


def owning_workloads(workloads: Iterable[Workload], pods: Iterable[Pod]) -> tuple[Workload, ...]:
    """Return the workloads that made at least one of ``pods``, in the order given."""
    owners = {(p.namespace, workload_of(p)) for p in pods}
    return tuple(w for w in workloads if (w.namespace, f"{w.kind}/{w.name}") in owners)
