"""Pure functions that turn API objects (plain dicts) into the Cluster hierarchy.

Nothing here does I/O. Objects may miss any field: the API server omits empty ones, and a
restricted user may see only part of a cluster, so every lookup has a default.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from kube_inspect.interpret import fields
from kube_inspect.interpret.devices import pod_claims
from kube_inspect.interpret.fields import ApiObject
from kube_inspect.interpret.nodes import build_node, pod_sort_key, unlisted_node
from kube_inspect.interpret.nodes import node_ready as node_ready  # re-exported for the tests
from kube_inspect.interpret.resources import container_resources, containers_effective, resources_of
from kube_inspect.interpret.scheduling import name_claims, pending_of
from kube_inspect.interpret.shared import Shared
from kube_inspect.interpret.storage import Claims, claims_by_name, pod_volumes
from kube_inspect.interpret.taints import TaintedNode, has_unnamed_taint, name_taints, tainted_node
from kube_inspect.interpret.usage import nodes_usage, pods_usage
from kube_inspect.model.api_pod import ApiPod
from kube_inspect.model.cluster import (
    Cluster,
    Container,
    ContainerState,
    ContainerType,
    Deletion,
    LastTermination,
    Pod,
    Resources,
    total_resources,
)
from kube_inspect.model.timestamps import parse_time

RUNNING = ContainerState("running")
UNKNOWN = ContainerState("unknown")


def container_state(status: Mapping[str, Any]) -> ContainerState:
    """Return the current state of a container from its containerStatus entry."""
    state = fields.mapping(status.get("state"))
    if "running" in state:
        return RUNNING  # most containers: one model for them all
    if "waiting" in state:
        waiting = fields.mapping(state["waiting"])
        return ContainerState(
            "waiting",
            fields.text(waiting.get("reason")),
            None,
            fields.text(waiting.get("message")),
        )
    if "terminated" in state:
        done = fields.mapping(state["terminated"])
        exit_code = done.get("exitCode")
        return ContainerState(
            "terminated",
            fields.text(done.get("reason")) or "Terminated",
            exit_code if isinstance(exit_code, int) else None,
            fields.text(done.get("message")),
        )
    return UNKNOWN


def last_termination(status: Mapping[str, Any]) -> LastTermination | None:
    """Return how the container's previous run ended, if it ran before."""
    done = fields.mapping(fields.mapping(status.get("lastState")).get("terminated"))
    if not done:
        return None
    exit_code = done.get("exitCode")
    return LastTermination(
        fields.text(done.get("reason")),
        exit_code if isinstance(exit_code, int) else None,
        fields.text(done.get("finishedAt")),
    )


