"""One judgement of health: the verdict on each node, pod, container and claim, and why.

Every view reads its verdicts from here: the tree's colours, ``--problems``, check's rules,
explain's "what needs attention", the pictures' fills and the watch's marks. The verdicts
and meanings themselves are the one health table (interpret/health_table.py, re-exported
here); this module says which of its states an object is in, and which part of a pod
(a container, a claim) makes it worse.
"""

from __future__ import annotations

from dataclasses import dataclass

from kube_inspect.interpret.health_table import CONTAINER_STATES as CONTAINER_STATES
from kube_inspect.interpret.health_table import DEVICE_CLAIM_STATES as DEVICE_CLAIM_STATES
from kube_inspect.interpret.health_table import (
    FALLBACK_NODE,
    FALLBACK_POD,
    FALLBACK_VOLUME,
    worse,
)
from kube_inspect.interpret.health_table import GATES_NOT_READY as GATES_NOT_READY
from kube_inspect.interpret.health_table import LEVELS as LEVELS
from kube_inspect.interpret.health_table import NODE_CONDITIONS as NODE_CONDITIONS
from kube_inspect.interpret.health_table import NODE_STATES as NODE_STATES
from kube_inspect.interpret.health_table import POD_STATES as POD_STATES
from kube_inspect.interpret.health_table import PRESSURES as PRESSURES
from kube_inspect.interpret.health_table import VERDICTS as VERDICTS
from kube_inspect.interpret.health_table import VOLUME_STATES as VOLUME_STATES
from kube_inspect.interpret.health_table import StateHealth as StateHealth
from kube_inspect.interpret.health_table import Verdict as Verdict
from kube_inspect.model.cluster import Claim, Container, ContainerState, Node, Pod
from kube_inspect.model.devices import PodClaim


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict on one object: its state key and the state the verdict rests on.

    That is the object's own state, or, for a pod made worse by a container or a claim,
    that part's (``part``: ``container worker``, ``part_key``). Words are built when asked.
    """

    key: str
    state: StateHealth
    part: str | None = None
    part_key: str = ""

    @property
    def verdict(self) -> Verdict:
        """Return healthy, warning or failing."""
        return self.state.verdict

    @property
    def finished(self) -> bool:
        """Return True when the object ran to its end (Succeeded, Completed)."""
        return self.state.finished

    @property
    def reason(self) -> str:
        """Return why, in plain words: ``container worker: CrashLoopBackOff: it keeps ...``."""
        if self.part is None:
            return f"{shown_state(self.key)}: {self.state.meaning}"
        return f"{self.part}: {shown_state(self.part_key)}: {self.state.meaning}"


def node_state(node: Node) -> list[tuple[str, StateHealth]]:
    """Return the node's status words and true conditions with their meanings.

    E.g. Ready, SchedulingDisabled and DiskPressure: the words the tree's STATUS shows.
    """
    if not node.listed:
        return [("(not listed)", NODE_STATES["(not listed)"])]
    words = [*node.status.split(","), *node.pressures]
    return [(w, NODE_STATES.get(w, FALLBACK_NODE)) for w in words]


def pod_state_key(pod: Pod, unschedulable: bool = False) -> str:
    """Return the key of the pod's state in POD_STATES (``Running/NotReady``, ...).

    A pod being deleted is Terminating as kubectl shows it (stuck once its grace period
    is over), whatever its phase, until it has finished.
    """
    if pod.deletion is not None and not pod.terminated:
        shown = pod.shown_phase  # Terminating, or Unknown when its node was lost
        return "Terminating/Stuck" if shown == "Terminating" and pod.deletion.overdue else shown
    if pod.phase == "Pending" and unschedulable:
        return "Pending/Unschedulable"
    if pod.phase == "Pending" and pod.reason == "SchedulingGated":
        return "Pending/SchedulingGated"
    if pod.phase == "Running" and pod.ready_count < len(pod.counted_containers):
        return "Running/NotReady"
    if pod.phase == "Running" and pod.reason == GATES_NOT_READY:
        return "Running/ReadinessGatesNotReady"
    if pod.phase == "Running" and pod.restarts:
        return "Running/Restarted"
    return pod.phase


def pod_state(pod: Pod, unschedulable: bool = False) -> tuple[str, StateHealth]:
    """Return the pod's state key and its meaning."""
    key = pod_state_key(pod, unschedulable)
    return key, POD_STATES.get(key, FALLBACK_POD)


def container_state_key(state: ContainerState, ready: bool = True) -> str:
    """Return the key of a container state in CONTAINER_STATES, without fallback."""
    if state.name == "running":
        return "running" if ready else "running/not ready"
    return f"{state.name}/{state.reason}" if state.reason else state.name


def container_state(container: Container) -> tuple[str, StateHealth]:
    """Return the container's state key and its meaning, falling back to the bare state.

    Init containers are never ready once done and app containers of a finished pod are
    not either: only a running container's readiness is news.
    """
    key = container_state_key(container.state, container.ready)
    if key in CONTAINER_STATES:
        return key, CONTAINER_STATES[key]
    bare = CONTAINER_STATES[container.state.name]
    reason = container.state.reason or ""
    meaning = f"{bare.meaning} (reason {reason}: not in kube-inspect's table)"
    return key, StateHealth(bare.verdict, meaning, bare.finished)


