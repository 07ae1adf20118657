"""What each state kube-inspect can show means, in plain words: one table for the package.

`tree --explain`, `explain` and the HTML page all read their words from here, so a state
is explained the same way everywhere. Keys are ``(level, state)``: a node status word, a
pod phase (or phase/condition), a container state name or ``state/reason``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from kube_inspect.model.cluster import Container, ContainerState, Node, Pod

Level = Literal["cluster", "node", "pod", "container"]


@dataclass(frozen=True, slots=True)
class StateText:
    """One state's meaning; ``unusual`` states are annotated in ``tree --explain``."""

    meaning: str
    unusual: bool = True


LEVELS: dict[Level, str] = {
    "cluster": "a set of nodes run by a control plane (API server, scheduler, controllers)",
    "node": "a machine, real or virtual, that runs pods; its kubelet reports its health",
    "pod": "the smallest deployable unit: containers scheduled together, sharing one IP "
    "address and their volumes",
    "container": "one running image inside a pod; init containers run to completion first",
}

NODE_STATES: dict[str, StateText] = {
    "Ready": StateText("healthy: its kubelet reports in and it accepts new pods", False),
    "NotReady": StateText(
        "its kubelet says it cannot run pods (runtime, network or pressure trouble); "
        "new pods avoid it and its pods may be evicted"
    ),
    "Unknown": StateText(
        "its kubelet stopped reporting: the node may be down or cut off from the "
        "control plane; its pods are evicted after a grace period"
    ),
    "SchedulingDisabled": StateText(
        "cordoned, so the scheduler places no new pod on it; the pods it runs stay"
    ),
    "(not listed)": StateText(
        "a pod names this node but the node itself was not read (deleted, or not "
        "allowed to list nodes)"
    ),
}

POD_STATES: dict[str, StateText] = {
    "Running": StateText("bound to a node, and at least one container is running", False),
    "Running/NotReady": StateText(
        "running, but not every container is ready: it gets no Service traffic until they are"
    ),
    "Pending": StateText(
        "accepted by the cluster but not running yet: waiting for a node, or for its "
        "images and containers to start"
    ),
    "Pending/Unschedulable": StateText(
        "no node can take it: the scheduler tried every node and each one was ruled out"
    ),
    "Succeeded": StateText(
        "every container finished with exit 0 and will not restart; the pod is kept so "
        "its logs can be read",
        False,
    ),
    "Failed": StateText(
        "every container stopped and at least one failed (non-zero exit, or killed by "
        "the system); it will not restart"
    ),
    "Unknown": StateText(
        "the pod's state could not be read from its node, usually because the node "
        "stopped reporting"
    ),
}

CONTAINER_STATES: dict[str, StateText] = {
    "running": StateText("started and has not stopped", False),
    "running/not ready": StateText(
        "running, but its readiness probe does not pass yet: it gets no traffic"
    ),
    "waiting": StateText("not running yet, and no reason was given"),
    "waiting/ContainerCreating": StateText(
        "being set up: its image is pulled and its volumes mounted"
    ),
    "waiting/PodInitializing": StateText("waiting for the pod's init containers to finish"),
    "waiting/CrashLoopBackOff": StateText(
        "it keeps crashing: the kubelet restarts it, waiting longer each time (up to 5 "
        "minutes); its previous logs say why"
    ),
    "waiting/ImagePullBackOff": StateText(
        "its image cannot be pulled (wrong name or tag, or no access to the registry); "
        "the kubelet retries with growing pauses"
    ),
    "waiting/ErrImagePull": StateText(
        "pulling its image just failed (wrong name or tag, or no access to the registry)"
    ),
    "waiting/ErrImageNeverPull": StateText(
        "imagePullPolicy is Never and the image is not on the node"
    ),
    "waiting/InvalidImageName": StateText("its image name is not a valid image reference"),
    "waiting/CreateContainerConfigError": StateText(
        "its configuration refers to something missing, often a ConfigMap or Secret key"
    ),
    "waiting/CreateContainerError": StateText("the container runtime could not create it"),
    "waiting/RunContainerError": StateText("the container runtime could not start it"),
    "waiting/PreStartHookError": StateText("its pre-start hook failed"),
    "waiting/PostStartHookError": StateText("its postStart hook failed, so it was killed"),
    "waiting/ImageInspectError": StateText("the runtime could not inspect its image"),
    "waiting/RegistryUnavailable": StateText("the image registry could not be reached"),
    "waiting/SignatureValidationFailed": StateText("its image's signature did not validate"),
    "terminated": StateText("it stopped"),
    "terminated/Completed": StateText("it ran to the end and exited 0", False),
    "terminated/Error": StateText("it exited with a non-zero code: its logs say why"),
    "terminated/OOMKilled": StateText(
        "killed for using more memory than its limit: raise the limit or use less memory"
    ),
    "terminated/ContainerCannotRun": StateText("the runtime could not run its command"),
    "terminated/DeadlineExceeded": StateText("stopped because the pod's deadline passed"),
    "terminated/StartError": StateText("the runtime failed to start its process"),
    "terminated/Terminated": StateText("it stopped; no reason was given"),
    "terminated/ContainerStatusUnknown": StateText(
        "its state was lost (the pod was deleted or its node went away) and is taken as failed"
    ),
    "terminated/Evicted": StateText("stopped because the node ran short of a resource"),
    "unknown": StateText("no status reported for it yet (the pod has not started on a node)"),
}

