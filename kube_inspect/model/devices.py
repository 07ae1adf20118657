"""Devices handed out by Dynamic Resource Allocation (resource.k8s.io/v1), as plain data.

Drivers publish ResourceSlices (the devices of a pool, on one node or on none), pods ask
through ResourceClaims (their own, or made from a template), and the scheduler writes
which devices it allocated into each claim's status. These values hold what the views
show of that: the pools with their devices, and each pod's claims.
"""

from __future__ import annotations

from dataclasses import dataclass

Pairs = tuple[tuple[str, str], ...]  # (name, value) pairs, sorted by name


@dataclass(frozen=True, slots=True)
class Device:
    """One device of a pool: its attributes and capacities as text, the claims holding it.

    ``attributes`` hold the driver's own attributes by their short name (``model``) and
    others by their qualified name; ``claims`` are ``namespace/name`` of the
    ResourceClaims it is allocated to (several: a shared claim counts once).
    """

    name: str
    attributes: Pairs = ()
    capacity: Pairs = ()
    claims: tuple[str, ...] = ()

    @property
    def allocated(self) -> bool:
        """Return True when some claim holds the device."""
        return bool(self.claims)


@dataclass(frozen=True, slots=True)
class DevicePool:
    """A driver's pool of devices, on ``node`` (None: not tied to one node)."""

    driver: str
    pool: str
    node: str | None
    devices: tuple[Device, ...]

    @property
    def total(self) -> int:
        """Return how many devices the pool has."""
        return len(self.devices)

    @property
    def allocated(self) -> int:
        """Return how many of its devices some claim holds."""
        return sum(1 for d in self.devices if d.allocated)

    @property
    def free(self) -> int:
        """Return how many of its devices no claim holds."""
        return self.total - self.allocated


@dataclass(frozen=True, slots=True)
class DeviceClass:
    """A DeviceClass: the CEL selectors every device of the class must pass."""

    name: str
    selectors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AllocatedDevice:
    """A device the scheduler allocated to a claim's request (status.allocation)."""

    driver: str
    pool: str
    device: str
    request: str

    @property
    def text(self) -> str:
        """Return the device as ``driver/pool/device``."""
        return f"{self.driver}/{self.pool}/{self.device}"


@dataclass(frozen=True, slots=True)
class ClaimRequest:
    """What one request of a claim asks for: a count of devices of a class, selected by CEL."""

    name: str
    device_class: str | None
    selectors: tuple[str, ...] = ()
    count: int = 1
    all_devices: bool = False  # allocationMode All: every matching device


@dataclass(frozen=True, slots=True)
class PodClaim:
    """A claim of a pod (spec.resourceClaims), with what its ResourceClaim says when read.

    ``claim`` is the ResourceClaim's name (None: not made from its template yet);
    ``state`` is ``allocated``, ``pending`` (not allocated) or ``missing`` (no such
    ResourceClaim), None when claims were not read. ``vanished`` are allocated devices
    that no ResourceSlice holds any more.
    """

    name: str
    claim: str | None
    template: str | None = None
    containers: tuple[str, ...] = ()
    state: str | None = None
    requests: tuple[ClaimRequest, ...] = ()
    devices: tuple[AllocatedDevice, ...] = ()
    vanished: tuple[AllocatedDevice, ...] = ()
    shared: int = 0  # how many pods the claim is reserved for (1: this pod alone)
