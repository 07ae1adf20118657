"""The ``--from`` file, read once when the flags are parsed: a snapshot, a fleet's, or a List."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kube_inspect.errors import SnapshotError

if TYPE_CHECKING:  # the snapshot reader (and msgspec's schemas) is loaded by --from only
    from kube_inspect.offline.document import FleetSnapshot, Snapshot


def read_from_file(path: str) -> tuple[str, Snapshot | FleetSnapshot] | None:
    """Return what the --from file holds, or None when it cannot be read.

    A file that cannot be read is said so when a client is made for it, after the
    command has checked its flags (--from with a flag it refuses is that flag's error).
    """
    from kube_inspect.offline.document import load_any

    try:
        return path, load_any(path)
    except SnapshotError:
        return None
