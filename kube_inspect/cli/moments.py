"""`--at TIME`: which moment of a journal a view reads (``--from JOURNAL --at -2h``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kube_inspect.errors import UsageError

if TYPE_CHECKING:
    from kube_inspect.offline.document import Snapshot

F = TypeVar("F", bound=Callable[..., Any])
_AGO = re.compile(r"-((?:\d+(?:\.\d+)?(?:d|h|m|s))+)")
_PART = re.compile(r"(\d+(?:\.\d+)?)(d|h|m|s)")
_UNIT = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
AT_HELP = (
    "With --from JOURNAL: the moment to show, a UTC time (2026-12-06T03:00:00Z) or a time "
    "ago (-2h, -1h30m, -2d); default: the last moment recorded."
)


def at_option(func: F) -> F:
    """Add ``--at TIME`` (repeatable: diff takes two) to a command; passes ``at`` as given."""
    return click.option("--at", "at", multiple=True, metavar="TIME", help=AT_HELP)(func)


def parse_at(value: str, now: datetime | None = None) -> datetime:
    """Return the moment ``--at VALUE`` names, in UTC; a time without a zone is UTC."""
    text = value.strip()
    ago = _AGO.fullmatch(text)
    if ago is not None:
        seconds = sum(float(n) * _UNIT[u] for n, u in _PART.findall(ago[1]))
        return (now or datetime.now(UTC)) - timedelta(seconds=seconds)
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"invalid --at {value!r}: use a time such as 2026-12-06T03:00:00Z or a time ago "
            "such as -2h"
        ) from None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def is_journal(target: str) -> bool:
    """Return True when ``--from TARGET`` names a journal (an SQLite file or postgresql://)."""
    from kube_inspect.journal.store import is_journal as journal_there

    return journal_there(target)


def journal_moment(target: str, cluster: str | None, at: tuple[datetime, ...]) -> Snapshot:
    """Return the journal's cluster at the moment asked (the last recorded, when none)."""
    if len(at) > 1:
        raise UsageError("--at is given once here (diff takes two: BEFORE's and AFTER's)")
    from kube_inspect.journal.moment import read_moment

    return read_moment(target, cluster, at[0] if at else None)
