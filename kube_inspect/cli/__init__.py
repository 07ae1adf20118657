"""The command line: the only room with click, sys.exit and stdout/stderr policy.

Commands live one group to a module (tree, views, explain, check, completion); this module
assembles them, loading each only when it runs (kube_inspect.cli.commands), and is the ONE
place that turns exceptions into messages and exit codes. It imports click and the
standard library only: `--help`, `--version` and completion of a command name load
nothing else (a unit test holds it to that).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from click.shell_completion import (
    BashComplete,
    CompletionItem,
    FishComplete,
    ShellComplete,
    ZshComplete,
    add_completion_class,
    get_completion_class,
)

from kube_inspect import __version__
from kube_inspect.cli.commands import LAZY_COMMANDS, load_command
from kube_inspect.cli.fixed_words import fixed_completion
from kube_inspect.cli.streams import finish_output, guard_standard_streams
from kube_inspect.errors import (
    EXIT_CODES_HELP,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT,
    EXIT_USAGE,
    ApiError,
    KubeInspectError,
    UsageError,
)
from kube_inspect.interpret.words import printable

# How each selector a request carried (errors.ApiError.selectors) is spelt on the command line
SELECTOR_FLAGS = {
    "label_selector": "-l",
    "field_selector": "--field-selector",
    "node_selector": "--node-selector",
}


class KubeInspectGroup(click.Group):
    """A click group that reports KubeInspectError as one line and its exit code.

    Its commands are loaded when used (LAZY_COMMANDS): the list in `--help` and the
    completion of command names come from their one-line summaries.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every command's name, loaded or not, sorted."""
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command ``cmd_name``, importing its module the first time."""
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            from kube_inspect.cli.process import paused_gc  # not for --help or completion

            with paused_gc():  # its modules load faster without the collector (launch.py)
                self.add_command(load_command(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the Commands section of `--help` without loading any command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._summary(ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Return the command names (and the group's options) that start with ``incomplete``."""
        items = [
            CompletionItem(name, help=self._summary(ctx, name, 45))
            for name in self.list_commands(ctx)
            if name.startswith(incomplete)
        ]
        items.extend(click.Command.shell_complete(self, ctx, incomplete))
        return items

    def _summary(self, ctx: click.Context, name: str, limit: int) -> str:
        if name in LAZY_COMMANDS and name not in self.commands:
            # shortened as click shortens a command's own help (its first paragraph)
            return click.Command(name, help=LAZY_COMMANDS[name][1]).get_short_help_str(limit)
        command = super().get_command(ctx, name)
        return command.get_short_help_str(limit) if command is not None else ""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the arguments, reading ``-l=SELECTOR`` as kubectl does (see short_flag_values)."""
        return super().parse_args(ctx, short_flag_values(args))

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn known errors into a message on stderr and an exit code."""
        try:
            return super().invoke(ctx)
        except KubeInspectError as e:
            if ctx.params.get("debug"):
                raise
            e = selector_usage_error(e) or e
            click.echo(f"error: {printable(str(e))}", err=True)  # one line, whatever it quotes
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        # A stdout that fails (closed, full, its reader gone) never raises here: main's
        # guarded stream records it, and the command's own outcome still decides the code.


def short_flag_values(args: list[str]) -> list[str]:
    """Return ``args`` with ``-l=VALUE`` split into ``-l`` and ``VALUE``, as kubectl reads it.

    click reads ``-l=app`` as the value ``=app``, the same as ``-l '=app'``; kubectl (pflag)
    reads the first as ``app`` and sends the second, which the API server refuses. Split
    here, ``=app`` is left for the selector grammar to refuse. Words after ``--`` are not
    flags.
    """
    if "-l" not in "".join(args):  # most command lines: nothing to split
        return args
    split: list[str] = []
    for i, word in enumerate(args):
        if word == "--":
            return split + args[i:]
        split.extend(["-l", word[3:]] if word.startswith("-l=") else [word])
    return split


class FixedWordsFirst(ShellComplete):
    """Completion that answers an option's fixed words without loading its command.

    See kube_inspect.cli.fixed_words; anything else is completed by click, as before.
    """

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        """Return the fixed words of the option being completed, else click's completions."""
        fixed = fixed_completion(args, incomplete)
        return fixed if fixed is not None else super().get_completions(args, incomplete)


class _Bash(FixedWordsFirst, BashComplete):
    pass


class _Zsh(FixedWordsFirst, ZshComplete):
    pass


class _Fish(FixedWordsFirst, FishComplete):
    pass


for _completion in (_Bash, _Zsh, _Fish):  # registered under "bash", "zsh", "fish"
    add_completion_class(_completion)


