"""Many clusters in one view: what was read from each kubeconfig context, or why not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Member(Generic[T]):
    """One context of a fleet: what its read gave (``value``), or the error that stopped it.

    ``warnings`` are the reads the API server forbade (the value is then partial);
    ``error_code`` is the exit code the error alone would have given (0 when read).
    """

    context: str
    server: str | None
    value: T | None
    error: str | None = None
    error_code: int = 0
    warnings: tuple[str, ...] = ()
    error_kind: str | None = None  # the error's class: ClusterUnreachable, Forbidden...

    @property
    def failed(self) -> bool:
        """Return True when nothing could be read from this cluster."""
        return self.error is not None

    @property
    def partial(self) -> bool:
        """Return True when some reads of this cluster were forbidden."""
        return self.error is None and bool(self.warnings)


def fleet_counts(members: tuple[Member[T], ...]) -> str:
    """Return how the fleet's clusters fared: ``3 clusters: 1 available, 1 partial, 1 failed``."""
    read = sum(1 for m in members if not m.failed and not m.partial)
    partial = sum(1 for m in members if m.partial)
    failed = sum(1 for m in members if m.failed)
    parts = [f"{read} available"] + [f"{partial} partial"] * bool(partial)
    parts += [f"{failed} failed"] * bool(failed)
    noun = "cluster" if len(members) == 1 else "clusters"
    return f"{len(members)} {noun}: {', '.join(parts)}"
