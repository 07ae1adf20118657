"""The human summary of ``kube-inspect check``: failures first, then a count per rule."""

from __future__ import annotations

from typing import TextIO

from kube_inspect.interpret.words import printable
from kube_inspect.model.checks import CheckReport
from kube_inspect.render.cells import plural


def render_check_text(
    report: CheckReport, out: TextIO, header: str | None = None, context: str | None = None
) -> None:
    """Write each failing finding on a line, then one line per rule, then the verdict.

    With ``context`` (several clusters), each failing object is prefixed with it.
    """
    if header:
        out.write(f"{printable(header)}\n")
    lead = f"{context}: " if context else ""
    for f in report.failures:
        # cluster text (a reason, a message) escaped: nothing of it may begin a line
        out.write(printable(f"FAIL  {f.rule:<18}  {lead}{f.object}: {f.message}") + "\n")
    if report.failures:
        out.write("\n")
    for rule in report.rules:
        found = [f for f in report.findings if f.rule == rule]
        failed = sum(1 for f in found if not f.passed)
        if rule in report.not_checked:
            out.write(f"{'skip':<4}  {rule:<18}  not checked: what it needs could not be read\n")
            continue
        if not found:
            out.write(f"{'none':<4}  {rule:<18}  nothing to check\n")
            continue
        verdict = "fail" if failed else "ok"
        out.write(f"{verdict:<4}  {rule:<18}  {len(found) - failed}/{len(found)} passed\n")
    failed_rules = len({f.rule for f in report.failures})
    unchecked = len(report.not_checked)
    checked = len(report.rules) - unchecked
    if report.passed and report.complete:
        out.write(f"all {len(report.rules)} rules passed ({len(report.findings)} checks)\n")
    elif report.passed:
        out.write(
            f"{plural(checked, 'rule')} passed ({len(report.findings)} checks), "
            f"{len(report.not_checked)} not checked\n"
        )
    else:
        out.write(
            f"{len(report.failures)} of {len(report.findings)} checks failed, "
            f"in {failed_rules} of {len(report.rules)} rules"
            + (f"; {plural(unchecked, 'rule')} not checked" if unchecked else "")
            + "\n"
        )
