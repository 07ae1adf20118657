from __future__ import annotations

import io
from xml.etree import ElementTree as ET

from kube_inspect.model.checks import CheckReport, Finding
from kube_inspect.render.checks_text import render_check_text
from kube_inspect.render.github import render_github_annotations, render_github_summary
from kube_inspect.render.junit import render_junit

REPORT = CheckReport(
    rules=("node-ready", "expect"),
    findings=(
        Finding("node-ready", "node/a", True, "node is Ready"),
        Finding("expect", "pod/ns/p", False, "100% broken\nsecond line | pipe <&>"),
    ),
)


def test_annotations_escape_what_the_actions_runner_would_misread() -> None:
    out = io.StringIO()
    render_github_annotations(REPORT, out)
    assert out.getvalue() == (
        "::error title=kube-inspect expect::pod/ns/p: 100%25 broken\\nsecond line | pipe <&>\n"
    )


def test_summary_table_cells_stay_in_their_cells() -> None:
    out = io.StringIO()
    render_github_summary(REPORT, out)
    assert "| expect | `pod/ns/p` | 100% broken second line \\| pipe <&> |" in out.getvalue()


def test_junit_is_well_formed_whatever_the_message() -> None:
    out = io.StringIO()
    render_junit(REPORT, out)
    root = ET.fromstring(out.getvalue().split("\n", 1)[1])
    failure = root.find("./testsuite[@name='expect']/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "100% broken\\nsecond line | pipe <&>"
    assert root.get("tests") == "2" and root.get("failures") == "1"


def test_text_summary_counts_rules_and_checks() -> None:
    out = io.StringIO()
    render_check_text(REPORT, out)
    assert out.getvalue().splitlines()[-1] == "1 of 2 checks failed, in 1 of 2 rules"
