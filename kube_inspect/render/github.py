"""GitHub Actions output: annotation lines for the log, a Markdown table for the job summary."""

from __future__ import annotations

from typing import TextIO

from kube_inspect.model.checks import CheckReport


def _escape(text: str, property_value: bool = False) -> str:
    """Escape a workflow command's data (or property value) as the Actions runner expects."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github_annotations(report: CheckReport, out: TextIO) -> None:
    """Write one ``::error`` workflow command per failing finding."""
    for f in report.failures:
        title = _escape(f"kube-inspect {f.rule}", property_value=True)
        out.write(f"::error title={title}::{_escape(f'{f.object}: {f.message}')}\n")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_github_summary(report: CheckReport, out: TextIO, header: str | None = None) -> None:
    """Write a Markdown summary: the verdict, a table per rule, then the failures."""
    verdict = "passed" if report.passed else f"failed ({len(report.failures)} checks)"
    out.write(f"## kube-inspect check {verdict}\n\n")
    if header:
        out.write(f"{_cell(header)}\n\n")
    out.write("| rule | passed | failed |\n|---|---:|---:|\n")
    for rule in report.rules:
        found = [f for f in report.findings if f.rule == rule]
        failed = sum(1 for f in found if not f.passed)
        mark = ":x:" if failed else ":white_check_mark:"
        out.write(f"| {mark} {rule} | {len(found) - failed} | {failed} |\n")
    if report.failures:
        out.write("\n| rule | object | problem |\n|---|---|---|\n")
        for f in report.failures:
            out.write(f"| {f.rule} | `{_cell(f.object)}` | {_cell(f.message)} |\n")
