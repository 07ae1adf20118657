"""Pure: what check adds when asked what appeared since a time (``check --from JOURNAL --since``).

The rules run at the journal's last moment with what they found at ``--since`` as the
baseline; the problems that appeared in between (history's walk, the tree's judgement)
are a rule of their own, ``appeared-since``, so a crash or OOM kill that came and went
after the deploy still fails the job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kube_inspect.model.checks import CheckReport, Finding
from kube_inspect.model.history import Problem

APPEARED_RULE = "appeared-since"


def _object(problem: Problem) -> str:
    where = f"{problem.namespace}/" if problem.namespace else ""
    return f"{problem.kind.lower()}/{where}{problem.name}"


def _message(problem: Problem) -> str:
    at = problem.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"{problem.verdict} at {at}: {problem.reason}"
    if problem.cleared_at is not None:
        text += f" (healthy again at {problem.cleared_at.strftime('%Y-%m-%dT%H:%M:%SZ')})"
    return text


def appeared_findings(problems: Sequence[Problem], namespace: str | None) -> tuple[Finding, ...]:
    """Return a failing finding for each problem (of ``namespace``'s objects, when given)."""
    return tuple(
        Finding(APPEARED_RULE, _object(p), False, _message(p))
        for p in problems
        if namespace is None or p.namespace in (None, namespace)
    )


def with_appeared(report: CheckReport, findings: Sequence[Finding]) -> CheckReport:
    """Return the report with the ``appeared-since`` rule's findings, sorted as check sorts."""
    passed = () if findings else (Finding(APPEARED_RULE, "cluster", True, "no problem appeared"),)
    every = sorted((*report.findings, *findings, *passed), key=lambda f: (f.rule, f.object))
    return replace(report, rules=(*report.rules, APPEARED_RULE), findings=tuple(every))
