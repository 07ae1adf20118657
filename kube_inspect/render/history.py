"""An object's story and the problems of a window: as text lines, and as JSON documents.

One line per moment, oldest first: its time (the API server's, or ``~`` before a time
only the recorder saw), the object's health after it when that changed, and what
happened in the tree's words. ``-o json`` follows kube_inspect/schema/history-v1.json.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TextIO

from kube_inspect.interpret.words import plural, printable
from kube_inspect.model.history import History, Moment, Problem
from kube_inspect.model.journal import Gap

SCHEMA_VERSION = 1


def time_words(when: datetime | None) -> str | None:
    """Return a time as RFC 3339 UTC to the second, as the API server writes them."""
    return None if when is None else when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _precise(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def object_words(kind: str, namespace: str | None, name: str) -> str:
    """Return ``pod shop/web`` or ``node kwok-worker-1``."""
    return f"{kind.lower()} {namespace + '/' if namespace else ''}{name}"


def _moment_line(moment: Moment, shown_verdict: str) -> str:
    seen = "~" if moment.time_source == "observed" else " "
    text = printable(moment.text)
    if moment.gone_at is not None:
        text += f" (deleted by the API server at {time_words(moment.gone_at)}: kept here)"
    return f"{seen}{time_words(moment.at)}  {shown_verdict:<8} {text}"


def _gap_line(gap: Gap) -> str:
    until = time_words(gap.ended_at) or "now"
    reason = printable(gap.reason)
    return f" {time_words(gap.started_at)}  {'':<8} (not recorded until {until}: {reason})"


def render_history_text(history: History, out: TextIO) -> None:
    """Write the story, one moment a line; the health column says a verdict when it changes.

    The verdict is the object's health after that change (the tree's judgement).
    """
    moments = history.moments
    head = object_words(history.kind, history.namespace, history.name)
    span = f"from {time_words(moments[0].at)} to {time_words(moments[-1].at)}" if moments else ""
    out.write(f"{head} in {history.cluster}: {plural(len(moments), 'moment')} {span}".rstrip())
    out.write("\n")
    lines: list[tuple[datetime, str]] = []
    last: str | None = None
    for index, moment in enumerate(moments):
        # a version's verdict is shown on its last moment, the one that most often says why
        following = moments[index + 1] if index + 1 < len(moments) else None
        ends = following is None or following.observed_at != moment.observed_at
        shown = moment.verdict if ends and moment.verdict not in (None, last) else ""
        last = shown or last
        lines.append((moment.at, _moment_line(moment, shown or "")))
    gaps = [g for g in history.gaps if moments and g.started_at >= moments[0].at]
    told = lines + [(g.started_at, _gap_line(g)) for g in gaps]
    for _, line in sorted(told, key=lambda pair: pair[0]) if gaps else told:
        out.write(line.rstrip() + "\n")
    if any(m.time_source == "observed" for m in moments):
        out.write("~: when the recorder saw it (the API server gave no time for it)\n")


def _moment_dict(moment: Moment) -> dict[str, Any]:
    return {
        "at": _precise(moment.at),
        "time_source": moment.time_source,
        "observed_at": _precise(moment.observed_at),
        "what": moment.what,
        "text": moment.text,
        "verdict": moment.verdict,
        "uid": moment.uid,
        "node": moment.node,
        "container": moment.container,
        "reason": moment.reason,
        "exit_code": moment.exit_code,
        "gone_at": _precise(moment.gone_at),
    }


def _gap_dict(gap: Gap) -> dict[str, Any]:
    return {
        "started_at": _precise(gap.started_at),
        "ended_at": _precise(gap.ended_at),
        "reason": gap.reason,
    }


def history_document(history: History) -> dict[str, Any]:
    """Return the story as the ``-o json`` document (schema history-v1.json, kind History)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "History",
        "cluster": history.cluster,
        "object": {"kind": history.kind, "namespace": history.namespace, "name": history.name},
        "moments": [_moment_dict(m) for m in history.moments],
        "gaps": [_gap_dict(g) for g in history.gaps],
    }


def problems_document(
    cluster: str, since: datetime | None, until: datetime | None, problems: list[Problem]
) -> dict[str, Any]:
    """Return the problems of a window as a document (schema history-v1.json, kind Problems)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "Problems",
        "cluster": cluster,
        "since": _precise(since),
        "until": _precise(until),
        "problems": [
            {
                "at": _precise(p.at),
                "kind": p.kind,
                "namespace": p.namespace,
                "name": p.name,
                "verdict": p.verdict,
                "reason": p.reason,
                "cleared_at": _precise(p.cleared_at),
            }
            for p in problems
        ],
    }


def render_problems_text(
    cluster: str,
    since: datetime | None,
    until: datetime | None,
    problems: list[Problem],
    out: TextIO,
) -> None:
    """Write each problem on a line: when, which object, why, and when it cleared."""
    window = f"since {time_words(since)}" if since else "in the whole journal"
    if until is not None:
        window += f" until {time_words(until)}"
    out.write(f"{plural(len(problems), 'problem')} in {cluster} {window}\n")
    for p in problems:
        cleared = f" (healthy again at {time_words(p.cleared_at)})" if p.cleared_at else ""
        where = object_words(p.kind, p.namespace, p.name)
        out.write(f"{time_words(p.at)}  {p.verdict:<8} {where}: {printable(p.reason)}{cleared}\n")
