"""Durations as a user types them for kubectl (``30``, ``5s``, ``1m30s``), read into seconds."""

from __future__ import annotations

import re

from kube_inspect.errors import UsageError
from kube_inspect.model.durations import human_duration

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}

DAY = 86400.0
MAX_DURATION = DAY  # longer than any request or wait makes sense; far from overflows


def parse_duration(value: str, flag: str, maximum: float = MAX_DURATION) -> float:
    """Return a kubectl-style duration (``30``, ``5s``, ``1m30s``) in seconds.

    Outside 0..``maximum`` it is a usage error: a huge one overflows the timers below.
    """
    text = value.strip()
    if re.fullmatch(r"\d+", text):
        seconds = float(text)
    elif text and _DURATION.sub("", text) == "":
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(text))
    else:
        raise UsageError(f"invalid {flag} {value!r}: use a duration such as 10s, 2m or 1m30s")
    if seconds > maximum:
        raise UsageError(
            f"invalid {flag} {value!r}: at most {human_duration(maximum)} ({maximum:.0f}s)"
        )
    return seconds