def container_ports(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the container's declared ports as ``80/TCP`` (named ``http:80/TCP``)."""
    ports = []
    for port in fields.items(spec.get("ports")):
        port = fields.mapping(port)
        number = port.get("containerPort")
        if not isinstance(number, int):
            continue
        text = f"{number}/{port.get('protocol') or 'TCP'}"
        ports.append(f"{port['name']}:{text}" if isinstance(port.get("name"), str) else text)
    return tuple(ports)


def _container(
    spec: Any,
    kind: ContainerType,
    statuses: Mapping[str, Any],
    usage: Mapping[str, Resources],
    shared: Shared,
) -> Container:
    spec = fields.mapping(spec)
    one = shared.one
    name = one(str(spec.get("name", "")))
    status = fields.mapping(statuses.get(name))
    if kind == "init" and spec.get("restartPolicy") == "Always":
        kind = "sidecar"
    requests, limits = container_resources(spec)
    started = status.get("started")
    image_id, ended = fields.text(status.get("imageID")), last_termination(status)
    return Container(
        name=name,
        type=kind,
        image=one(str(spec.get("image") or status.get("image") or "")),
        state=one(container_state(status)),
        ready=status.get("ready") is True,
        restarts=fields.count(status.get("restartCount")),
        started=started if isinstance(started, bool) else None,
        image_id=one(image_id),
        last_termination=one(ended),
        requests=requests,
        limits=limits,
        ports=one(container_ports(spec)),
        usage=usage.get(name),
    )


def _statuses_by_name(status: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {
        str(s.get("name")): s
        for s in fields.items(status.get(key))
        if isinstance(s, (dict, Mapping))
    }


_CONTAINER_GROUPS: tuple[tuple[str, str, ContainerType], ...] = (
    ("initContainers", "initContainerStatuses", "init"),
    ("containers", "containerStatuses", "app"),
    ("ephemeralContainers", "ephemeralContainerStatuses", "ephemeral"),
)


def build_containers(
    pod: ApiPod | ApiObject,
    usage: Mapping[str, Resources] | None = None,
    shared: Shared | None = None,
) -> tuple[Container, ...]:
    """Return the pod's containers in spec order: init and sidecars, app, ephemeral.

    ``shared`` holds the values already met in this build (a fresh one when None).
    """
    spec, status = fields.mapping(pod.get("spec")), fields.mapping(pod.get("status"))
    usage = usage or {}
    shared = Shared() if shared is None else shared
    containers: list[Container] = []
    for spec_key, status_key, kind in _CONTAINER_GROUPS:
        specs = fields.items(spec.get(spec_key))
        if specs:  # most pods have neither init nor ephemeral containers
            statuses = _statuses_by_name(status, status_key)
            containers += [_container(c, kind, statuses, usage, shared) for c in specs]
    return tuple(containers)


CONDITION_ORDER = ("PodScheduled", "Initialized", "ContainersReady", "Ready")


def failing_condition(status: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Return (reason, message) of why the pod is not well.

    That is the pod's own reason, else that of the first condition, in lifecycle order,
    that is not True and gives one (a condition without a reason says nothing new: the
    containers' own states do).
    """
    if fields.text(status.get("reason")):
        return fields.text(status.get("reason")), fields.text(status.get("message"))
    conditions = {  # fields.text: a type of the wrong kind (from a file) is no type
        fields.text(c.get("type")): c
        for c in map(fields.mapping, fields.items(status.get("conditions")))
    }
    for kind in CONDITION_ORDER:
        condition = conditions.get(kind)
        if condition and condition.get("status") != "True" and fields.text(condition.get("reason")):
            return fields.text(condition.get("reason")), fields.text(condition.get("message"))
    return None, None


def controller_ref(meta: Mapping[str, Any]) -> tuple[str, str] | None:
    """Return (kind, name) of the object's controller, else of its first owner."""
    refs = [fields.mapping(r) for r in fields.items(meta.get("ownerReferences"))]
    ref = next((r for r in refs if r.get("controller") is True), refs[0] if refs else None)
    if ref is None:
        return None
    return str(ref.get("kind", "")), str(ref.get("name", ""))


OwnerIndex = Mapping[tuple[str, str, str], tuple[str, str]]


def owner_index(
    owners: Mapping[str, Iterable[ApiObject]],
) -> dict[tuple[str, str, str], tuple[str, str]]:
    """Return (namespace, kind, name) -> controller (kind, name) of owned owners.

    ``owners`` maps a kind (ReplicaSet, Job) to objects of that kind, as LISTs return
    them (without their kind); those with a controller lead further up.
    """
    index = {}
    for kind, objects in owners.items():
        for obj in objects:
            meta = fields.mapping(obj.get("metadata"))
            ref = controller_ref(meta)
            if ref is not None:
                index[(str(meta.get("namespace", "")), kind, str(meta.get("name")))] = ref
    return index


def top_owner(namespace: str, ref: tuple[str, str] | None, owners: OwnerIndex) -> str | None:
    """Return ``Kind/name`` of the workload at the top of the chain from controller ``ref``."""
    seen = set()
    while ref is not None and (namespace, *ref) in owners and ref not in seen:
        seen.add(ref)
        ref = owners[(namespace, *ref)]
    return None if ref is None else f"{ref[0]}/{ref[1]}"


def _ref(ref: tuple[str, str] | None) -> str | None:
    return None if ref is None else f"{ref[0]}/{ref[1]}"


def deletion_of(meta: Mapping[str, Any], now: datetime | None) -> Deletion | None:
    """Return the pod's deletion when it is being deleted (deletionTimestamp set), else None.

    It is overdue when ``now`` (the time of the read) is past its deletionTimestamp, the
    end of its grace period; None: the clock now.
    """
    at = fields.text(meta.get("deletionTimestamp"))
    if at is None:
        return None
    grace = meta.get("deletionGracePeriodSeconds")
    ends = parse_time(at)
    overdue = ends is not None and (now or datetime.now(UTC)) > ends
    return Deletion(at, grace if isinstance(grace, int) else None, overdue)


def build_pod(
    pod: ApiPod | ApiObject,
    owners: OwnerIndex | None = None,
    usage: Mapping[str, Resources] | None = None,
    with_volumes: bool = True,
    claims: Claims | None = None,
    shared: Shared | None = None,
    now: datetime | None = None,
) -> Pod:
    """Return the model of one pod object; ``usage`` maps container names to live usage.

    ``pod`` is read as an ``ApiPod`` (model/api_pod.py declares every field read here; a
    whole object, or a test's dict, is read the same way).

    Without ``with_volumes`` the pod's volumes are not built (None): views that do not show
    them (the tree at 30,000 pods) do not pay for them. ``claims`` are the
    PersistentVolumeClaims read (None: not read), which claim volumes carry. ``shared``
    holds the values already met in this build (a fresh one when None). ``now`` is the
    time of the read, against which a deletion is overdue (None: the clock now).
    """
    meta, spec, status = (fields.mapping(pod.get(k)) for k in ("metadata", "spec", "status"))
    shared = Shared() if shared is None else shared
    one = shared.one
    namespace = one(str(meta.get("namespace", "")))
    reason, message = failing_condition(status)
    containers = build_containers(pod, usage, shared)
    controller = controller_ref(meta)
    controller_text = one(_ref(controller))
    requests, limits = containers_effective(
        containers, resources_of(fields.mapping(spec.get("overhead")))
    )
    volumes = pod_volumes(spec, namespace, claims) if with_volumes else None
    pending = pending_of(status, spec, containers)
    return Pod(
        namespace=namespace,
        name=str(meta.get("name", "")),
        node_name=one(fields.text(spec.get("nodeName"))),
        phase=one(fields.text(status.get("phase")) or "Unknown"),
        created=one(fields.text(meta.get("creationTimestamp"))),
        containers=containers,
        owner=one(top_owner(namespace, controller, owners)) if owners else controller_text,
        reason=one(reason),
        message=one(message),
        qos_class=one(fields.text(status.get("qosClass"))),
        ip=fields.text(status.get("podIP")),
        priority_class=one(fields.text(spec.get("priorityClassName"))),
        requests=requests,
        limits=limits,
        usage=total_resources(c.usage for c in containers if c.usage) if usage else None,
        controller=controller_text,
        labels=shared.label_set(fields.mapping(meta.get("labels"))),
        volumes=volumes,
        pending=pending if claims is None else name_claims(pending, volumes or ()),
        deletion=deletion_of(meta, now) if "deletionTimestamp" in meta else None,
        claims=pod_claims(spec, status) if "resourceClaims" in spec else (),
    )


def build_cluster(
    *,
    context: str,
    server: str,
    version: str,
    nodes: Iterable[ApiObject],
    pods: Iterable[ApiObject],
    only_nodes_with_pods: bool = False,
    owners: Mapping[str, Iterable[ApiObject]] | None = None,
    node_metrics: Iterable[ApiObject] | None = None,
    pod_metrics: Iterable[ApiObject] | None = None,
    notices: Iterable[str] = (),
    with_volumes: bool = True,
    claims: Iterable[ApiObject] | None = None,
    now: datetime | None = None,
) -> Cluster:
    """Return the hierarchy: nodes by name holding their pods, then unscheduled pods.

    A pod bound to a node not in ``nodes`` gets a node known only by its name (listed=False);
    with ``only_nodes_with_pods``, nodes holding no pod are left out (views filtered to some
    pods). ``owners`` (ReplicaSets, Jobs) lead a pod to its top workload; metrics are
    metrics.k8s.io NodeMetrics and PodMetrics; ``claims`` PersistentVolumeClaims (None: not
    read). ``now`` is the time of the read, against which a pod's deletion is overdue (None:
    the clock). Each pod is an ``ApiPod`` (model/api_pod.py): all the builder reads.
    """
    index = owner_index(owners or {})
    claim_index = None if claims is None else claims_by_name(claims)
    node_usage = nodes_usage(node_metrics)
    pod_usage = pods_usage(pod_metrics)
    by_node: defaultdict[str | None, list[Pod]] = defaultdict(list)
    shared = Shared()  # one copy of each value the pods repeat, for this build
    tolerations: dict[tuple[str, str], list[Any]] = {}  # of pods whose taints are unnamed
    for obj in pods:
        meta = fields.mapping(obj.get("metadata"))
        key = (str(meta.get("namespace", "")), str(meta.get("name", "")))
        containers_usage = pod_usage.get(key, {}) if pod_metrics is not None else None
        pod = build_pod(obj, index, containers_usage, with_volumes, claim_index, shared, now)
        by_node[pod.node_name].append(pod)
        if pod.node_name is None and has_unnamed_taint(pod.pending):
            tolerations[key] = fields.items(fields.mapping(obj.get("spec")).get("tolerations"))
    models = {}
    tainted: list[TaintedNode] = []  # read only when some pod's taints are to be named
    for obj in nodes:
        if tolerations:
            tainted.append(tainted_node(fields.mapping(obj.get("spec"))))
        node_name = str(fields.mapping(obj.get("metadata")).get("name"))
        usage = node_usage.get(node_name) if node_metrics is not None else None
        model = build_node(obj, by_node.pop(node_name, []), usage)
        if model.pods or not only_nodes_with_pods:
            models[model.name] = model
    unscheduled = _with_named_taints(by_node.pop(None, []), tainted, tolerations)
    models |= {str(name): unlisted_node(str(name), found) for name, found in by_node.items()}
    return Cluster(
        context=context,
        server=server,
        version=version,
        nodes=tuple(models[name] for name in sorted(models)),
        unscheduled=unscheduled,
        notices=tuple(notices),
    )


def _with_named_taints(
    pods: list[Pod], nodes: list[TaintedNode], tolerations: Mapping[tuple[str, str], list[Any]]
) -> tuple[Pod, ...]:
    """Return the unscheduled pods, sorted, each unnamed untolerated taint named when known.

    Only when nodes were read: the scheduler's count is over every node.
    """
    if nodes and tolerations:
        pods = [
            replace(p, pending=name_taints(p.pending, nodes, tolerations[key]))
            if p.pending is not None and (key := (p.namespace, p.name)) in tolerations
            else p
            for p in pods
        ]
    return tuple(sorted(pods, key=pod_sort_key))
