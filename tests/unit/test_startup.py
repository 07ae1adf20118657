"""Start-up: `--help`, `--version` and completion of fixed words load no client library.

Each case runs the console entry point in a fresh interpreter under ``-X importtime``
and reads the modules it imported from stderr: importing the ``kubernetes`` package
alone costs about 0.2 s, on every TAB press too.
"""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest

from kube_inspect.cli import cli
from kube_inspect.cli.commands import LAZY_COMMANDS, load_command

RUN_ENTRY = "import sys; from kube_inspect.launch import main; sys.argv[0] = 'kube-inspect'; main()"
NOT_AT_START = ("kubernetes", "urllib3", "yaml", "tabulate", "msgspec")


def imported(*args: str, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """Return the top-level packages `kube-inspect ARGS` imports, and what it printed."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", RUN_ENTRY, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return names, done.stdout


@pytest.mark.parametrize("args", [("--help",), ("--version",)])
def test_help_and_version_load_no_client_library(args: tuple[str, ...]) -> None:
    names, out = imported(*args)
    assert "click" in names  # the probe sees imports at all
    assert out
    assert names.isdisjoint(NOT_AT_START), sorted(names & set(NOT_AT_START))


def completion_env(words: str, cword: int) -> dict[str, str]:
    """Return the environment of a bash TAB press on ``words`` (click's protocol)."""
    return {
        "_KUBE_INSPECT_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
    }


def test_completing_a_command_name_loads_no_command() -> None:
    names, out = imported(env=completion_env("kube-inspect tr", 1))
    assert out.split() == ["plain,tree"]
    assert names.isdisjoint(NOT_AT_START), sorted(names & set(NOT_AT_START))


def test_completing_a_fixed_choice_does_not_load_kubernetes() -> None:
    # the command's module is loaded (its options are completed), the client library not
    names, out = imported(env=completion_env("kube-inspect tree -o js", 3))
    assert out.split() == ["plain,json"]
    assert "kube_inspect" in names
    assert "kubernetes" not in names
    assert "urllib3" not in names


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_each_summary_is_its_commands_first_paragraph(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert command.help is not None
    assert command.help.split("\n\n")[0] == LAZY_COMMANDS[name][1]


def test_help_lists_the_same_commands_loaded_or_not() -> None:
    from click.testing import CliRunner

    lazy = CliRunner().invoke(cli, ["--help"]).output
    context = click.Context(cli)
    for name in LAZY_COMMANDS:  # loaded now: the list comes from the commands themselves
        assert cli.get_command(context, name) is not None
    assert CliRunner().invoke(cli, ["--help"]).output == lazy
