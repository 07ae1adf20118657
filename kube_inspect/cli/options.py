"""The flags every command shares, each group parsed once into a typed object.

Like cli-runtime's ConfigFlags: a decorator adds a group's options to a command and hands
the command one frozen object (``cluster``, ``selection``, ``output``) instead of loose
parameters.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar, cast

import click

from kube_inspect.build.arrange import SORT_KEYS, SortKey
from kube_inspect.build.label_selector import parse_selector
from kube_inspect.build.names import check_field_selector, check_name
from kube_inspect.cli import SELECTION_META
from kube_inspect.cli.completion import (
    complete_context,
    complete_file,
    complete_namespace,
    complete_node,
)
from kube_inspect.errors import UsageError
from kube_inspect.kube.wires import WIRES
from kube_inspect.read.selection import Selection
from kube_inspect.render.age import human_duration
from kube_inspect.render.table import TABLE_FORMATS

F = TypeVar("F", bound=Callable[..., Any])

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


DAY = 86400.0
MAX_DURATION = DAY  # longer than any request or wait makes sense; far from overflows


def parse_duration(value: str, flag: str, maximum: float = MAX_DURATION) -> float:
    """Return a kubectl-style duration (``30``, ``5s``, ``1m30s``) in seconds.

    Outside 0..``maximum`` it is a usage error: a huge one overflows the timers below.
    """
    text = value.strip()
    if re.fullmatch(r"\d+", text):
        seconds = float(text)
    elif text and _DURATION.sub("", text) == "":
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(text))
    else:
        raise UsageError(f"invalid {flag} {value!r}: use a duration such as 10s, 2m or 1m30s")
    if seconds > maximum:
        raise UsageError(
            f"invalid {flag} {value!r}: at most {human_duration(maximum)} ({maximum:.0f}s)"
        )
    return seconds


def parse_request_timeout(value: str) -> float | None:
    """Return a kubectl-style --request-timeout in seconds; 0 means none (None)."""
    return parse_duration(value, "--request-timeout") or None


@dataclass(frozen=True, slots=True)
class ClusterFlags:
    """Which cluster to read, spelt as kubectl spells it."""

    kubeconfig: str | None
    context: str | None
    request_timeout: float | None
    wire: str = "auto"  # --wire: json, protobuf or auto (kube_inspect.kube.client.WIRES)


@dataclass(frozen=True, slots=True)
class OutputFlags:
    """How to write: the format, the table style and colour."""

    format: str
    fmt: str
    color: str

    def colored(self, out: TextIO) -> bool:
        """Return whether to colour, from --color, NO_COLOR and whether ``out`` is a terminal."""
        if self.color != "auto":
            return self.color == "always"
        # no-color.org: NO_COLOR disables colour when set and not empty; a dumb terminal
        # cannot show it
        if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
            return False
        return out.isatty()


def _apply(decorators: list[Callable[[F], F]], func: F) -> F:
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _grouped(
    names: tuple[str, ...], build: Callable[[dict[str, Any]], Any], key: str
) -> Callable[[F], F]:
    """Return a decorator that replaces the parameters ``names`` by ``key=build(them)``."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            taken = {name: kwargs.pop(name) for name in names}
            kwargs[key] = build(taken)
            return func(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def cluster_options(func: F) -> F:
    """Add --kubeconfig, --context and --request-timeout; pass ``cluster: ClusterFlags``."""
    options: list[Callable[[F], F]] = [
        click.option(
            "--kubeconfig",
            metavar="PATH",
            shell_complete=complete_file,
            help="Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).",
        ),
        click.option(
            "--context",
            metavar="NAME",
            help="The kubeconfig context to use.",
            shell_complete=complete_context,
        ),
        click.option(
            "--request-timeout",
            default="30s",
            show_default=True,
            metavar="DURATION",
            help="How long to wait for each request to the API server (e.g. 5s, 1m); 0: no limit.",
        ),
        click.option(
            "--wire",
            type=click.Choice(WIRES),
            default="auto",
            hidden=True,  # a debugging switch: the answers' encoding (docs/performance.md)
            help="Ask for pods as protobuf (auto: with JSON as the fallback) or JSON only.",
        ),
    ]

    def build(p: dict[str, Any]) -> ClusterFlags:
        return ClusterFlags(
            p["kubeconfig"], p["context"], parse_request_timeout(p["request_timeout"]), p["wire"]
        )

    grouped = _grouped(("kubeconfig", "context", "request_timeout", "wire"), build, "cluster")
    return _apply(options, grouped(func))


@dataclass(frozen=True, slots=True)
class SelectionFlags:
    """The selection as typed, and whether progress may be shown."""

    selection: Selection
    quiet: bool
    given: frozenset[str]  # the flags the user gave, for "does not apply" errors


_SELECTION_NAMES = (
    "quiet",
    "namespace",
    "all_namespaces",
    "selector",
    "field_selector",
    "node_names",
    "node_selector",
    "problems",
    "sort",
)
_FLAG_SPELLING = {
    "namespace": "-n",
    "all_namespaces": "-A",
    "selector": "-l",
    "field_selector": "--field-selector",
    "node_names": "--node",
    "node_selector": "--node-selector",
    "problems": "--problems",
    "sort": "--sort",
}


_SELECTION_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help="No progress on stderr (shown only on a terminal, for lists over a second).",
    ),
    click.option(
        "-n",
        "--namespace",
        metavar="NAME",
        help="Show only the pods of this namespace.",
        shell_complete=complete_namespace,
    ),
    click.option(
        "-A",
        "--all-namespaces",
        is_flag=True,
        help="Show pods of all namespaces (the default; overrides -n, as in kubectl).",
    ),
    click.option(
        "-l",
        "--selector",
        metavar="SELECTOR",
        help="Pod label selector, e.g. app=web,tier!=db.",
    ),
    click.option(
        "--field-selector",
        metavar="SELECTOR",
        help="Pod field selector, e.g. status.phase=Running.",
    ),
    click.option(
        "--node",
        "node_names",
        multiple=True,
        metavar="NAME",
        help="Only this node and its pods (repeatable).",
        shell_complete=complete_node,
    ),
    click.option("--node-selector", metavar="SELECTOR", help="Only nodes with these labels."),
    click.option(
        "--problems",
        is_flag=True,
        help="Only pods that are pending, failing, restarting or not ready, with their nodes.",
    ),
    click.option(
        "--sort",
        type=click.Choice(SORT_KEYS),
        default="name",
        show_default=True,
        help="Order of nodes and pods (cpu/memory: usage where known, else requests).",
    ),
]


