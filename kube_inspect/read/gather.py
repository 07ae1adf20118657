"""What the answers of a plan's reads mean: forbidden reads, notices, one LIST per namespace.

The reads were sent at once (read/sending.py); here each answer is awaited and its
failure judged as the read needs: the view's own objects note a 403 as a forbidden read
(``attempt``); an extra absent, forbidden or down is a notice (``optional``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any, TypeVar

from kube_inspect.errors import ApiError, Forbidden, NotFound
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.plan import Read

T = TypeVar("T")
Answers = dict[Read, "Future[Any]"]


def items(answers: Answers, reads: Iterable[Read]) -> list[dict[str, Any]]:
    """Return the items of ``reads``' answers together (one LIST per namespace)."""
    return [item for read in reads for item in answers[read].result()]


def optional(read: Callable[[], T], what: str, effect: str, notices: list[str]) -> T | None:
    """Return ``read()``, or None with a notice when the API is absent, forbidden or down.

    An extra that is registered but not answering (an aggregated API such as
    metrics.k8s.io whose server is down answers 503) must not fail the whole view.
    """
    try:
        return read()
    except NotFound:
        notices.append(f"{what} is not served by this cluster: {effect}")
    except Forbidden:
        notices.append(f"reading {what} is forbidden for this user: {effect}")
    except ApiError as e:
        if e.status is None or e.status < 500:
            raise
        notices.append(f"{what} is not answering ({e.status}): {effect}")
    return None


def attempt(
    forbidden: ForbiddenReads | None,
    what: str,
    read: Callable[[], T],
    instead: T,
    consequence: str | None = None,
) -> T:
    """Return ``read()``; with ``forbidden``, a 403 is noted there and gives ``instead``."""
    if forbidden is None:
        return read()
    return forbidden.attempt(what, read, instead, consequence)


def gathered(
    forbidden: ForbiddenReads | None,
    what: str,
    reads: tuple[Read, ...],
    answer: Callable[[tuple[Read, ...]], T],
    instead: T,
    consequence: str | None = None,
) -> tuple[list[T], bool]:
    """Return ``answer`` of each namespace's reads, and whether any namespace's was allowed.

    With ``forbidden``, a 403 in one namespace is noted there (that namespace gives
    ``instead``) and the others are still read.
    """
    found: list[T] = []
    allowed = False
    for namespace in dict.fromkeys(r.namespace for r in reads):
        mine = tuple(r for r in reads if r.namespace == namespace)
        noted = len(forbidden.what) if forbidden is not None else 0

        def read(mine: tuple[Read, ...] = mine) -> T:
            return answer(mine)

        found.append(attempt(forbidden, what, read, instead, consequence))
        allowed = allowed or forbidden is None or len(forbidden.what) == noted
    return found, allowed
