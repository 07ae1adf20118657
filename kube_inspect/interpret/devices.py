"""Pure: Dynamic Resource Allocation objects -> device pools, pods' claims, why claims wait.

ResourceSlices give the pools and their devices (a pool spread over several slices is
one pool; only its newest generation counts, as the scheduler reads it); ResourceClaims'
``status.allocation`` says which devices are taken; DeviceClasses and the claims'
requests say which devices a waiting claim could have. Nothing here does I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from kube_inspect.interpret import fields
from kube_inspect.interpret.cel import SelectedDevice, Value
from kube_inspect.interpret.fields import ApiObject
from kube_inspect.model.devices import (
    AllocatedDevice,
    ClaimRequest,
    Device,
    DeviceClass,
    DevicePool,
    PodClaim,
)

DeviceKey = tuple[str, str, str]  # (driver, pool, device)


def _key(meta: Mapping[str, Any]) -> str:
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"


def build_device_classes(classes: Iterable[ApiObject]) -> dict[str, DeviceClass]:
    """Return the DeviceClasses by name, each with its CEL selectors."""
    found = {}
    for obj in classes:
        name = str(fields.mapping(obj.get("metadata")).get("name", ""))
        found[name] = DeviceClass(name, _selectors(fields.mapping(obj.get("spec"))))
    return found


def _selectors(spec: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        str(fields.mapping(fields.mapping(s).get("cel")).get("expression", ""))
        for s in fields.items(spec.get("selectors"))
        if fields.mapping(s).get("cel")
    )


def allocated_devices(claims: Iterable[ApiObject]) -> dict[DeviceKey, tuple[str, ...]]:
    """Return each allocated device with the ``namespace/name`` of the claims holding it."""
    holders: defaultdict[DeviceKey, list[str]] = defaultdict(list)
    for claim in claims:
        for device in _allocation(claim):
            holders[(device.driver, device.pool, device.device)].append(
                _key(fields.mapping(claim.get("metadata")))
            )
    return {key: tuple(sorted(names)) for key, names in holders.items()}


def _allocation(claim: ApiObject) -> tuple[AllocatedDevice, ...]:
    allocation = fields.mapping(fields.mapping(claim.get("status")).get("allocation"))
    results = fields.items(fields.mapping(allocation.get("devices")).get("results"))
    return tuple(
        AllocatedDevice(
            str(r.get("driver", "")),
            str(r.get("pool", "")),
            str(r.get("device", "")),
            str(r.get("request", "")),
        )
        for r in map(fields.mapping, results)
    )


def _value(value: Any) -> Value | None:
    """Return a DeviceAttribute's value (``{"string": "A100"}``) as a Python value."""
    attribute = fields.mapping(value)
    for kind in ("string", "version", "int", "bool"):
        if kind in attribute and isinstance(attribute[kind], (str, int, bool)):
            return attribute[kind]  # type: ignore[no-any-return]
    return None


def _qualified(driver: str, name: str) -> tuple[str, str]:
    domain, _, short = name.rpartition("/")
    return (domain or driver, short)


def _shown_name(driver: str, name: str) -> str:
    domain, short = _qualified(driver, name)
    return short if domain == driver else f"{domain}/{short}"


def _device(driver: str, obj: Mapping[str, Any], claims: tuple[str, ...]) -> Device:
    attributes = fields.mapping(obj.get("attributes"))
    capacity = fields.mapping(obj.get("capacity"))
    return Device(
        name=str(obj.get("name", "")),
        attributes=tuple(
            sorted(
                (_shown_name(driver, k), str(v))
                for k, raw in attributes.items()
                if (v := _value(raw)) is not None
            )
        ),
        capacity=tuple(
            sorted(
                (_shown_name(driver, k), str(fields.mapping(v).get("value", "")))
                for k, v in capacity.items()
            )
        ),
        claims=claims,
    )


def _newest_slices(slices: Iterable[ApiObject]) -> list[Mapping[str, Any]]:
    """Return the specs of the slices of each pool's newest generation."""
    specs = [fields.mapping(s.get("spec")) for s in slices]
    newest: dict[tuple[str, str], int] = {}
    for spec in specs:
        pool = fields.mapping(spec.get("pool"))
        key = (str(spec.get("driver", "")), str(pool.get("name", "")))
        newest[key] = max(newest.get(key, 0), fields.count(pool.get("generation")))
    return [
        spec
        for spec in specs
        if fields.count(fields.mapping(spec.get("pool")).get("generation"))
        == newest[(str(spec.get("driver", "")), str(fields.mapping(spec.get("pool")).get("name")))]
    ]


