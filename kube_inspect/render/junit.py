"""JUnit XML for CI test reporters: one testsuite per rule, one testcase per rule and object."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO
from xml.etree import ElementTree as ET

from kube_inspect.interpret.words import printable
from kube_inspect.model.checks import CheckReport
from kube_inspect.model.fleet import Member


def render_junit(report: CheckReport, out: TextIO, suite_name: str = "kube-inspect") -> None:
    """Write the report as a JUnit ``<testsuites>`` document."""
    root = ET.Element(
        "testsuites",
        name=suite_name,
        tests=str(len(report.findings)),
        failures=str(len(report.failures)),
    )
    _rule_suites(root, report)
    _write(root, out)


def render_fleet_junit(
    members: Sequence[Member[CheckReport]], out: TextIO, suite_name: str = "kube-inspect"
) -> None:
    """Write the reports of many clusters as one JUnit document, naming each case's cluster.

    Suites are ``CONTEXT/RULE``; a cluster that could not be read is a suite ``CONTEXT``
    with one case in error, saying why.
    """
    reports = [m.value for m in members if m.value is not None]
    root = ET.Element(
        "testsuites",
        name=suite_name,
        tests=str(sum(len(r.findings) for r in reports) + sum(m.failed for m in members)),
        failures=str(sum(len(r.failures) for r in reports)),
        errors=str(sum(m.failed for m in members)),
    )
    for member in members:
        if member.value is not None:
            _rule_suites(root, member.value, f"{member.context}/")
            continue
        suite = ET.SubElement(
            root, "testsuite", name=member.context, tests="1", failures="0", errors="1"
        )
        suite.set("skipped", "0")
        case = ET.SubElement(suite, "testcase", classname=member.context, name="read the cluster")
        error = ET.SubElement(
            case, "error", message=member.error or "", type=member.error_kind or "error"
        )
        error.text = f"{member.context}: {member.error}"
    _write(root, out)


def _rule_suites(root: ET.Element, report: CheckReport, prefix: str = "") -> None:
    """Add one testsuite per rule of ``report``, named ``PREFIX`` + the rule."""
    for rule in report.rules:
        found = [f for f in report.findings if f.rule == rule]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=prefix + rule,
            tests=str(len(found)),
            failures=str(sum(1 for f in found if not f.passed)),
            errors="0",
            skipped="0",
        )
        if rule in report.not_checked:
            suite.set("tests", "1")
            suite.set("skipped", "1")
            case = ET.SubElement(suite, "testcase", classname=prefix + rule, name=rule)
            ET.SubElement(case, "skipped", message="not checked: what it needs could not be read")
        for f in found:
            # cluster text escaped: XML 1.0 cannot hold control characters at all
            name, message = printable(f.object), printable(f.message)
            case = ET.SubElement(suite, "testcase", classname=prefix + rule, name=name)
            if not f.passed:
                failure = ET.SubElement(case, "failure", message=message, type=rule)
                failure.text = f"{prefix}{name}: {message}"


def _write(root: ET.Element, out: TextIO) -> None:
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
