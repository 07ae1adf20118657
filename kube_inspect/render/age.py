"""Ages in kubectl's words: 45s, 5m10s, 3h, 12d."""

from __future__ import annotations

import functools
from datetime import datetime

from kube_inspect.model.durations import human_duration as human_duration  # re-exported
from kube_inspect.model.timestamps import parse_time


@functools.lru_cache(maxsize=4096)
def age(timestamp: str | None, now: datetime) -> str:
    """Return the age of an object created at ``timestamp``, or ``<unknown>``."""
    created = parse_time(timestamp)
    return "<unknown>" if created is None else human_duration((now - created).total_seconds())
