"""``kube-inspect check`` over many clusters: each cluster's report under its name, a verdict.

JUnit and GitHub annotations over a fleet live with their one-cluster versions (junit.py,
github.py); this module holds the text, the JSON document and the GitHub summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from kube_inspect.interpret.words import printable
from kube_inspect.model.checks import CheckReport
from kube_inspect.model.fleet import Member
from kube_inspect.render.checks_json import SCHEMA_VERSION, check_report_dict
from kube_inspect.render.checks_text import render_check_text
from kube_inspect.render.github import markdown_cell, render_github_summary


def _header(member: Member[CheckReport]) -> str:
    return f"cluster {member.context} at {member.server or '<unknown>'}"


def fleet_verdict(members: Sequence[Member[CheckReport]]) -> str:
    """Return the last line: ``fleet of 3 clusters: 1 passed, 1 failed checks, 1 not read``."""
    passed = sum(1 for m in members if m.value is not None and m.value.passed)
    failed = sum(1 for m in members if m.value is not None and not m.value.passed)
    unread = sum(1 for m in members if m.value is None)
    parts = [f"{passed} passed"] + [f"{failed} failed checks"] * bool(failed)
    parts += [f"{unread} not read"] * bool(unread)
    return f"fleet of {len(members)} clusters: {', '.join(parts)}"


def render_fleet_check_text(members: Sequence[Member[CheckReport]], out: TextIO) -> None:
    """Write each cluster's report under its header (or why it was not read), then the verdict."""
    for member in members:
        if member.value is None:
            out.write(f"{printable(_header(member))}\nerror: {printable(member.error or '')}\n\n")
            continue
        render_check_text(member.value, out, _header(member), member.context)
        out.write("\n")
    out.write(fleet_verdict(members) + "\n")


def fleet_check_dict(members: Sequence[Member[CheckReport]]) -> dict[str, Any]:
    """Return the JSON document of many clusters' checks: one report per context.

    Each is the one-cluster document (without ``schema_version``) plus ``error``; a
    cluster not read has ``passed`` null, no rules or findings, and its ``error``.
    ``passed`` at the top is false when any failed, null when any was not (fully) checked.
    """
    clusters = []
    for member in members:
        if member.value is None:
            doc: dict[str, Any] = {
                "context": member.context,
                "server": member.server,
                "passed": None,
                "rules": [],
                "findings": [],
                "warnings": list(member.warnings),
            }
        else:
            doc = check_report_dict(
                member.value, list(member.warnings), member.context, member.server
            )
            del doc["schema_version"]
        clusters.append({**doc, "error": member.error})
    verdicts = [c["passed"] for c in clusters]
    passed = False if False in verdicts else None if None in verdicts else True
    return {"schema_version": SCHEMA_VERSION, "passed": passed, "clusters": clusters}


def render_fleet_github_summary(members: Sequence[Member[CheckReport]], out: TextIO) -> None:
    """Write the Markdown job summary: each cluster's, or one line for a cluster not read."""
    for member in members:
        if member.value is not None:
            render_github_summary(member.value, out, _header(member))
        else:
            out.write(f"## kube-inspect check: {markdown_cell(member.context)} not read\n\n")
            out.write(f"{markdown_cell(member.error or '')}\n")
        out.write("\n")
