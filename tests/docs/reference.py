"""Write docs/reference.md, the command reference, from each click command's ``--help``.

As sqlite-utils' cog-generated cli-reference: the manual shows what ``--help`` says, word
for word, so the two cannot disagree. ``make docs-reference`` (``python -m
tests.docs.reference``) rewrites the file; ``tests/unit/test_docs.py`` fails when it is
stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kube_inspect.cli import cli

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference.md"
WIDTH = 88  # fixed, so the text does not depend on the terminal that generates it
PROGRAM = "kube-inspect"

HEADER = """\
# Command reference

Every command's `--help`, as `kube-inspect COMMAND --help` prints it. This page is
generated from the click commands by `make docs-reference` (`python -m
tests.docs.reference`); `tests/unit/test_docs.py` fails when it is stale, so the manual and
`--help` cannot disagree. Do not edit it by hand.
"""


def _help(command: click.Command, name: str, parent: click.Context | None) -> str:
    ctx = click.Context(
        command, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH
    )
    return command.get_help(ctx)


def reference_markdown() -> str:
    """Return the text of docs/reference.md: the group's and each command's ``--help``."""
    group_ctx = click.Context(cli, info_name=PROGRAM, terminal_width=WIDTH, max_content_width=WIDTH)
    sections = [HEADER, f"## `{PROGRAM}`\n\n```text\n{_help(cli, PROGRAM, None)}\n```\n"]
    for name in cli.list_commands(group_ctx):
        command = cli.get_command(group_ctx, name)
        assert command is not None, name
        text = _help(command, name, group_ctx)
        sections.append(f"## `{PROGRAM} {name}`\n\n```text\n{text}\n```\n")
    return "\n".join(sections)


def main() -> int:
    """Rewrite docs/reference.md; return 0."""
    REFERENCE.write_text(reference_markdown())
    print(f"wrote {REFERENCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
