"""Kubernetes resource quantities: parse ``250m``, ``1.5Gi``, ``1e3``; print them back."""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal, InvalidOperation

_SUFFIXES = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$")
_BINARY_UNITS = (
    ("Ei", 2**60),
    ("Pi", 2**50),
    ("Ti", 2**40),
    ("Gi", 2**30),
    ("Mi", 2**20),
    ("Ki", 2**10),
)


def parse_quantity(text: object) -> Decimal | None:
    """Return the value of a quantity string, or None if it is not one."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return Decimal(str(text))
    if not isinstance(text, str):
        return None
    match = _QUANTITY.match(text.strip())
    if match is None:
        return None
    try:
        return Decimal(match.group(1)) * _SUFFIXES[match.group(2)]
    except InvalidOperation:
        return None


def millicores(text: object) -> int | None:
    """Return a CPU quantity in millicores, rounded up as Kubernetes does."""
    if isinstance(text, str):
        return _cached(text, 1000)
    value = parse_quantity(text)
    return None if value is None else math.ceil(value * 1000)


def whole(text: object) -> int | None:
    """Return a quantity (memory in bytes, a pod count) as a whole number, rounded up."""
    if isinstance(text, str):
        return _cached(text, 1)
    value = parse_quantity(text)
    return None if value is None else math.ceil(value)


@functools.lru_cache(maxsize=4096)
def _cached(text: str, scale: int) -> int | None:
    # A cluster repeats a few quantity strings ("100m", "128Mi") on every container:
    # parsing each once saves most of the aggregator's time at scale.
    value = parse_quantity(text)
    return None if value is None else math.ceil(value * scale)


def format_cpu(millis: int | None) -> str:
    """Return millicores as kubectl prints CPU: ``250m``, or ``2`` for whole cores."""
    if millis is None:
        return "-"
    return f"{millis // 1000}" if millis % 1000 == 0 else f"{millis}m"


def format_bytes(count: int | None) -> str:
    """Return a byte count in binary units: ``64Mi``, ``1.5Gi``."""
    if count is None:
        return "-"
    for unit, size in _BINARY_UNITS:
        if count >= size:
            value = count / size
            return (
                f"{value:.0f}{unit}"
                if value >= 100 or value == int(value)
                else f"{value:.1f}{unit}"
            )
    return str(count)


def percent(part: int | None, whole_value: int | None) -> str:
    """Return ``part`` as a percentage of ``whole_value``, or ``-`` when either is unknown.

    Truncated as ``kubectl describe node`` does (``int64(float64(req)/float64(alloc)*100)``),
    so that both show the same figure: 13.5% is 13%.
    """
    if part is None or not whole_value:
        return "-"
    return f"{int(part / whole_value * 100)}%"


def counted_in_bytes(resource: str) -> bool:
    """Return True for resources measured in bytes: memory, storage, hugepages."""
    return resource in ("memory", "ephemeral-storage", "storage") or resource.startswith(
        "hugepages-"
    )


def format_amount(resource: str, amount: int | None) -> str:
    """Return an amount of any resource as kubectl prints it: ``250m``, ``1Gi``, ``2``."""
    if resource == "cpu":
        return format_cpu(amount)
    if amount is None:
        return "-"
    return format_bytes(amount) if counted_in_bytes(resource) else str(amount)
