"""The JSON result of ``kube-inspect check``, with a stable, versioned shape."""

from __future__ import annotations

import json
from typing import Any, TextIO

from kube_inspect.model.checks import CheckReport

SCHEMA_VERSION = 1


def check_report_dict(
    report: CheckReport,
    warnings: list[str] | None = None,
    context: str | None = None,
    server: str | None = None,
) -> dict[str, Any]:
    """Return the report as the JSON shape holds it."""
    return {
        "schema_version": SCHEMA_VERSION,
        "context": context,
        "server": server,
        # null, not true, when some rule could not be checked and none failed
        "passed": report.passed if report.complete or not report.passed else None,
        "rules": [
            {
                "name": rule,
                "passed": None
                if rule in report.not_checked
                else all(f.passed for f in report.findings if f.rule == rule),
                "checked": sum(1 for f in report.findings if f.rule == rule),
                "failed": sum(1 for f in report.failures if f.rule == rule),
            }
            for rule in report.rules
        ],
        "findings": [
            {"rule": f.rule, "object": f.object, "passed": f.passed, "message": f.message}
            for f in report.findings
        ],
        "warnings": list(warnings or []),
    }


def render_check_json(
    report: CheckReport,
    out: TextIO,
    warnings: list[str] | None = None,
    context: str | None = None,
    server: str | None = None,
) -> None:
    """Write the report as indented JSON, keys in a fixed order."""
    json.dump(check_report_dict(report, warnings, context, server), out, indent=2)
    out.write("\n")
