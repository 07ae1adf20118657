"""JUnit XML for CI test reporters: one testsuite per rule, one testcase per rule and object."""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree as ET

from kube_inspect.model.checks import CheckReport


def render_junit(report: CheckReport, out: TextIO, suite_name: str = "kube-inspect") -> None:
    """Write the report as a JUnit ``<testsuites>`` document."""
    root = ET.Element(
        "testsuites",
        name=suite_name,
        tests=str(len(report.findings)),
        failures=str(len(report.failures)),
    )
    for rule in report.rules:
        found = [f for f in report.findings if f.rule == rule]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=rule,
            tests=str(len(found)),
            failures=str(sum(1 for f in found if not f.passed)),
            errors="0",
            skipped="0",
        )
        if rule in report.not_checked:
            suite.set("tests", "1")
            suite.set("skipped", "1")
            case = ET.SubElement(suite, "testcase", classname=rule, name=rule)
            ET.SubElement(
                case, "skipped", message="not checked: reading what it needs is forbidden"
            )
        for f in found:
            case = ET.SubElement(suite, "testcase", classname=rule, name=f.object)
            if not f.passed:
                failure = ET.SubElement(case, "failure", message=f.message, type=rule)
                failure.text = f"{f.object}: {f.message}"
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