def build_pools(
    slices: Iterable[ApiObject], allocated: Mapping[DeviceKey, tuple[str, ...]]
) -> tuple[DevicePool, ...]:
    """Return the device pools the slices publish, sorted by node, driver and pool.

    A pool's node is its slices' ``nodeName``; None for a pool not tied to one node
    (``allNodes``, a ``nodeSelector``: network-attached devices).
    """
    devices: defaultdict[tuple[str, str, str | None], list[Device]] = defaultdict(list)
    for spec in _newest_slices(slices):
        driver = str(spec.get("driver", ""))
        pool = str(fields.mapping(spec.get("pool")).get("name", ""))
        node = fields.text(spec.get("nodeName"))
        for obj in map(fields.mapping, fields.items(spec.get("devices"))):
            name = str(obj.get("name", ""))
            devices[(driver, pool, node)].append(
                _device(driver, obj, allocated.get((driver, pool, name), ()))
            )
    pools = [
        DevicePool(driver, pool, node, tuple(sorted(found, key=lambda d: d.name)))
        for (driver, pool, node), found in devices.items()
    ]
    return tuple(sorted(pools, key=lambda p: (p.node or "", p.driver, p.pool)))


def selected_device(driver: str, obj: Mapping[str, Any]) -> SelectedDevice:
    """Return what CEL selectors read of one device of a slice."""
    attributes = {
        _qualified(driver, str(k)): v
        for k, raw in fields.mapping(obj.get("attributes")).items()
        if (v := _value(raw)) is not None
    }
    return SelectedDevice(driver, attributes)


def pod_claims(spec: Mapping[str, Any], status: Mapping[str, Any]) -> tuple[PodClaim, ...]:
    """Return a pod's claims (spec.resourceClaims), with the containers using each.

    A claim made from a template is named by the pod's status (resourceClaimStatuses)
    once the controller made it; until then its ``claim`` is None.
    """
    entries = fields.items(spec.get("resourceClaims"))
    if not entries:
        return ()
    made = {
        str(s.get("name")): fields.text(s.get("resourceClaimName"))
        for s in map(fields.mapping, fields.items(status.get("resourceClaimStatuses")))
    }
    users: defaultdict[str, list[str]] = defaultdict(list)
    for key in ("initContainers", "containers"):
        for container in map(fields.mapping, fields.items(spec.get(key))):
            resources = fields.mapping(container.get("resources"))
            for used in map(fields.mapping, fields.items(resources.get("claims"))):
                users[str(used.get("name", ""))].append(str(container.get("name", "")))
    claims = []
    for entry in map(fields.mapping, entries):
        name = str(entry.get("name", ""))
        template = fields.text(entry.get("resourceClaimTemplateName"))
        claim = fields.text(entry.get("resourceClaimName")) or made.get(name)
        claims.append(PodClaim(name, claim, template, tuple(dict.fromkeys(users[name]))))
    return tuple(claims)


def claim_requests(claim: ApiObject) -> tuple[ClaimRequest, ...]:
    """Return what each request of a ResourceClaim asks for (``exactly`` requests)."""
    found = []
    devices = fields.mapping(fields.mapping(claim.get("spec")).get("devices"))
    for request in map(fields.mapping, fields.items(devices.get("requests"))):
        exactly = fields.mapping(request.get("exactly"))
        if not exactly:  # firstAvailable: alternatives, each with its class
            alternatives = [fields.mapping(a) for a in fields.items(request.get("firstAvailable"))]
            exactly = alternatives[0] if alternatives else exactly
        count = exactly.get("count")
        found.append(
            ClaimRequest(
                name=str(request.get("name", "")),
                device_class=fields.text(exactly.get("deviceClassName")),
                selectors=_selectors(exactly),
                count=count if type(count) is int else 1,
                all_devices=exactly.get("allocationMode") == "All",
            )
        )
    return tuple(found)


def resolve_claim(
    pod_claim: PodClaim,
    claims: Mapping[str, ApiObject],
    namespace: str,
    known: frozenset[DeviceKey],
) -> PodClaim:
    """Return the pod's claim with its ResourceClaim's state, requests and devices.

    ``claims`` are the ResourceClaims read by ``namespace/name``; ``known`` the devices
    the slices hold (an allocated device not among them has vanished).
    """
    if pod_claim.claim is None:
        return replace(pod_claim, state="missing")
    obj = claims.get(f"{namespace}/{pod_claim.claim}")
    if obj is None:
        return replace(pod_claim, state="missing")
    devices = _allocation(obj)
    reserved = fields.items(fields.mapping(obj.get("status")).get("reservedFor"))
    return replace(
        pod_claim,
        state="allocated" if devices else "pending",
        requests=claim_requests(obj),
        devices=devices,
        vanished=tuple(d for d in devices if (d.driver, d.pool, d.device) not in known),
        shared=len(reserved),
    )
