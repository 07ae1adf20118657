"""DRA devices and claims as the outputs show them: JSON values and the words of a row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kube_inspect.model.cluster import Node, Pod
from kube_inspect.model.devices import AllocatedDevice, DeviceClass, DevicePool, PodClaim


def _allocated_dict(device: AllocatedDevice) -> dict[str, Any]:
    return {
        "driver": device.driver,
        "pool": device.pool,
        "device": device.device,
        "request": device.request,
    }


def pod_claim_dict(claim: PodClaim) -> dict[str, Any]:
    """Return a pod's claim as the JSON shape holds it (``state`` null: claims not read)."""
    return {
        "name": claim.name,
        "claim": claim.claim,
        "template": claim.template,
        "containers": list(claim.containers),
        "state": claim.state,
        "requests": [
            {
                "name": r.name,
                "device_class": r.device_class,
                "selectors": list(r.selectors),
                "count": None if r.all_devices else r.count,
                "all": r.all_devices,
            }
            for r in claim.requests
        ],
        "devices": [_allocated_dict(d) for d in claim.devices],
        "vanished": [_allocated_dict(d) for d in claim.vanished],
        "reserved_for": claim.shared,
    }


def pool_dict(pool: DevicePool) -> dict[str, Any]:
    """Return a device pool, its counts and its devices, as the JSON shape holds it."""
    return {
        "driver": pool.driver,
        "pool": pool.pool,
        "node": pool.node,
        "total": pool.total,
        "allocated": pool.allocated,
        "free": pool.free,
        "devices": [
            {
                "name": d.name,
                "attributes": dict(d.attributes),
                "capacity": dict(d.capacity),
                "claims": list(d.claims),
            }
            for d in pool.devices
        ],
    }


def pools_list(pools: tuple[DevicePool, ...] | None) -> list[dict[str, Any]] | None:
    """Return pools as a JSON list; None (not read) stays null."""
    return None if pools is None else [pool_dict(p) for p in pools]


def classes_list(classes: tuple[DeviceClass, ...] | None) -> list[dict[str, Any]] | None:
    """Return the DeviceClasses as a JSON list; None (not read) stays null."""
    if classes is None:
        return None
    return [{"name": c.name, "selectors": list(c.selectors)} for c in classes]


def by_driver(pools: Iterable[DevicePool]) -> dict[str, tuple[int, int]]:
    """Return (allocated, total) devices per driver, drivers sorted."""
    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pool in pools:
        counts[pool.driver][0] += pool.allocated
        counts[pool.driver][1] += pool.total
    return {driver: (a, t) for driver, (a, t) in sorted(counts.items())}


def _attributes(pool: DevicePool) -> str:
    """Return the attributes and capacities of a pool's devices, values of all joined by |."""
    values: defaultdict[str, dict[str, None]] = defaultdict(dict)
    for device in pool.devices:
        for name, value in (*device.attributes, *device.capacity):
            values[name][value] = None
    return ",".join(f"{n}={'|'.join(v)}" for n, v in sorted(values.items()))


def node_device_words(node: Node, wide: bool) -> list[str]:
    """Return the node's devices for a row's info: ``devices:gpu.example.com=1/2`` per driver.

    Wide adds each pool with its devices' attributes (model, memory).
    """
    if not node.devices:
        return []
    words = [
        f"devices:{driver}={allocated}/{total}"
        for driver, (allocated, total) in by_driver(node.devices).items()
    ]
    if wide:
        words += [f"pool:{p.driver}/{p.pool}[{_attributes(p)}]" for p in node.devices]
    return words


def cluster_device_words(pools: Iterable[DevicePool]) -> list[str]:
    """Return the pools tied to no node: ``devices of no node: DRIVER/POOL=1/4 allocated``."""
    return [
        f"devices of no node: {p.driver}/{p.pool}={p.allocated}/{p.total} allocated" for p in pools
    ]


def node_device_cells(node: Node) -> dict[str, str]:
    """Return the DEVICES (allocated/total) and FREE-DEVICES cells of the flat nodes view."""
    if node.devices is None:
        return {"DEVICES": "<unknown>", "FREE-DEVICES": "<unknown>"}
    counts = by_driver(node.devices)
    return {
        "DEVICES": " ".join(f"{d}={a}/{t}" for d, (a, t) in counts.items()) or "<none>",
        "FREE-DEVICES": " ".join(f"{d}={t - a}" for d, (a, t) in counts.items()) or "<none>",
    }


def claim_words(pod: Pod) -> list[str]:
    """Return the pod's claims for a row's info: ``claim:gpu=gpu.example.com/gpu-b/gpu-0``."""
    words = []
    for claim in pod.claims:
        if claim.devices:
            what = ",".join(d.text for d in claim.devices)
        else:
            what = f"({claim.state or 'not read'})"
        users = f"[{','.join(claim.containers)}]" if claim.containers else ""
        words.append(f"claim:{claim.name}{users}={what}")
    return words
