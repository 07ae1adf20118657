"""What a journal of a cluster holds: each change the recorder saw, and the gaps it could not see.

A journal is written by ``kube-inspect record`` (LIST, then WATCH, of what a snapshot holds)
and read by ``--from JOURNAL --at TIME``, ``history`` and ``check --since``. These values are
the one shape both sides agree on, whatever stores them (SQLite or PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

# Where `kube-inspect record` writes and `history` reads, when neither is told a journal.
DEFAULT_JOURNAL = "kube-inspect-journal.sqlite"


class ChangeType(Enum):
    """How an object changed, in the watch's words (a relist's differences are said the same)."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class ObjectKey:
    """Which object: its resource (a key of ``offline.routes.KINDS``), namespace and name."""

    resource: str  # "pods", "nodes", "deployments"...
    namespace: str | None  # None for nodes and other cluster-wide objects
    name: str


@dataclass(frozen=True, slots=True)
class Change:
    """One version of one object, as the recorder saw it (the object kept as a snapshot keeps it).

    ``observed_at`` is when the recorder received it; ``object`` is the object after the
    change (for DELETED, its last state). ``uid`` tells a recreated pod from the one before.
    """

    seq: int  # order of writing within the journal: ties in observed_at keep this order
    cluster: str  # the context recorded
    observed_at: datetime  # UTC, aware
    change: ChangeType
    key: ObjectKey
    uid: str
    resource_version: str
    object: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Gap:
    """A time the recorder could not see the cluster (a cut, a restart, a refused watch)."""

    cluster: str
    started_at: datetime
    ended_at: datetime | None  # None while it is still open (the recorder is not running)
    reason: str  # one line, in the words the recorder printed on stderr


@dataclass(frozen=True, slots=True)
class JournalSpan:
    """What one cluster's journal covers: from the first LIST to the last change or heartbeat."""

    cluster: str
    server: str
    first_at: datetime
    last_at: datetime
    gaps: tuple[Gap, ...] = ()
