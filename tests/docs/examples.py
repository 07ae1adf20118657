"""The `kube-inspect` commands shown in README.md and docs/*.md, read from their code blocks.

Which lines are commands:

- in a fenced block whose language is ``sh``, every line that starts with ``kube-inspect``;
- in any fenced block, every line ``$ kube-inspect ...`` (a terminal transcript: the lines
  after it, up to the next ``$`` line, are what it printed).

A trailing ``# exit N`` comment on a command says the exit code it gives as shown (else 0).
A pipe or a redirection ends the command: ``kube-inspect tree -o json | jq ...`` runs
``kube-inspect tree -o json``.

An HTML comment on the line right before the fence says how the block's commands are run
(invisible on GitHub and in the built manual; the text beside the block says it to readers):

- (no comment): offline, against the sample snapshot ``tests/fixtures/sample-snapshot.json``
  (``--from`` is added unless the command has one), by ``tests/unit/test_docs.py``;
- ``<!-- examples: output -->``: offline, and the transcript's output must be exactly what
  the command prints;
- ``<!-- examples: live -->``: against the live sample cluster, by
  ``tests/integration/test_docs_examples.py`` (on the local backend);
- ``<!-- examples: tested-in tests/integration/FILE.py::TEST -->``: a transcript from a
  cluster only that test builds (several clusters, faults, a GPU node); the named test
  runs such commands and checks their output. A unit test checks the test exists.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from kube_inspect.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_SNAPSHOT = "tests/fixtures/sample-snapshot.json"
# reference.md is --help itself; performance.md records benchmark runs on seeded clusters
NOT_EXAMPLES = ("docs/reference.md", "docs/performance.md")
PROGRAMS = ("kube-inspect", "kubectl inspect", "python -m kube_inspect")

_FENCE = re.compile(r"^(?P<fence>```+|~~~+)\s*(?P<lang>[\w+-]*)")
_MARK = re.compile(r"^<!--\s*examples:\s*(?P<mode>[\w-]+)\s*(?P<arg>.*?)\s*-->\s*$")
_EXIT = re.compile(r"#\s*exit\s+(?P<code>\d+)\b")
_HEAD = re.compile(r"\|\s*head\s+(?:-n\s*)?-?(?P<lines>\d+)\s*(?:#.*)?$")
_ENDS = ("|", ">", ">>", "2>", "2>&1", "&&", ";", "<")
MODES = ("offline", "output", "live", "tested-in")


@dataclass(frozen=True)
class Example:
    """One command shown in the docs, where it is, how it runs and what it must give."""

    path: str  # relative to the repository
    line: int
    shown: str  # the line as shown, without a leading "$ "
    args: tuple[str, ...]  # the arguments after the program name, up to a pipe or redirection
    mode: str  # one of MODES
    mode_arg: str  # tested-in: the test that runs it
    exit_code: int
    output: str | None  # a transcript's output (mode "output" compares it)
    head: int | None = None  # shown through `| head -N`: only the first N lines are shown

    @property
    def where(self) -> str:
        """Return ``path:line``, for test ids and messages."""
        return f"{self.path}:{self.line}"


def documents(root: Path = ROOT) -> list[Path]:
    """Return README.md and the manual's pages that show commands, in a fixed order."""
    pages = sorted((root / "docs").glob("*.md"))
    return [root / "README.md", *(p for p in pages if _rel(p, root) not in NOT_EXAMPLES)]


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def command_args(shown: str) -> tuple[str, ...] | None:
    """Return the arguments of a shown command after its program name, or None if not one."""
    program = next((p for p in PROGRAMS if shown == p or shown.startswith(p + " ")), None)
    if program is None:
        return None
    words = shlex.split(shown[len(program) :], comments=True)
    cut = next((i for i, w in enumerate(words) if w in _ENDS or w.startswith(("2>", ">"))), None)
    return tuple(words[:cut])


def _blocks(text: str) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield each fenced block: its first line's number, language, marker and lines."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if not opened:
            i += 1
            continue
        mark = lines[i - 1].strip() if i else ""
        body: list[str] = []
        start = i + 1
        i += 1
        while i < len(lines) and not lines[i].startswith(opened["fence"]):
            body.append(lines[i])
            i += 1
        i += 1
        yield start, opened["lang"], mark, body


def _mode(mark: str) -> tuple[str, str]:
    found = _MARK.match(mark)
    if found is None:
        return "offline", ""
    return found["mode"], found["arg"]


def examples_in(path: Path, root: Path = ROOT) -> list[Example]:
    """Return every command shown in the code blocks of one Markdown file."""
    found: list[Example] = []
    for start, lang, mark, body in _blocks(path.read_text()):
        mode, mode_arg = _mode(mark)
        for index, line in enumerate(body):
            transcript = line.startswith("$ ")
            shown = line[2:] if transcript else line
            if not transcript and lang != "sh":
                continue
            args = command_args(shown)
            if args is None:
                continue
            output = None
            if transcript:
                rest = body[index + 1 :]
                upto = next((j for j, r in enumerate(rest) if r.startswith("$ ")), len(rest))
                output = "".join(r + "\n" for r in rest[:upto])
            exited = _EXIT.search(shown)
            head = _HEAD.search(shown)
            found.append(
                Example(
                    path=_rel(path, root),
                    line=start + index + 1,
                    shown=shown,
                    args=args,
                    mode=mode,
                    mode_arg=mode_arg,
                    exit_code=int(exited["code"]) if exited else 0,
                    output=output,
                    head=int(head["lines"]) if head else None,
                )
            )
    return found


