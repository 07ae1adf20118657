"""Amounts of resources (CPU, memory and any other by its API name), and their sums."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

Amounts = tuple[tuple[str, int], ...]  # (resource name, amount) pairs, sorted by name


@dataclass(frozen=True, slots=True)
class Resources:
    """An amount of CPU (millicores) and memory (bytes); None where it is not set.

    ``other`` holds every other resource by its API name (``nvidia.com/gpu``,
    ``ephemeral-storage``, ``hugepages-2Mi``...), in whole units (bytes for storage and
    hugepages), sorted by name; a resource not set is absent.
    """

    cpu_m: int | None = None
    memory_bytes: int | None = None
    other: Amounts = ()

    def amount(self, name: str) -> int | None:
        """Return the amount of one resource by its API name (cpu in millicores), or None."""
        if name == "cpu":
            return self.cpu_m
        if name == "memory":
            return self.memory_bytes
        for key, value in self.other:
            if key == name:
                return value
        return None


NO_RESOURCES = Resources()


def _plus(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else a + b


def _merge(a: Amounts, b: Amounts, combine: Callable[[int, int], int]) -> Amounts:
    if not b:
        return a
    if not a:
        return b
    merged = dict(a)
    for name, value in b:
        merged[name] = combine(merged[name], value) if name in merged else value
    return tuple(sorted(merged.items()))


def add_resources(a: Resources, b: Resources) -> Resources:
    """Return the sum of two amounts; a part unknown on one side takes the other's."""
    if b is NO_RESOURCES:
        return a
    if a is NO_RESOURCES:
        return b
    if not a.other and not b.other:  # the common case, kept as fast as before
        return Resources(_plus(a.cpu_m, b.cpu_m), _plus(a.memory_bytes, b.memory_bytes))
    return Resources(
        _plus(a.cpu_m, b.cpu_m),
        _plus(a.memory_bytes, b.memory_bytes),
        _merge(a.other, b.other, int.__add__),
    )


def largest_resources(a: Resources, b: Resources) -> Resources:
    """Return the larger of two amounts, resource by resource."""
    if b is NO_RESOURCES:  # most pods have no init container: their own amount serves
        return a
    if a is NO_RESOURCES:
        return b
    if not a.other and not b.other:
        return Resources(_max(a.cpu_m, b.cpu_m), _max(a.memory_bytes, b.memory_bytes))
    return Resources(
        _max(a.cpu_m, b.cpu_m), _max(a.memory_bytes, b.memory_bytes), _merge(a.other, b.other, max)
    )


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def total_resources(amounts: Iterable[Resources]) -> Resources:
    """Return the sum of many amounts."""
    result = NO_RESOURCES
    for amount in amounts:
        result = add_resources(result, amount)
    return result
