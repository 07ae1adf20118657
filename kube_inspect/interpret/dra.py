"""Pure: the cluster with what Dynamic Resource Allocation holds: pools, claims, causes.

``with_devices`` takes the read DeviceClasses, ResourceSlices and ResourceClaims (each
None when not read) and gives each node its device pools, the cluster the pools tied to
no node, each pod's claims their state and devices, and a pending pod the claims it
waits on, named with their class, selectors and how many devices match and are free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from kube_inspect.interpret import fields
from kube_inspect.interpret.cel import SelectedDevice, evaluate
from kube_inspect.interpret.devices import (
    DeviceKey,
    allocated_devices,
    build_device_classes,
    build_pools,
    resolve_claim,
    selected_device,
)
from kube_inspect.interpret.fields import ApiObject
from kube_inspect.model.cluster import Cluster, Node, Pending, PendingCause, Pod
from kube_inspect.model.devices import ClaimRequest, DeviceClass, DevicePool, PodClaim

DEVICES_CAUSE = "cannot allocate all claims"  # the scheduler's, naming no claim


@dataclass(frozen=True, slots=True)
class DeviceIndex:
    """What judging claims needs of the slices: every device, what selectors read of it."""

    devices: tuple[tuple[DeviceKey, SelectedDevice], ...]
    taken: frozenset[DeviceKey]
    classes: Mapping[str, DeviceClass]


def _index(
    slices: Iterable[ApiObject],
    allocated: Mapping[DeviceKey, tuple[str, ...]],
    classes: Mapping[str, DeviceClass],
) -> DeviceIndex:
    devices = []
    for obj in slices:
        spec = fields.mapping(obj.get("spec"))
        driver = str(spec.get("driver", ""))
        pool = str(fields.mapping(spec.get("pool")).get("name", ""))
        for device in map(fields.mapping, fields.items(spec.get("devices"))):
            key = (driver, pool, str(device.get("name", "")))
            devices.append((key, selected_device(driver, device)))
    return DeviceIndex(tuple(devices), frozenset(allocated), classes)


def count_matching(request: ClaimRequest, index: DeviceIndex) -> tuple[int, int] | None:
    """Return (matching, free) devices for a request; None when a selector is not evaluable.

    A device matches when every selector of its class and of the request selects it.
    """
    device_class = index.classes.get(request.device_class or "")
    if device_class is None:
        return None
    selectors = (*device_class.selectors, *request.selectors)
    matching = free = 0
    for key, device in index.devices:
        results = [evaluate(s, device) for s in selectors]
        if any(r is None for r in results):
            return None
        if all(results):
            matching += 1
            free += key not in index.taken
    return matching, free


def request_cause(claim: PodClaim, request: ClaimRequest, index: DeviceIndex | None) -> str:
    """Return why a request of a claim waits, in one line naming class, selectors and counts."""
    head = f"claim {claim.name} ({claim.claim})"
    if len(claim.requests) > 1:  # which of its requests waits
        head += f" request {request.name}"
    if request.device_class is None:
        return f"{head}: no device class"
    if index is not None and request.device_class not in index.classes:
        return f"{head}: missing DeviceClass {request.device_class}"
    selectors = ""
    if index is not None:
        every = (*index.classes[request.device_class].selectors, *request.selectors)
        selectors = f" [{'; '.join(every)}]" if every else ""
    wanted = "all" if request.all_devices else str(request.count)
    head = f"{head}: {wanted} of class {request.device_class}{selectors}"
    counted = None if index is None else count_matching(request, index)
    if counted is None:
        return f"{head}, selectors not evaluated"
    matching, free = counted
    match = "device matches" if matching == 1 else "devices match"
    return f"{head}: {matching} {match}, {free} free"


def claim_causes(pod: Pod, index: DeviceIndex | None) -> tuple[PendingCause, ...]:
    """Return what each claim of a pending pod that is not allocated waits on."""
    causes = []
    for claim in pod.claims:
        if claim.state == "allocated" or claim.state is None:
            continue
        if claim.claim is None:
            source = f"from template {claim.template}" if claim.template else "(no source)"
            text = f"claim {claim.name}: no ResourceClaim made {source}"
        elif claim.state == "missing":
            text = f"claim {claim.name}: missing ResourceClaim {claim.claim}"
        else:
            causes += [
                PendingCause(request_cause(claim, r, index), None, "devices")
                for r in claim.requests
            ]
            continue
        causes.append(PendingCause(text, None, "devices"))
    return tuple(causes)


def name_device_claims(pod: Pod, index: DeviceIndex | None) -> Pending | None:
    """Return the pod's pending causes with its waiting claims named.

    When the scheduler says "cannot allocate all claims" (or nothing yet), each claim not
    allocated follows; a claim that does not exist or is not made yet is always named.
    """
    pending = pod.pending
    named = claim_causes(pod, index)
    about_devices = pending is None or any(c.kind == "devices" for c in pending.causes)
    if not about_devices:
        named = tuple(c for c in named if "request" not in c.text)
    if not named:
        return pending
    if pending is None:
        return Pending(named, None, "claims")
    kept = tuple(c for c in pending.causes if not any(c.text in n.text for n in named))
    # the controller's "missing ResourceClaimTemplate T" says more than "not made from T"
    named = tuple(n for n in named if not any(_same_template(c.text, n.text) for c in kept))
    return Pending((*kept, *named), pending.nodes, pending.source, pending.message)


def _same_template(cause: str, named: str) -> bool:
    template = cause.removeprefix("missing ResourceClaimTemplate ")
    return template != cause and named.endswith(f"from template {template}")


def _with_claims(
    pod: Pod, claims: Mapping[str, ApiObject] | None, known: frozenset[DeviceKey]
) -> tuple[PodClaim, ...]:
    if claims is None:
        return pod.claims
    return tuple(resolve_claim(c, claims, pod.namespace, known) for c in pod.claims)


def _pod(
    pod: Pod,
    claims: Mapping[str, ApiObject] | None,
    known: frozenset[DeviceKey],
    index: DeviceIndex | None,
) -> Pod:
    if not pod.claims:
        return pod
    pod = replace(pod, claims=_with_claims(pod, claims, known))
    if pod.phase == "Pending" and pod.node_name is None:
        pod = replace(pod, pending=name_device_claims(pod, index))
    return pod


def with_devices(
    cluster: Cluster,
    classes: Sequence[ApiObject] | None,
    slices: Sequence[ApiObject] | None,
    claims: Sequence[ApiObject] | None,
    show_pools: bool,
) -> Cluster:
    """Return the cluster with its DRA devices and each pod's claims resolved.

    ``show_pools``: nodes get their pools and the cluster those tied to no node (else
    only the pods' claims and causes are filled). A read that is None was not made.
    """
    allocated = allocated_devices(claims or ())
    pools = build_pools(slices, allocated) if slices is not None else None
    known = frozenset((p.driver, p.pool, d.name) for p in pools or () for d in p.devices)
    by_name = (
        None
        if claims is None
        else {
            f"{fields.mapping(c.get('metadata')).get('namespace', '')}/"
            f"{fields.mapping(c.get('metadata')).get('name', '')}": c
            for c in claims
        }
    )
    device_classes = build_device_classes(classes) if classes is not None else None
    index = None
    if slices is not None and device_classes is not None and claims is not None:
        index = _index(slices, allocated, device_classes)
    if pools is None:
        known = frozenset(allocated)  # slices not read: no device is known to have vanished
    nodes = tuple(_node(n, by_name, known, index, pools, show_pools) for n in cluster.nodes)
    unscheduled = tuple(_pod(p, by_name, known, index) for p in cluster.unscheduled)
    if not show_pools:
        return replace(cluster, nodes=nodes, unscheduled=unscheduled)
    return replace(
        cluster,
        nodes=nodes,
        unscheduled=unscheduled,
        devices=None if pools is None else tuple(p for p in pools if p.node is None),
        device_classes=None
        if device_classes is None
        else tuple(device_classes[name] for name in sorted(device_classes)),
    )


def _node(
    node: Node,
    claims: Mapping[str, ApiObject] | None,
    known: frozenset[DeviceKey],
    index: DeviceIndex | None,
    pools: Sequence[DevicePool] | None,
    show_pools: bool,
) -> Node:
    pods = tuple(_pod(p, claims, known, index) for p in node.pods)
    if not show_pools or pools is None:
        return replace(node, pods=pods)
    return replace(node, pods=pods, devices=tuple(p for p in pools if p.node == node.name))
