"""The one health table: each node, pod, container and claim state, its verdict and meaning.

Every verdict kube-inspect gives is written here, once: keys are a node status word or
true node condition, a pod phase (or ``phase/condition``), a container state name or
``state/reason``, a claim's phase or state. interpret/health.py judges each object by
this table (which key an object is in, and the worst of its parts); docs/tree.md's table
of states is checked against this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
FALLBACK_VOLUME = _warning("a claim phase kube-inspect has no words for")
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
FALLBACK_NODE = _warning("a node status kube-inspect has no words for")
FALLBACK_POD = _warning("a pod phase kube-inspect has no words for")


def worse(verdict: Verdict, than: Verdict) -> bool:
    """Return True when ``verdict`` is worse than ``than`` (failing, then warning, healthy)."""
    return _RANK[verdict] > _RANK[than]
