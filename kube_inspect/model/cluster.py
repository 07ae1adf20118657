"""The cluster hierarchy as plain, frozen data: Cluster -> Node -> Pod -> Container."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Literal

from kube_inspect.model.amounts import NO_RESOURCES as NO_RESOURCES
from kube_inspect.model.amounts import Amounts as Amounts
from kube_inspect.model.amounts import Resources as Resources
from kube_inspect.model.amounts import add_resources as add_resources
from kube_inspect.model.amounts import largest_resources as largest_resources
from kube_inspect.model.amounts import total_resources as total_resources
from kube_inspect.model.devices import DeviceClass, DevicePool, PodClaim

# Resources and their sums live in model/amounts.py; re-exported: the model is one import.
ContainerType = Literal["init", "sidecar", "app", "ephemeral"]
StateName = Literal["running", "waiting", "terminated", "unknown"]


@dataclass(frozen=True, slots=True)
class LastTermination:
    """How a container's previous run ended."""

    reason: str | None
    exit_code: int | None
    finished_at: str | None


@dataclass(frozen=True, slots=True)
class ContainerState:
    """What a container is doing now, as its status reports it."""

    name: StateName
    reason: str | None = None
    exit_code: int | None = None
    message: str | None = None

    def describe(self) -> str:
        """Return the state as one short phrase, e.g. ``terminated: Error (exit 1)``."""
        if self.reason is None:
            return self.name
        text = f"{self.name}: {self.reason}"
        return text if self.exit_code is None else f"{text} (exit {self.exit_code})"


@dataclass(frozen=True, slots=True)
class Claim:
    """A PersistentVolumeClaim a pod's volume names, as the API server reports it.

    ``phase`` is None when no such claim exists in the pod's namespace.
    """

    name: str
    phase: str | None = None  # Bound, Pending, Lost
    volume: str | None = None  # the PersistentVolume it is bound to
    storage_class: str | None = None
    capacity_bytes: int | None = None  # what the bound volume holds (else what is asked)
    access_modes: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """Return the claim's phase, or ``(not found)`` when it does not exist."""
        return self.phase or "(not found)"


@dataclass(frozen=True, slots=True)
class Volume:
    """A pod volume, the kind of source behind it, and which containers mount it where.

    ``target`` names what the source points at: the claim, ConfigMap or Secret (names
    only: a Secret is never read), or a projected volume's sources. ``claim`` is the
    PersistentVolumeClaim as read (None when claims were not read).
    """

    name: str
    source: str  # the volume source's field name: configMap, emptyDir, persistentVolumeClaim...
    mounts: tuple[tuple[str, str], ...] = ()  # (container, mount path)
    target: str | None = None
    size_limit_bytes: int | None = None  # an emptyDir's sizeLimit
    medium: str | None = None  # an emptyDir's medium (Memory)
    claim: Claim | None = None


@dataclass(frozen=True, slots=True)
class PendingCause:
    """One thing that keeps a pod from running: ``insufficient cpu`` on 2 nodes, a gate...

    ``nodes`` is how many nodes the scheduler ruled out for it (None when the cause is
    not about nodes, such as an unbound claim or a scheduling gate); ``kind`` names the
    cause's family for its plain words (``taint``, ``resource``, ``cordoned``, ...).
    """

    text: str
    nodes: int | None = None
    kind: str = "other"


@dataclass(frozen=True, slots=True)
class Pending:
    """Why a pod has not started: the scheduler's causes with node counts, or what it waits on.

    ``nodes`` is the N of the scheduler's "0/N nodes are available"; ``source`` says where
    the causes were read: the pod's PodScheduled ``condition``, its latest FailedScheduling
    ``event``, a container's waiting ``container`` message, or a warning ``event``.
    """

    causes: tuple[PendingCause, ...]
    nodes: int | None = None
    source: str = "condition"
    message: str | None = None

    def describe(self) -> str:
        """Return the causes on one line: ``5 nodes: 2 insufficient cpu, 3 cordoned``."""
        parts = ", ".join(c.text if c.nodes is None else f"{c.nodes} {c.text}" for c in self.causes)
        if self.nodes is None or (parts and all(c.nodes is None for c in self.causes)):
            return parts or (self.message or "")  # not about nodes: an unbound claim, a gate
        head = f"{self.nodes} {'node' if self.nodes == 1 else 'nodes'}"
        return f"{head}: {parts}" if parts else head


