"""Pure: the pieces every kind's story is made of: a moment, and a judged version."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from kube_inspect.interpret import fields
from kube_inspect.interpret.health import Judgement
from kube_inspect.model.history import Moment, MomentKind
from kube_inspect.model.journal import Change
from kube_inspect.model.timestamps import parse_time


@dataclass(frozen=True, slots=True)
class Version:
    """One version of an object, its moments (what changed) and its judgement."""

    change: Change
    moments: tuple[Moment, ...]
    verdict: str | None  # None: deleted, or a kind without a verdict
    reason: str | None  # why the verdict, when not healthy


def api_time(value: Any, fallback: datetime) -> tuple[datetime, bool]:
    """Return an API timestamp as a datetime (True), or ``fallback`` (False) when absent."""
    parsed = parse_time(fields.text(value))
    return (fallback, False) if parsed is None else (parsed, True)


def moment(change: Change, what: MomentKind, text: str, when: Any = None, **more: Any) -> Moment:
    """Return a moment of ``change``, at the API's time ``when`` if given, else when seen."""
    at, from_api = api_time(when, change.observed_at)
    return Moment(
        at=at,
        what=what,
        text=text,
        time_source="api" if from_api else "observed",
        observed_at=change.observed_at,
        uid=change.uid or None,
        **more,
    )


def judged(change: Change, moments: list[Moment], judgement: Judgement | None) -> Version:
    """Return the version with its moments, each carrying the verdict after it."""
    verdict = None if judgement is None else judgement.verdict
    reason = None if judgement is None or verdict == "healthy" else judgement.reason
    return Version(change, tuple(replace(m, verdict=verdict) for m in moments), verdict, reason)