def selection_options(func: F) -> F:
    """Add the flags that select nodes and pods; pass ``selection: SelectionFlags``."""

    def build(p: dict[str, Any]) -> SelectionFlags:
        p = {
            **p,
            "namespace": _short_value(p["namespace"]),
            "selector": _short_value(p["selector"]),
        }
        given = frozenset(
            name for name in _FLAG_SPELLING if p[name] not in (None, False, (), "name")
        )
        for flag, text in (("-l", p["selector"]), ("--node-selector", p["node_selector"])):
            try:
                parse_selector(text)  # a bad selector is a usage error before anything is sent
            except UsageError as e:
                raise UsageError(f"{e} (in {flag})") from e
        if p["field_selector"] is not None:
            check_field_selector(p["field_selector"], "--field-selector")
        if p["namespace"]:  # empty, as in kubectl, is no namespace at all
            check_name(p["namespace"], "namespace", label=True)
        for node in p["node_names"]:
            check_name(node, "node name")
        sort: SortKey = p["sort"]
        selection = Selection(
            namespace=None if p["all_namespaces"] else p["namespace"] or None,
            label_selector=p["selector"],
            field_selector=p["field_selector"],
            nodes=tuple(dict.fromkeys(p["node_names"])),
            node_selector=p["node_selector"],
            problems=p["problems"],
            sort=sort,
        )
        flags = SelectionFlags(selection, p["quiet"], given)
        # kept for the one error mapping: a 400 on a selector is a usage error naming it
        click.get_current_context().meta[SELECTION_META] = flags
        return flags

    return _apply(_SELECTION_OPTIONS, _grouped(_SELECTION_NAMES, build, "selection")(func))


class ShortFlagChoice(click.Choice[str]):
    """A choice that also reads kubectl's ``-o=json``: click hands it ``=json``."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return the choice, without the ``=`` of the ``-x=value`` spelling."""
        if isinstance(value, str) and value.startswith("="):
            value = value[1:]
        return super().convert(value, param, ctx)


def _short_value(value: str | None) -> str | None:
    """Return the value of a short flag spelt kubectl's way, ``-n=shop``: without the ``=``.

    click reads ``-n=shop`` as ``=shop``; no namespace or selector starts with ``=``.
    """
    return value[1:] if value is not None and value.startswith("=") else value


# The flags that pick objects, as opposed to those that shape the view (--problems, --sort).
FILTER_FLAGS = frozenset(
    {"namespace", "all_namespaces", "selector", "field_selector", "node_names", "node_selector"}
)


def refuse_flags(flags: SelectionFlags, allowed: set[str], where: str) -> None:
    """Raise UsageError naming the first selection flag given that ``where`` cannot apply."""
    for name in sorted(flags.given - allowed):
        raise UsageError(f"{_FLAG_SPELLING[name]} does not apply to {where}")


def output_options(
    formats: tuple[str, ...], default: str, tables: tuple[str, ...] = ("table", "wide")
) -> Callable[[F], F]:
    """Add -o/--output with the given formats, --fmt and --color; pass ``output: OutputFlags``.

    ``tables`` are the formats --fmt styles; --fmt given with any other is a usage error.
    """
    options: list[Callable[[F], F]] = [
        click.option(
            "-o",
            "--output",
            type=ShortFlagChoice(formats),
            default=default,
            show_default=True,
            help="Output format.",
        ),
        click.option(
            "--fmt",
            type=click.Choice(TABLE_FORMATS),
            default="plain",
            show_default=True,
            metavar="FORMAT",
            help="Table style for -o table/wide (plain, github, grid, simple, ...).",
        ),
        click.option(
            "--color",
            type=click.Choice(("auto", "always", "never")),
            default="auto",
            show_default=True,
            help="Colour states; auto: on a terminal, unless NO_COLOR is set or TERM=dumb.",
        ),
    ]

    def build(p: dict[str, Any]) -> OutputFlags:
        source = click.get_current_context().get_parameter_source("fmt")
        given = source not in (None, click.core.ParameterSource.DEFAULT)
        if given and p["output"] not in tables:
            raise UsageError(
                f"--fmt does not apply to -o {p['output']}: it styles -o {'/'.join(tables)}"
            )
        return OutputFlags(p["output"], p["fmt"], p["color"])

    return lambda func: _apply(options, _grouped(("output", "fmt", "color"), build, "output")(func))