@dataclass(frozen=True, slots=True)
class Event:
    """A Warning event about a pod or node: the latest of its series."""

    reason: str
    message: str
    count: int = 1
    last_seen: str | None = None


Labels = tuple[tuple[str, str], ...]  # sorted (key, value) pairs
NO_LABELS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Container:
    """One container of a pod: init, sidecar (restartable init), app or ephemeral."""

    name: str
    type: ContainerType
    image: str
    state: ContainerState
    ready: bool
    restarts: int
    started: bool | None = None
    image_id: str | None = None
    last_termination: LastTermination | None = None
    requests: Resources = NO_RESOURCES
    limits: Resources = NO_RESOURCES
    ports: tuple[str, ...] = ()
    usage: Resources | None = None


@dataclass(frozen=True, slots=True)
class Deletion:
    """A pod being deleted: its deletionTimestamp, grace period, and whether it is overdue.

    ``at`` is when the grace period ends (the API server sets it to the delete's time plus
    the grace period); ``overdue`` is True when the pod was read after that time.
    """

    at: str | None
    grace_seconds: int | None
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class Pod:
    """A pod with its containers, in spec order (init, then app, then ephemeral)."""

    namespace: str
    name: str
    node_name: str | None
    phase: str
    created: str | None
    containers: tuple[Container, ...]
    owner: str | None = None
    reason: str | None = None
    message: str | None = None
    qos_class: str | None = None
    ip: str | None = None
    priority_class: str | None = None
    requests: Resources = NO_RESOURCES
    limits: Resources = NO_RESOURCES
    usage: Resources | None = None
    controller: str | None = None  # ``Kind/name`` of the controller that made it, one level up
    labels: Mapping[str, str] = field(default_factory=lambda: NO_LABELS)  # as sent (sorted)
    volumes: tuple[Volume, ...] | None = None  # None: not built (only views showing them do)
    pending: Pending | None = None  # why it has not started, when that is known
    events: tuple[Event, ...] | None = None  # latest Warning events first; None: not read
    deletion: Deletion | None = None  # None: not being deleted
    claims: tuple[PodClaim, ...] = ()  # its ResourceClaims (devices), in spec order

    @property
    def shown_phase(self) -> str:
        """Return the phase as kubectl's STATUS shows it: Terminating while being deleted.

        As kubectl: a pod being deleted that has not finished is Terminating, or Unknown
        when its node was lost (status reason NodeLost).
        """
        if self.deletion is None or self.terminated:
            return self.phase
        return "Unknown" if self.reason == "NodeLost" else "Terminating"

    @property
    def unschedulable_message(self) -> str | None:
        """Return the scheduler's message when no node could take the pod, else None."""
        return self.message or "" if self.reason == "Unschedulable" else None

    @property
    def terminated(self) -> bool:
        """Return True when the pod has finished and no longer holds node resources."""
        return self.phase in ("Succeeded", "Failed")

    @property
    def counted_containers(self) -> tuple[Container, ...]:
        """Return the containers kubectl counts in READY: app containers and sidecars."""
        return tuple(c for c in self.containers if c.type in ("app", "sidecar"))

    @property
    def ready_count(self) -> int:
        """Return how many app containers and sidecars are ready."""
        return sum(1 for c in self.counted_containers if c.ready)

    @property
    def restarts(self) -> int:
        """Return the restarts of all the pod's containers together."""
        return sum(c.restarts for c in self.containers)

    @property
    def device_count(self) -> int:
        """Return how many DRA devices the pod's claims hold."""
        return sum(len(c.devices) for c in self.claims)


NOT_LISTED = "(not listed)"  # the status of a node known only because a pod names it


