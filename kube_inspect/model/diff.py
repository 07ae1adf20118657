"""What changed between two reads of a cluster, in the hierarchy's shape: plain data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Presence = Literal["added", "removed", "changed"]
Value = str | int | None


@dataclass(frozen=True, slots=True)
class Change:
    """One field that changed: ``field`` went from ``before`` to ``after``.

    Fields: ``ready`` and ``schedulable`` (nodes); ``node`` and ``phase`` (pods);
    ``state``, ``restarts``, ``image`` and ``requests`` (containers).
    """

    field: str
    before: Value
    after: Value


@dataclass(frozen=True, slots=True)
class ContainerDiff:
    """A container that came, went, or changed."""

    name: str
    presence: Presence
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True, slots=True)
class PodDiff:
    """A pod that came, went, or changed; containers that did not change are left out."""

    namespace: str
    name: str
    presence: Presence
    changes: tuple[Change, ...] = ()
    containers: tuple[ContainerDiff, ...] = ()


@dataclass(frozen=True, slots=True)
class NodeDiff:
    """A node that came, went, changed, or holds pods that did (then ``presence`` is changed).

    ``name`` None is the place of pods with no node (unscheduled).
    """

    name: str | None
    presence: Presence
    changes: tuple[Change, ...] = ()
    pods: tuple[PodDiff, ...] = ()


@dataclass(frozen=True, slots=True)
class Side:
    """Which read one side of a diff is: the cluster's identity and the time."""

    context: str
    server: str
    read_at: str | None


@dataclass(frozen=True, slots=True)
class ClusterDiff:
    """Every change between ``before`` and ``after``, nodes by name, unscheduled pods last.

    A kind of object one side could not read (forbidden) is not compared: its absence
    there is unknown, not a removal; ``not_compared`` says which and why.
    """

    before: Side
    after: Side
    nodes: tuple[NodeDiff, ...]
    # what could not be compared, and why: ``nodes: AFTER may not list them``
    not_compared: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Return True when anything changed."""
        return bool(self.nodes)
