"""Where ``check``'s reports go: stdout (text or json), the --junit file, GitHub Actions.

The files are written first: stdout may be a pipe whose reader is gone, the files must be
there. Under GITHUB_ACTIONS=true the failures are also annotations (on stderr with -o json,
so that stdout stays one document) and a Markdown summary is appended to
$GITHUB_STEP_SUMMARY.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from kube_inspect.errors import UsageError
from kube_inspect.kube.client import Target
from kube_inspect.model.checks import CheckReport
from kube_inspect.model.fleet import Member
from kube_inspect.render.checks_fleet import (
    fleet_check_dict,
    render_fleet_check_text,
    render_fleet_github_summary,
)
from kube_inspect.render.checks_json import render_check_json
from kube_inspect.render.checks_text import render_check_text
from kube_inspect.render.github import (
    render_fleet_annotations,
    render_github_annotations,
    render_github_summary,
)
from kube_inspect.render.json import write_json
from kube_inspect.render.junit import render_fleet_junit, render_junit


@dataclass(frozen=True, slots=True)
class ReportFlags:
    """Where check writes its report: ``output`` (-o: text or json) and the --junit file."""

    output: str = "text"
    junit: str | None = None


def write_junit(path: str | None, render: Callable[[TextIO], None]) -> None:
    """Write the JUnit report that ``render`` writes to ``path``, when --junit gave one."""
    if not path:
        return
    try:
        with open(path, "w", encoding="utf-8") as f:
            render(f)
    except OSError as e:
        raise UsageError(f"cannot write --junit file {path}: {e.strerror}") from e
    except ValueError as e:  # a path no file can have, e.g. with a NUL byte
        raise UsageError(f"cannot write --junit file {path!r}: {e}") from e


def in_github_actions() -> bool:
    """Return True when running as a step of a GitHub Actions job."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


def append_github_summary(render: Callable[[TextIO], None]) -> None:
    """Append what ``render`` writes to the job's Markdown summary, under GitHub Actions."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if in_github_actions() and summary:
        with open(summary, "a", encoding="utf-8") as f:
            render(f)


def write_reports(
    report: CheckReport, reports: ReportFlags, target: Target, warnings: list[str]
) -> None:
    """Write the report to stdout, the JUnit file, and GitHub Actions' outputs when there."""
    header = f"cluster {target.context} at {target.server}"
    write_junit(reports.junit, lambda f: render_junit(report, f))
    append_github_summary(lambda f: render_github_summary(report, f, header))
    if reports.output == "json":
        render_check_json(report, sys.stdout, warnings, target.context, target.server)
    else:
        render_check_text(report, sys.stdout, header)
    if in_github_actions():
        render_github_annotations(report, sys.stdout if reports.output != "json" else sys.stderr)


def write_fleet_reports(members: tuple[Member[CheckReport], ...], reports: ReportFlags) -> None:
    """Write many clusters' reports: stdout, the JUnit file, GitHub Actions' outputs."""
    write_junit(reports.junit, lambda f: render_fleet_junit(members, f))
    append_github_summary(lambda f: render_fleet_github_summary(members, f))
    if reports.output == "json":
        write_json(fleet_check_dict(members), sys.stdout)
    else:
        render_fleet_check_text(members, sys.stdout)
    if in_github_actions():
        render_fleet_annotations(members, sys.stdout if reports.output != "json" else sys.stderr)