@dataclass(frozen=True, slots=True)
class Node:
    """A node and the pods bound to it, sorted by namespace then name.

    ``listed`` is False for a node known only because a pod names it.
    """

    name: str
    roles: tuple[str, ...]
    ready: bool | None
    unschedulable: bool
    kubelet_version: str | None
    created: str | None
    pods: tuple[Pod, ...]
    listed: bool = True
    taints: tuple[str, ...] = ()
    pressures: tuple[str, ...] = ()
    os: str | None = None
    arch: str | None = None
    internal_ip: str | None = None
    zone: str | None = None
    instance_type: str | None = None
    allocatable: Resources = NO_RESOURCES
    allocatable_pods: int | None = None
    usage: Resources | None = None
    labels: Labels = ()
    capacity: tuple[tuple[str, str], ...] = ()  # resource name -> quantity, as the node says
    events: tuple[Event, ...] | None = None  # latest Warning events first; None: not read
    devices: tuple[DevicePool, ...] | None = None  # its DRA device pools; None: not read

    @property
    def active_pods(self) -> int:
        """Return how many of its pods are not terminated, as kubectl describe node counts.

        Those are the pods that hold one of the node's ``pods`` slots.
        """
        return sum(1 for p in self.pods if not p.terminated)

    @property
    def requested(self) -> Resources:
        """Return the requests of the pods that hold resources here, as the scheduler sums."""
        return total_resources(p.requests for p in self.pods if not p.terminated)

    @property
    def limited(self) -> Resources:
        """Return the limits of the pods that hold resources here."""
        return total_resources(p.limits for p in self.pods if not p.terminated)

    @property
    def status(self) -> str:
        """Return the node status as kubectl words it, e.g. ``Ready,SchedulingDisabled``.

        A node that was not read has no status: ``(not listed)``, never kubectl's
        ``Unknown`` (a node whose kubelet stopped reporting).
        """
        if not self.listed:
            return NOT_LISTED
        words = {True: "Ready", False: "NotReady", None: "Unknown"}[self.ready]
        return f"{words},SchedulingDisabled" if self.unschedulable else words


@dataclass(frozen=True, slots=True)
class Rollout:
    """What a workload's controller reports of its rollout, as ``kubectl rollout status`` reads it.

    ``total`` counts every replica, of the current template and older ones (a Deployment's
    ``status.replicas``), ``updated`` those of the current template, ``available`` those
    available; ``strategy`` is the update strategy's type (RollingUpdate, OnDelete,
    Recreate). ``partition`` is a StatefulSet's; ``progressing_*`` a Deployment's
    Progressing condition.
    """

    strategy: str | None
    generation: int
    observed_generation: int
    total: int
    updated: int
    available: int
    partition: int | None = None
    update_revision: str | None = None
    current_revision: str | None = None
    progressing_reason: str | None = None
    progressing_message: str | None = None


@dataclass(frozen=True, slots=True)
class Workload:
    """A Deployment, StatefulSet or DaemonSet, with its desired and ready replicas.

    ``rollout`` is None when its rollout is not known (then readiness alone is judged).
    """

    kind: str
    namespace: str
    name: str
    desired: int
    ready: int
    labels: Labels = ()
    rollout: Rollout | None = None


@dataclass(frozen=True, slots=True)
class Cluster:
    """The whole hierarchy: nodes sorted by name, then pods that have no node yet.

    ``unread`` names what the user was not allowed to read (``nodes``, ``pods``...): what
    it would have held is unknown, not empty. ``workloads`` is None when not read.
    ``missing_nodes`` are nodes asked for by name that the API server says do not exist.
    ``pod_filter`` names the flags that kept only some pods (``-n shop``, ``--problems``):
    a node's pod count and sums are then the share of those pods, not the node's total.
    ``read_at`` is when the objects were read (a snapshot's time when read from one).
    """

    context: str
    server: str
    version: str
    nodes: tuple[Node, ...]
    unscheduled: tuple[Pod, ...]
    notices: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()
    workloads: tuple[Workload, ...] | None = None
    missing_nodes: tuple[str, ...] = ()
    pod_filter: tuple[str, ...] = ()
    # when the objects were read, the time ages are counted to (a snapshot's own time);
    # not compared: two reads of the same objects hold the same cluster
    read_at: datetime | None = field(default=None, compare=False)
    # DRA: pools not tied to one node, and the DeviceClasses; None: not read
    devices: tuple[DevicePool, ...] | None = None
    device_classes: tuple[DeviceClass, ...] | None = None

    @property
    def pods(self) -> tuple[Pod, ...]:
        """Return every pod, node by node, then the unscheduled ones."""
        return tuple(p for n in self.nodes for p in n.pods) + self.unscheduled

    @property
    def node_sums_partial(self) -> bool:
        """Return True when a node's pods here are only some of its pods (see pod_filter)."""
        return bool(self.pod_filter)

    @property
    def container_count(self) -> int:
        """Return the number of containers of every pod, of every type."""
        return sum(len(p.containers) for p in self.pods)
