"""The ``--from`` file, read once when the flags are parsed: a snapshot, a fleet's, or a List."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from kube_inspect.cli.moments import is_journal, journal_moment
from kube_inspect.errors import SnapshotError, UsageError

if TYPE_CHECKING:  # the snapshot reader (and msgspec's schemas) is loaded by --from only
    from kube_inspect.offline.document import FleetSnapshot, Snapshot


def read_from_file(
    path: str, context: str | None, at: tuple[datetime, ...]
) -> tuple[str, Snapshot | FleetSnapshot] | None:
    """Return what the --from file holds (a journal: at the moment --at names), or None.

    A file that cannot be read is said so when a client is made for it, after the
    command has checked its flags (--from with a flag it refuses is that flag's error).
    """
    from kube_inspect.offline.document import load_any

    try:
        if is_journal(path):
            return path, journal_moment(path, context, at)
        return path, load_any(path)
    except (SnapshotError, UsageError):
        return None
