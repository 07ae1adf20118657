"""One judgement of health: each node, pod and container state, its verdict and meaning.

Every view reads its verdicts from here: the tree's colours, ``--problems``, check's rules,
explain's "what needs attention", the pictures' fills and the watch's marks. Keys are a
node status word or true node condition, a pod phase (or ``phase/condition``), a container
state name or ``state/reason``. docs/tree.md's table of states is checked against this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kube_inspect.model.cluster import Claim, Container, ContainerState, Node, Pod
from kube_inspect.model.devices import PodClaim

Level = Literal["cluster", "node", "pod", "container"]
Verdict = Literal["healthy", "warning", "failing"]
VERDICTS: tuple[Verdict, ...] = ("healthy", "warning", "failing")  # best first
_RANK: dict[Verdict, int] = {v: i for i, v in enumerate(VERDICTS)}


@dataclass(frozen=True, slots=True)
class StateHealth:
    """One state's verdict and meaning; ``finished`` states ran to their end (healthy)."""

    verdict: Verdict
    meaning: str
    finished: bool = False

    @property
    def unusual(self) -> bool:
        """Return True when the state is not healthy: it is explained and listed as a problem."""
        return self.verdict != "healthy"


def _healthy(meaning: str, finished: bool = False) -> StateHealth:
    return StateHealth("healthy", meaning, finished)


def _warning(meaning: str) -> StateHealth:
    return StateHealth("warning", meaning)


def _failing(meaning: str) -> StateHealth:
    return StateHealth("failing", meaning)


LEVELS: dict[Level, str] = {
    "cluster": "a set of nodes run by a control plane (API server, scheduler, controllers)",
    "node": "a machine, real or virtual, that runs pods; its kubelet reports its health",
    "pod": "the smallest deployable unit: containers scheduled together, sharing one IP "
    "address and their volumes",
    "container": "one running image inside a pod; init containers run to completion first",
}

# Node conditions that are bad news when True; the tree shows them after the status words.
NODE_CONDITIONS: dict[str, StateHealth] = {
    "MemoryPressure": _failing("the node is short of memory: its kubelet evicts pods to free some"),
    "DiskPressure": _failing(
        "the node is short of disk space: its kubelet evicts pods and removes unused images"
    ),
    "PIDPressure": _failing("the node is short of process IDs: its kubelet evicts pods"),
    "NetworkUnavailable": _failing(
        "the node's network is not set up, so its pods cannot be reached"
    ),
}
# The conditions check's node-pressure rule looks at.
PRESSURES: tuple[str, ...] = tuple(c for c in NODE_CONDITIONS if c.endswith("Pressure"))

NODE_STATES: dict[str, StateHealth] = {
    "Ready": _healthy("healthy: its kubelet reports in and it accepts new pods"),
    "NotReady": _failing(
        "its kubelet says it cannot run pods (runtime, network or pressure trouble); "
        "new pods avoid it and its pods may be evicted"
    ),
    "Unknown": _failing(
        "its kubelet stopped reporting: the node may be down or cut off from the "
        "control plane; its pods are evicted after a grace period"
    ),
    "SchedulingDisabled": _warning(
        "cordoned, so the scheduler places no new pod on it; the pods it runs stay"
    ),
    "(not listed)": _warning(
        "a pod names this node but the node itself was not read (deleted, or not "
        "allowed to list nodes)"
    ),
    **NODE_CONDITIONS,
}

POD_STATES: dict[str, StateHealth] = {
    "Running": _healthy("bound to a node, and at least one container is running"),
    "Running/NotReady": _warning(
        "running, but not every container is ready: it gets no Service traffic until they are"
    ),
    "Running/Restarted": _warning(
        "running and ready, but its containers restarted (RESTARTS says how often): they "
        "crashed or were killed before; their previous logs say why"
    ),
    "Running/ReadinessGatesNotReady": _warning(
        "its containers are ready, but a readiness gate's condition (set by a controller "
        "outside the kubelet, such as a load balancer's) is not True: it gets no Service "
        "traffic until it is"
    ),
    "Pending": _warning(
        "accepted by the cluster but not running yet: waiting for a node, or for its "
        "images and containers to start"
    ),
    "Pending/Unschedulable": _warning(
        "no node can take it: the scheduler tried every node and each one was ruled out"
    ),
    "Pending/SchedulingGated": _warning(
        "held back on purpose: the scheduler does not try to place it until something "
        "(often a queue or quota controller) removes its scheduling gates"
    ),
    "Succeeded": _healthy(
        "every container finished with exit 0 and will not restart; the pod is kept so "
        "its logs can be read",
        finished=True,
    ),
    "Failed": _failing(
        "every container stopped and at least one failed (non-zero exit, or killed by "
        "the system); it will not restart"
    ),
    "Unknown": _failing(
        "the pod's state could not be read from its node, usually because the node "
        "stopped reporting"
    ),
    "Terminating": _warning(
        "being deleted: its containers were asked to stop, and it goes away once they "
        "have, within its grace period"
    ),
    "Terminating/Stuck": _failing(
        "being deleted, and still there after its grace period ended: a finalizer holds "
        "it, or its node does not report its containers stopped"
    ),
}

