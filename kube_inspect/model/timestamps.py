"""API timestamps (RFC 3339) as datetimes."""

from __future__ import annotations

import functools
from datetime import datetime


@functools.lru_cache(maxsize=4096)  # pods are created in bursts: timestamps repeat
def parse_time(timestamp: str | None) -> datetime | None:
    """Return the datetime of an RFC 3339 API timestamp, or None if it is absent or bad."""
    if not timestamp:
        return None
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