def selector_usage_error(error: KubeInspectError) -> UsageError | None:
    """Return a usage error naming the selector flag the server refused (HTTP 400), if any.

    The flag is the one the refused request carried (read/plan.py puts it on the error),
    never guessed from the message: with -l and --node-selector, a refused node list
    names --node-selector and a refused pod list -l.
    """
    if not isinstance(error, ApiError) or error.status != 400 or not error.selectors:
        return None
    field, value = error.selectors[0]
    reason = str(error).split(": ", 1)[-1]  # after "the API server at ... answered 400"
    return UsageError(f"invalid {SELECTOR_FLAGS[field]} {value!r}: the API server says: {reason}")


@click.group(cls=KubeInspectGroup, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="kube-inspect")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
def cli(debug: bool) -> None:
    """Inspect a live Kubernetes cluster, read-only: cluster -> nodes -> pods -> containers.

    kube-inspect only ever sends get, list and watch requests: it is safe to point at
    production.
    """


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("shell", type=click.Choice(("bash", "zsh", "fish")))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (completes contexts, namespaces, nodes).

    \b
    Examples:
      source <(kube-inspect completion bash)
      kube-inspect completion zsh > "${fpath[1]}/_kube-inspect"
      kube-inspect completion fish > ~/.config/fish/completions/kube-inspect.fish
    """
    completion_class = get_completion_class(shell)
    assert completion_class is not None
    script = completion_class(cli, {}, "kube-inspect", "_KUBE_INSPECT_COMPLETE").source()
    click.echo(script)


def main() -> None:
    """Run the CLI and exit with its code (named `kubectl inspect` as kubectl-inspect).

    When stdout could not take the output, one line says so, and the exit code is the
    command's own when it failed (checks failed stays 1), else EXIT_OUTPUT: a closed pipe
    never turns a failure into a success.
    """
    stdout_failure = guard_standard_streams()
    code = _run()
    problem = finish_output(stdout_failure)
    if problem is not None:
        click.echo(f"error: {problem}", err=True)
        code = code or EXIT_OUTPUT
    sys.stderr.flush()
    sys.exit(code)


def _run() -> int:
    invoked_as = os.path.basename(sys.argv[0]) if sys.argv else ""
    prog_name = "kubectl inspect" if invoked_as.startswith("kubectl-inspect") else "kube-inspect"
    try:
        # not standalone: click would turn a Ctrl-C while it parses into "Aborted!", exit 1
        result = cli.main(prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort:  # Ctrl-C (or end of input) before a command ran
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as e:  # a usage error: click's own message
        e.show()
        return e.exit_code
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else EXIT_USAGE)
    except KubeInspectError as e:  # raised before a command runs, e.g. with --debug off
        click.echo(f"error: {printable(str(e))}", err=True)  # one line, whatever it quotes
        return e.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception:  # pragma: no cover - a bug: say so, keep the traceback for --debug
        if "--debug" in sys.argv:
            raise
        click.echo("error: internal error; run again with --debug and report it", err=True)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0  # ctx.exit(code) returns it here


# kubectl plugin completion (kubectl 1.26+): cobra's ShellCompDirective values
_COBRA_NO_FILE_COMP = 4
_COBRA_FILTER_DIRS = 16


def kubectl_complete_main() -> None:
    """Print the completions of ``kubectl inspect ARGS... WORD`` the way kubectl reads them.

    kubectl 1.26+ runs ``kubectl_complete-inspect ARGS... WORD`` (WORD being the word
    under the cursor, maybe empty) and reads cobra's ``__complete`` format: one candidate
    a line (``value<TAB>help``), then ``:<directive>``. A leading ``__complete``, as cobra
    programs take it, is accepted too. Completion never fails loudly: on any error it
    offers nothing, and the exit status is 0.
    """
    args = sys.argv[1:]
    if args[:1] == ["__complete"]:
        args = args[1:]
    *before, word = args or [""]
    completer = FixedWordsFirst(cli, {}, "kubectl inspect", "_KUBECTL_INSPECT_COMPLETE")
    try:
        items = completer.get_completions(before, word)
    except Exception:  # a half-typed command line must never print a traceback
        items = []
    directive = _COBRA_NO_FILE_COMP
    for item in items:
        if item.type == "file":  # click asks the shell for file names: cobra's default
            directive = 0
        elif item.type == "dir":
            directive = _COBRA_FILTER_DIRS
        else:
            line = item.value if not item.help else f"{item.value}\t{item.help}"
            click.echo(line.replace("\n", " "))
    click.echo(f":{directive}")


__all__ = ["EXIT_USAGE", "cli", "kubectl_complete_main", "main"]