CONTAINER_STATES: dict[str, StateHealth] = {
    "running": _healthy("started and has not stopped"),
    "running/not ready": _warning(
        "running, but its readiness probe does not pass yet: it gets no traffic"
    ),
    "waiting": _warning("not running yet, and no reason was given"),
    "waiting/ContainerCreating": _warning(
        "being set up: its image is pulled and its volumes mounted"
    ),
    "waiting/PodInitializing": _warning("waiting for the pod's init containers to finish"),
    "waiting/CrashLoopBackOff": _failing(
        "it keeps crashing: the kubelet restarts it, waiting longer each time (up to 5 "
        "minutes); its previous logs say why"
    ),
    "waiting/ImagePullBackOff": _failing(
        "its image cannot be pulled (wrong name or tag, or no access to the registry); "
        "the kubelet retries with growing pauses"
    ),
    "waiting/ErrImagePull": _failing(
        "pulling its image just failed (wrong name or tag, or no access to the registry)"
    ),
    "waiting/ErrImageNeverPull": _failing(
        "imagePullPolicy is Never and the image is not on the node"
    ),
    "waiting/InvalidImageName": _failing("its image name is not a valid image reference"),
    "waiting/CreateContainerConfigError": _failing(
        "its configuration refers to something missing, often a ConfigMap or Secret key"
    ),
    "waiting/CreateContainerError": _failing("the container runtime could not create it"),
    "waiting/RunContainerError": _failing("the container runtime could not start it"),
    "waiting/PreStartHookError": _failing("its pre-start hook failed"),
    "waiting/PostStartHookError": _failing("its postStart hook failed, so it was killed"),
    "waiting/ImageInspectError": _failing("the runtime could not inspect its image"),
    "waiting/RegistryUnavailable": _failing("the image registry could not be reached"),
    "waiting/SignatureValidationFailed": _failing("its image's signature did not validate"),
    "terminated": _failing("it stopped"),
    "terminated/Completed": _healthy("it ran to the end and exited 0", finished=True),
    "terminated/Error": _failing("it exited with a non-zero code: its logs say why"),
    "terminated/OOMKilled": _failing(
        "killed for using more memory than its limit: raise the limit or use less memory"
    ),
    "terminated/ContainerCannotRun": _failing("the runtime could not run its command"),
    "terminated/DeadlineExceeded": _failing("stopped because the pod's deadline passed"),
    "terminated/StartError": _failing("the runtime failed to start its process"),
    "terminated/Terminated": _failing("it stopped; no reason was given"),
    "terminated/ContainerStatusUnknown": _failing(
        "its state was lost (the pod was deleted or its node went away) and is taken as failed"
    ),
    "terminated/Evicted": _failing("stopped because the node ran short of a resource"),
    "unknown": _warning("no status reported for it yet (the pod has not started on a node)"),
}

# A pod's PersistentVolumeClaim, by its phase: the pod cannot start on a claim not Bound.
VOLUME_STATES: dict[str, StateHealth] = {
    "Bound": _healthy("the claim is bound to a volume the pod can mount"),
    "Pending": _warning(
        "the claim is not bound to a volume yet (none matches, or one is being made): "
        "a pod using it cannot start until it is"
    ),
    "Lost": _failing(
        "the volume the claim was bound to is gone: its data cannot be reached and the "
        "pod cannot mount it"
    ),
    "(not found)": _failing(
        "the pod names a claim its namespace does not have: the pod cannot start until "
        "it is created"
    ),
}
_FALLBACK_VOLUME = _warning("a claim phase kube-inspect has no words for")
# A pod's ResourceClaim (DRA devices), by PodClaim.state, and a device gone from its slice
DEVICE_CLAIM_STATES: dict[str, StateHealth] = {
    "allocated": _healthy("the scheduler allocated the devices the claim asks for"),
    "pending": _warning(
        "no device is allocated to the claim yet: a pod using it is not placed until one is"
    ),
    "missing": _failing(
        "the claim the pod names (or the one its template makes) does not exist: the pod "
        "cannot be placed until it does"
    ),
    "vanished": _failing(
        "a device allocated to the claim is in no ResourceSlice any more: its driver "
        "unpublished it (removed, broken, or its node gone)"
    ),
}

# The Ready condition's reason when the containers are ready and a readiness gate is not
GATES_NOT_READY = "ReadinessGatesNotReady"
_FALLBACK_NODE = _warning("a node status kube-inspect has no words for")
_FALLBACK_POD = _warning("a pod phase kube-inspect has no words for")


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
    return [(w, NODE_STATES.get(w, _FALLBACK_NODE)) for w in words]


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
    return key, POD_STATES.get(key, _FALLBACK_POD)


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
        if _RANK[inner.verdict] > _RANK[judgement.verdict]:
            judgement = Judgement(key, inner, part, inner_key)
    return judgement


def judge_claim(claim: Claim) -> Judgement:
    """Return the verdict on a PersistentVolumeClaim, from its phase (or its absence)."""
    return Judgement(claim.status, VOLUME_STATES.get(claim.status, _FALLBACK_VOLUME))


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
        if _RANK[other.verdict] > _RANK[state.verdict]:
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
    if POD_STATES.get(pod.phase, _FALLBACK_POD).unusual:
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
