"""GitHub Actions output: annotation lines for the log, a Markdown table for the job summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from kube_inspect.interpret.words import printable
from kube_inspect.model.checks import CheckReport
from kube_inspect.model.fleet import Member


def _escape(text: str, property_value: bool = False) -> str:
    """Escape a workflow command's data (or property value) as the Actions runner expects.

    Control characters are escaped first (``printable``): a line break of cluster text
    shows as ``\\n``, as in every other output.
    """
    text = printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github_annotations(report: CheckReport, out: TextIO, context: str | None = None) -> None:
    """Write one ``::error`` workflow command per failing finding (naming its context if given)."""
    where = f" ({context})" if context else ""
    lead = f"{context}: " if context else ""
    for f in report.failures:
        title = _escape(f"kube-inspect {f.rule}{where}", property_value=True)
        out.write(f"::error title={title}::{_escape(f'{lead}{f.object}: {f.message}')}\n")


def render_fleet_annotations(members: Sequence[Member[CheckReport]], out: TextIO) -> None:
    """Write the failures of every cluster, and one ``::error`` per cluster not read."""
    for member in members:
        if member.value is not None:
            render_github_annotations(member.value, out, member.context)
            continue
        title = _escape(f"kube-inspect ({member.context})", property_value=True)
        out.write(f"::error title={title}::{_escape(f'{member.context}: {member.error}')}\n")


def markdown_cell(text: str) -> str:
    """Return ``text`` fit for one cell of a Markdown table (no pipe, no newline)."""
    return printable(text.replace("\n", " ")).replace("|", "\\|")


def render_github_summary(report: CheckReport, out: TextIO, header: str | None = None) -> None:
    """Write a Markdown summary: the verdict, a table per rule, then the failures."""
    verdict = "passed" if report.passed else f"failed ({len(report.failures)} checks)"
    out.write(f"## kube-inspect check {verdict}\n\n")
    if header:
        out.write(f"{markdown_cell(header)}\n\n")
    out.write("| rule | passed | failed |\n|---|---:|---:|\n")
    for rule in report.rules:
        found = [f for f in report.findings if f.rule == rule]
        failed = sum(1 for f in found if not f.passed)
        mark = ":x:" if failed else ":white_check_mark:"
        out.write(f"| {mark} {rule} | {len(found) - failed} | {failed} |\n")
    if report.failures:
        out.write("\n| rule | object | problem |\n|---|---|---|\n")
        for f in report.failures:
            out.write(f"| {f.rule} | `{markdown_cell(f.object)}` | {markdown_cell(f.message)} |\n")
