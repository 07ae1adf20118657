"""Start-up: `--help`, `--version` and completion of fixed words load no client library,
and the request path loads no ``kubernetes`` package.

Each case runs the console entry point in a fresh interpreter under ``-X importtime``
and reads the modules it imported from stderr: importing the ``kubernetes`` package
alone costs about 0.2 s, on every TAB press too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.shell_completion import ShellComplete

from kube_inspect.cli import cli
from kube_inspect.cli.commands import LAZY_COMMANDS, load_command
from kube_inspect.cli.fixed_words import FIXED_WORDS
from kube_inspect.cli.options import SortKeyType
from kube_inspect.render.table import TABLE_FORMATS
from tests.unit.test_cli import kubeconfig

RUN_ENTRY = "import sys; from kube_inspect.launch import main; sys.argv[0] = 'kube-inspect'; main()"
NOT_AT_START = ("kubernetes", "urllib3", "yaml", "tabulate", "msgspec")


def modules_of(importtime_lines: list[str]) -> set[str]:
    """Return the full names of the modules ``-X importtime`` says were imported."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in importtime_lines
        if line.startswith("import time:") and "|" in line
    }


def run_entry(
    *args: str, env: dict[str, str] | None = None, code: int = 0
) -> tuple[set[str], str, str]:
    """Return the top-level packages `kube-inspect ARGS` imports, its stdout and its stderr.

    Asserts it exits with ``code``.
    """
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", RUN_ENTRY, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == code, done.stderr[-2000:]
    lines = done.stderr.splitlines()
    names = {name.split(".")[0] for name in modules_of(lines)}
    said = "".join(f"{line}\n" for line in lines if not line.startswith("import time:"))
    return names, done.stdout, said


def imported(*args: str, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """Return the top-level packages `kube-inspect ARGS` imports, and what it printed."""
    names, out, _ = run_entry(*args, env=env)
    return names, out


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


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        ("kube-inspect tree -o js", ["plain,json"]),
        ("kube-inspect --debug pods --sort r", ["plain,restarts"]),
        ("kube-inspect check --rule node-", ["plain,node-pressure", "plain,node-ready"]),
        ("kube-inspect nodes --fmt rounded_", ["plain,rounded_grid", "plain,rounded_outline"]),
    ],
)
def test_completing_a_fixed_choice_loads_no_command(words: str, offered: list[str]) -> None:
    names, out = imported(env=completion_env(words, len(words.split()) - 1))
    assert out.split() == offered
    assert "kube_inspect" in names
    assert names.isdisjoint(NOT_AT_START), sorted(names & set(NOT_AT_START))


def fixed_words_of(command: click.Command) -> dict[str, tuple[str, ...]]:
    """Return the words click offers for each option of ``command`` with a fixed list."""
    words: dict[str, tuple[str, ...]] = {}
    for param in command.params:
        custom = param._custom_shell_complete
        if isinstance(param, click.Option) and (
            isinstance(param.type, (click.Choice, SortKeyType))
            or (custom is not None and custom.__qualname__.startswith("complete_from_list"))
        ):
            for opt in param.opts:
                # click's own completion class: it loads the command, never reads the table
                completer = ShellComplete(cli, {}, "kube-inspect", "_KUBE_INSPECT_COMPLETE")
                items = completer.get_completions([command.name or "", opt], "")
                words[opt] = tuple(i.value for i in items)
    return words


def test_the_table_formats_offered_are_the_installed_tabulates() -> None:
    from tabulate import tabulate_formats

    assert tuple(sorted(tabulate_formats)) == TABLE_FORMATS


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_the_fixed_words_are_the_loaded_commands_own(name: str) -> None:
    assert FIXED_WORDS.get(name, {}) == fixed_words_of(load_command(name))


def test_the_request_path_does_not_load_kubernetes(tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    names, out, said = run_entry("tree", "--kubeconfig", str(config), code=3)
    assert out == ""
    assert "urllib3" in names  # the request was sent (nothing listens there)
    assert "kubernetes" not in names, "the request path imported the kubernetes package"
    assert (
        said
        == "error: cannot connect to https://127.0.0.1:1 (context 'a'): is the cluster running?\n"
    )


# modules the plain tree of one context never uses: each is imported where it is needed
NOT_FOR_THE_PLAIN_TREE = (
    "kube_inspect.cli.fleet",  # several contexts
    "kube_inspect.cli.views",  # -o table|csv
    "kube_inspect.offline.document",  # --from (and its msgspec schemas)
    "kube_inspect.render.json",  # -o json
    "kube_inspect.render.yaml",  # -o yaml
    "kube_inspect.render.csv",
    "kube_inspect.render.html",
    "kube_inspect.render.watching",  # --watch
    "kube_inspect.render.explained",  # --explain
    "subprocess",  # exec credential plugins
)


def test_the_plain_tree_loads_no_other_outputs_code(tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", RUN_ENTRY, "tree", "--kubeconfig", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 3, done.stderr[-2000:]  # nothing listens there
    modules = modules_of(done.stderr.splitlines())
    # (importlib.import_module, how commands are loaded, is not timed: cli.tree is not listed)
    assert {"kube_inspect.cli.reading", "kube_inspect.render.tree", "urllib3"} <= modules
    assert modules.isdisjoint(NOT_FOR_THE_PLAIN_TREE), sorted(modules & set(NOT_FOR_THE_PLAIN_TREE))


def test_an_auth_provider_context_still_goes_through_kubernetes(tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    doc = yaml.safe_load(config.read_text())
    doc["users"][0]["user"] = {"auth-provider": {"name": "oidc", "config": {"id-token": "x"}}}
    config.write_text(yaml.safe_dump(doc))
    names, out, said = run_entry("tree", "--kubeconfig", str(config), code=3)
    assert out == ""
    assert "kubernetes" in names
    assert (
        said
        == "error: cannot connect to https://127.0.0.1:1 (context 'a'): is the cluster running?\n"
    )


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