def all_examples(root: Path = ROOT) -> list[Example]:
    """Return every command shown in README.md and the manual."""
    return [e for path in documents(root) for e in examples_in(path, root)]


def offline_args(example: Example, sample: str = SAMPLE_SNAPSHOT) -> list[str]:
    """Return the arguments that run an offline example on the sample snapshot."""
    args = list(example.args)
    # diff reads its files as arguments and snapshot a live cluster: neither takes --from
    if "--from" in args or not args or args[0] in ("completion", "diff", "snapshot"):
        return args
    if args[0].startswith("-"):  # the group's own options: --version, --help
        return args
    return [*args, "--from", sample]


def write_example_files(where: Path) -> None:
    """Write the files the docs' examples name, made from the sample snapshot.

    The sample itself where the docs say it is; before.json.gz and now.json are the sample;
    after.json.gz the sample with kwok-worker-2 cordoned; fleet.json.gz a fleet snapshot
    of contexts prod and staging; expect.yaml what the sample's deploy produced.
    """
    raw = (ROOT / SAMPLE_SNAPSHOT).read_bytes()
    sample: dict[str, Any] = json.loads(raw)
    (where / SAMPLE_SNAPSHOT).parent.mkdir(parents=True, exist_ok=True)
    (where / SAMPLE_SNAPSHOT).write_bytes(raw)
    (where / "before.json.gz").write_bytes(gzip.compress(raw))
    (where / "now.json").write_bytes(raw)
    after = json.loads(raw)
    for node in after["resources"]["nodes"]["items"]:
        if node["metadata"]["name"] == "kwok-worker-2":
            node["spec"]["unschedulable"] = True
    pods = after["resources"]["pods"]["items"]
    pods[:] = [p for p in pods if p["metadata"]["name"] != "multi"]
    for pod in pods:
        if pod["metadata"]["name"] == "crasher":
            pod["status"]["containerStatuses"][0]["restartCount"] += 3
    (where / "after.json.gz").write_bytes(gzip.compress(json.dumps(after).encode()))
    (where / "half.json.gz").write_bytes(gzip.compress(raw)[:1000])
    clusters = []
    for context in ("prod", "staging"):
        one = json.loads(raw)
        one["cluster"]["context"] = context
        clusters.append(one)
    fleet = {
        "schema_version": 1,
        "kind": "KubeInspectFleetSnapshot",
        "taken_at": sample["taken_at"],
        "clusters": clusters,
    }
    (where / "fleet.json.gz").write_bytes(gzip.compress(json.dumps(fleet).encode()))
    expect = [
        {"kind": "Deployment", "namespace": "shop", "name": "web", "minReady": 3},
        {"kind": "Pod", "namespace": "monitoring", "maxRestarts": 2, "minCount": 1},
    ]
    (where / "expect.yaml").write_text(yaml.safe_dump(expect, sort_keys=False))


def run_offline(example: Example) -> Result:
    """Run an offline example in the current directory; return click's result."""
    env = dict.fromkeys(("KUBECONFIG", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "NO_COLOR"))
    result = CliRunner().invoke(cli, offline_args(example), prog_name="kube-inspect", env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def shown_output(example: Example, printed: str) -> str:
    """Return what the docs show of ``printed``: all of it, or its first lines for head."""
    if example.head is None:
        return printed
    return "".join(printed.splitlines(keepends=True)[: example.head])


def update_outputs(path: Path) -> bool:
    """Rewrite the ``output`` transcripts of one page with what they print; True if changed."""
    lines = path.read_text().splitlines(keepends=True)
    replace: list[tuple[int, int, str]] = []  # (first line index, line count, new text)
    for example in examples_in(path):
        if example.mode != "output" or example.output is None:
            continue
        result = run_offline(example)
        count = len(example.output.splitlines())
        replace.append((example.line, count, shown_output(example, result.output)))
    for first, count, text in sorted(replace, reverse=True):
        lines[first : first + count] = [text] if text else []
    updated = "".join(lines)
    if updated == path.read_text():
        return False
    path.write_text(updated)
    return True


def main() -> int:
    """Rewrite every ``output`` transcript of README.md and the manual; return 0."""
    with tempfile.TemporaryDirectory() as scratch:
        here = Path.cwd()
        os.chdir(scratch)
        try:
            write_example_files(Path(scratch))
            for path in documents():
                if update_outputs(path):
                    print(f"updated {path.relative_to(ROOT)}")
        finally:
            os.chdir(here)
    return 0


if __name__ == "__main__":
    sys.exit(main())
