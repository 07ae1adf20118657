"""The README and the manual stay true: their commands run as shown, the reference is --help.

Every ``kube-inspect`` command in a code block of README.md or docs/*.md (tests/docs/
examples.py says how they are found and marked) runs here on the sample snapshot, unless
its block is marked live (tests/integration/test_docs_examples.py runs those on the live
sample cluster) or names the integration test that builds its cluster.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.docs.examples import (
    MODES,
    ROOT,
    Example,
    all_examples,
    documents,
    run_offline,
    shown_output,
    write_example_files,
)
from tests.docs.reference import REFERENCE, reference_markdown

EXAMPLES = all_examples()
OFFLINE = [e for e in EXAMPLES if e.mode in ("offline", "output")]
README_LIMIT = 250  # lines: a front page; the rest is the manual (docs/)


@pytest.mark.parametrize("example", OFFLINE, ids=lambda e: f"{e.where} {e.shown}")
def test_every_offline_example_runs_as_shown(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_example_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run_offline(example)
    assert result.exit_code == example.exit_code, (
        f"{example.where}: `{example.shown}` exited {result.exit_code}, shown as "
        f"{example.exit_code}:\n{result.output}"
    )
    if example.mode == "output":
        assert shown_output(example, result.output) == example.output, (
            f"{example.where}: `{example.shown}` prints something else than shown: "
            "run `make docs-examples` to show what it prints"
        )


def test_the_docs_show_examples_of_every_kind() -> None:
    modes = {e.mode for e in EXAMPLES}
    assert modes <= set(MODES), f"unknown markers: {modes - set(MODES)}"
    assert {"offline", "output", "live", "tested-in"} <= modes
    readme = [e for e in EXAMPLES if e.path == "README.md"]
    assert len(readme) >= 12, "the README shows the dozen commands people use most"


def test_every_marker_is_one_the_extractor_knows() -> None:
    for path in documents():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.startswith("<!-- examples"):
                mode = re.match(r"^<!-- examples: ([\w-]+)", line)
                assert mode and mode[1] in MODES, f"{path.name}:{number}: {line}"


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if e.mode == "tested-in"], ids=lambda e: e.where
)
def test_tested_in_names_a_test_that_exists(example: Example) -> None:
    file, _, name = example.mode_arg.partition("::")
    source = ROOT / file
    assert source.is_file(), f"{example.where}: no such test file {file}"
    assert re.search(rf"^def {re.escape(name)}\(", source.read_text(), re.M), (
        f"{example.where}: {file} has no test {name}"
    )


def test_the_reference_is_what_help_says() -> None:
    assert REFERENCE.read_text() == reference_markdown(), (
        "docs/reference.md is stale: run `make docs-reference`"
    )


def test_the_readme_is_a_front_page() -> None:
    lines = (ROOT / "README.md").read_text().count("\n")
    assert lines <= README_LIMIT, f"README.md has {lines} lines; move detail to docs/"


def test_every_manual_page_is_in_the_nav() -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"]
    listed = {page for entry in nav for page in entry.values()}
    pages = {p.name for p in (ROOT / "docs").glob("*.md")}
    assert listed == pages


def test_the_mermaid_picture_is_the_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_example_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    page = (ROOT / "docs" / "pictures.md").read_text()
    shown = page.split("```mermaid\n", 1)[1].split("```\n", 1)[0]
    args = ("tree", "-o", "mermaid", "-n", "batch", "--from", "tests/fixtures/sample-snapshot.json")
    example = Example("docs/pictures.md", 0, " ".join(args), args, "offline", "", 0, None)
    assert run_offline(example).stdout == shown