# Phrases of the scheduler's "0/N nodes are available: ..." message, in plain words.
SCHEDULER_REASONS: tuple[tuple[str, str], ...] = (
    (r"untolerated taint", "carry a taint the pod does not tolerate (reserved nodes)"),
    (r"node affinity/selector", "lack the labels the pod's nodeSelector or affinity asks for"),
    (r"were unschedulable", "are cordoned (SchedulingDisabled)"),
    (r"Insufficient (\S+)", "lack enough unrequested {0} for the pod's requests"),
    (r"Too many pods", "already run as many pods as they allow"),
    (r"free ports", "already use a host port the pod asks for"),
    (r"volume node affinity conflict", "cannot reach the pod's volumes (wrong zone)"),
    (r"pod anti-affinity", "would break the pod's anti-affinity rules"),
    (r"pod affinity", "do not match the pod's affinity rules"),
    (r"not-ready|were not ready", "are not ready"),
)

_FALLBACK_NODE = StateText("a node status kube-inspect has no words for")
_FALLBACK_POD = StateText("a pod phase kube-inspect has no words for")


def node_state(node: Node) -> list[tuple[str, StateText]]:
    """Return the node's status words with their meanings, e.g. Ready and SchedulingDisabled."""
    if not node.listed:
        return [("(not listed)", NODE_STATES["(not listed)"])]
    words = node.status.split(",")
    return [(w, NODE_STATES.get(w, _FALLBACK_NODE)) for w in words]


def pod_state_key(pod: Pod, unschedulable: bool = False) -> str:
    """Return the key of the pod's state in POD_STATES (``Running/NotReady``, ...)."""
    if pod.phase == "Pending" and unschedulable:
        return "Pending/Unschedulable"
    if pod.phase == "Running" and pod.ready_count < len(pod.counted_containers):
        return "Running/NotReady"
    return pod.phase


def pod_state(pod: Pod, unschedulable: bool = False) -> tuple[str, StateText]:
    """Return the pod's state key and its meaning."""
    key = pod_state_key(pod, unschedulable)
    return key, POD_STATES.get(key, _FALLBACK_POD)


def container_state_key(state: ContainerState, ready: bool = True) -> str:
    """Return the key of a container state in CONTAINER_STATES, without fallback."""
    if state.name == "running":
        return "running" if ready else "running/not ready"
    return f"{state.name}/{state.reason}" if state.reason else state.name


def container_state(container: Container) -> tuple[str, StateText]:
    """Return the container's state key and its meaning, falling back to the bare state.

    Init containers are never ready once done and app containers of a finished pod are
    not either: only a running container's readiness is news.
    """
    key = container_state_key(container.state, container.ready)
    if key in CONTAINER_STATES:
        return key, CONTAINER_STATES[key]
    bare = CONTAINER_STATES[container.state.name]
    reason = container.state.reason or ""
    return key, StateText(f"{bare.meaning} (reason {reason}: not in kube-inspect's table)")


def shown_state(key: str) -> str:
    """Return the words a state key is shown as: its reason, e.g. ``CrashLoopBackOff``."""
    return key.rsplit("/", 1)[-1]


def scheduler_reasons(message: str) -> list[str]:
    """Return the scheduler's FailedScheduling message as plain phrases, one per cause.

    ``0/5 nodes are available: 1 node(s) were unschedulable, 2 node(s) had untolerated
    taint(s). preemption: ...`` gives ``1 node is cordoned (SchedulingDisabled)`` and
    ``2 nodes carry a taint the pod does not tolerate (reserved nodes)``.
    """
    match = re.search(r"nodes are available: (.*?)(?:\.(?: |$)|$)", message)
    if not match:
        return [message.strip()] if message.strip() else []
    phrases = []
    for part in re.split(r", (?=\d)", match.group(1)):
        count_match = re.match(r"(\d+) (.*)", part.strip())
        count, rest = (int(count_match[1]), count_match[2]) if count_match else (0, part)
        phrases.append(_scheduler_phrase(count, rest))
    return phrases


def _scheduler_phrase(count: int, fragment: str) -> str:
    for pattern, words in SCHEDULER_REASONS:
        found = re.search(pattern, fragment)
        if found:
            text = words.format(*found.groups())
            if count:
                return f"{count} {'node' if count == 1 else 'nodes'} {_verb_for(count, text)}"
            return text
    return f"{count} {fragment}" if count else fragment


def _verb_for(count: int, text: str) -> str:
    """Return ``text`` with its first verb agreeing with ``count`` nodes."""
    if count != 1:
        return text
    singular = {
        "are ": "is ",
        "carry ": "carries ",
        "lack ": "lacks ",
        "already run ": "already runs ",
        "already use ": "already uses ",
        "do not ": "does not ",
    }
    for plural, one in singular.items():
        if text.startswith(plural):
            return one + text[len(plural) :]
    return text
