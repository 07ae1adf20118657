"""When to retry a read the API server refused for the moment: pure, so it is testable.

Reads are idempotent, so kube-inspect retries them when the server says "not now":
429 Too Many Requests (honouring Retry-After) and 5xx. Attempts are bounded, delays grow
exponentially with jitter, so many clients do not retry in lockstep.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from kube_inspect.errors import ApiError, Gone

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times and how long to retry a read.

    ``retries`` is the number of retries after the first attempt; ``base_delay`` the first
    backoff in seconds, doubled on each retry up to ``max_delay``; a Retry-After longer
    than ``max_retry_after`` is not waited for (the error is reported instead).
    """

    retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0


DEFAULT_POLICY = RetryPolicy()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After header asks for (delta-seconds or HTTP-date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # str.isdigit alone also accepts "²"
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry_delay(
    policy: RetryPolicy,
    attempt: int,
    status: int | None,
    retry_after: float | None,
    random: Callable[[], float],
) -> float | None:
    """Return how long to wait before retry number ``attempt`` (1-based), or None to give up.

    ``random`` returns a float in [0, 1): the jitter. With a Retry-After, the wait is at
    least what the server asked for, plus up to 10% jitter.
    """
    if status not in RETRYABLE_STATUSES or attempt > policy.retries:
        return None
    if retry_after is not None:
        if retry_after > policy.max_retry_after:
            return None
        return retry_after * (1.0 + 0.1 * random())
    backoff = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1))
    return backoff * (0.5 + 0.5 * random())  # "equal jitter": between half and all of it


def again_if_gone(read: Callable[[], T], what: str) -> T:
    """Return ``read()``, read once more if it failed with 410 Gone; a second 410 is Gone.

    A 410 in the middle of a paged LIST means etcd compacted the revision the list was
    reading: what was read so far is dropped and the read starts again, once.
    """
    try:
        return read()
    except ApiError as e:
        if e.status != 410:
            raise
    try:
        return read()
    except ApiError as e:
        if e.status != 410:
            raise
        raise Gone(
            f"the list of {what} expired twice while being read in pages (410 Gone): "
            "the cluster changes faster than it can be listed; try again, or with -n"
        ) from e