def shown_state(key: str) -> str:
    """Return the words a state key is shown as: its reason, e.g. ``CrashLoopBackOff``."""
    return key.rsplit("/", 1)[-1]


def judge_container(container: Container) -> Judgement:
    """Return the verdict on a container, from its state (and readiness, when running)."""
    return Judgement(*container_state(container))


def judge_pod(pod: Pod, unschedulable: bool = False) -> Judgement:
    """Return the verdict on a pod: its phase's, made worse by any worse container or claim.

    The one judgement of a pod: the tree's colours, the pictures, explain, ``--problems``
    and check (``pod_problem`` is not None exactly when this is not healthy). A finished
    pod (Succeeded) is judged by its phase alone: what its containers left behind no
    longer matters.
    """
    key, state = pod_state(pod, unschedulable)
    judgement = Judgement(key, state)
    if state.finished:
        return judgement
    parts = [(f"container {c.name}", container_state(c)) for c in pod.containers]
    claims = [v.claim for v in pod.volumes or () if v.claim is not None]
    parts += [(f"claim {c.name}", (c.status, judge_claim(c).state)) for c in claims]
    parts += [(f"claim {c.name}", _device_claim_state(c)) for c in pod.claims if c.state]
    for part, (inner_key, inner) in parts:
        if worse(inner.verdict, judgement.verdict):
            judgement = Judgement(key, inner, part, inner_key)
    return judgement


def judge_claim(claim: Claim) -> Judgement:
    """Return the verdict on a PersistentVolumeClaim, from its phase (or its absence)."""
    return Judgement(claim.status, VOLUME_STATES.get(claim.status, FALLBACK_VOLUME))


def claim_problem(pod: Pod) -> str | None:
    """Return why one of the pod's claims needs attention (Pending, Lost, missing), or None."""
    for volume in pod.volumes or ():
        if volume.claim is not None and judge_claim(volume.claim).state.unusual:
            return f"claim {volume.claim.name}: {volume.claim.status}"
    return None


def _device_claim_state(claim: PodClaim) -> tuple[str, StateHealth]:
    """Return the state key of a pod's ResourceClaim (a device gone: vanished) and its meaning."""
    key = "vanished" if claim.vanished else str(claim.state)
    if key == "missing" and claim.claim is None:  # made from its template once placed
        key = "pending"
    return key, DEVICE_CLAIM_STATES[key]


def device_problem(pod: Pod) -> str | None:
    """Return why one of the pod's ResourceClaims needs attention (a device gone), or None.

    A claim not allocated yet is the pod's Pending (judged by its phase); a device that
    vanished from its slice is a problem of a pod that may already run on it.
    """
    for claim in pod.claims:
        if claim.vanished:
            gone = ", ".join(d.text for d in claim.vanished)
            return f"claim {claim.name}: device {gone} gone from its ResourceSlice"
        if claim.state == "missing" and claim.claim is not None:
            return f"claim {claim.name}: ResourceClaim {claim.claim} not found"
    return None


def judge_node(node: Node) -> Judgement:
    """Return the verdict on a node: the worst of its status words and true conditions."""
    states = node_state(node)
    key, state = states[0]
    for word, other in states[1:]:
        if worse(other.verdict, state.verdict):
            key, state = word, other
    return Judgement(key, state)


def pod_problem(pod: Pod) -> str | None:
    """Return why the pod needs attention (failing, pending, not ready, restarted), or None.

    What ``--problems`` keeps and check's workloads name: exactly the pods judge_pod finds
    unhealthy, in the fewest words (``container worker: CrashLoopBackOff``).
    """
    judgement = judge_pod(pod)
    if judgement.verdict == "healthy":
        return None
    return _problem_words(pod, judgement)


def _problem_words(pod: Pod, judgement: Judgement) -> str:
    """Return the short words of an unhealthy pod's judgement, worst part first."""
    if pod.deletion is not None and not pod.terminated:  # kubectl shows it as Terminating
        key = pod_state_key(pod)
        return "Terminating, past its grace period" if key == "Terminating/Stuck" else key
    warning: Judgement | None = None
    for container in pod.containers:
        key, state = container_state(container)
        if state.verdict == "failing":
            reason = container.state.reason
            what = reason if container.state.name == "waiting" else container.state.describe()
            return f"container {container.name}: {what}"
        if state.verdict == "warning" and warning is None:
            warning = Judgement(pod.phase, state, f"container {container.name}", key)
    if (claim := claim_problem(pod)) is not None:
        return claim
    if pod.claims and (device := device_problem(pod)) is not None:
        return device
    if POD_STATES.get(pod.phase, FALLBACK_POD).unusual:
        return f"{pod.phase}" + (f": {pod.reason}" if pod.reason else "")
    if pod.ready_count < len(pod.counted_containers):
        return f"not ready ({pod.ready_count}/{len(pod.counted_containers)})"
    if pod.phase == "Running" and pod.reason == GATES_NOT_READY:
        return f"not ready: {GATES_NOT_READY}" + (f": {pod.message}" if pod.message else "")
    if warning is not None:
        return warning.reason
    if pod.restarts:
        return f"restarted {pod.restarts} times"
    return judgement.reason
