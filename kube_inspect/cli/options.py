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
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast

import click
from click.shell_completion import CompletionItem

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
from kube_inspect.cli.connection_flags import (
    CONNECTION_FLAGS,
    CONNECTION_OPTIONS,
    connection_overrides,
    given_connection_flags,
)
from kube_inspect.cli.moments import at_option, is_journal, journal_moment, parse_at
from kube_inspect.errors import SnapshotError, UsageError
from kube_inspect.kube.overrides import NO_OVERRIDES, ConnectionOverrides
from kube_inspect.kube.wires import WIRES
from kube_inspect.read.selection import Selection
from kube_inspect.render.age import human_duration
from kube_inspect.render.table import TABLE_FORMATS

if TYPE_CHECKING:  # the snapshot reader (and msgspec's schemas) is loaded by --from only
    from kube_inspect.offline.document import FleetSnapshot, Snapshot

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
    """Which cluster (or clusters) to read, spelt as kubectl spells it.

    ``context`` is the one context to read (None: the current one). ``contexts`` are all
    those named with ``--context`` (repeated or comma-separated, in the order given,
    without repeats); more than one, or ``all_contexts``, make a fleet.
    """

    kubeconfig: str | None
    context: str | None
    request_timeout: float | None
    contexts: tuple[str, ...] = ()
    all_contexts: bool = False
    from_file: str | None = None  # --from: a snapshot or kubectl List instead of a cluster
    wire: str = "json"  # --wire: json, auto or protobuf (kube_inspect.kube.wires.WIRES)
    # what --from's file held, read once when the flags were parsed: (path, what it held)
    loaded: tuple[str, Snapshot | FleetSnapshot] | None = field(
        default=None, compare=False, repr=False
    )
    # kubectl's connection flags (--as, --server, --token...): they win over the context's
    overrides: ConnectionOverrides = NO_OVERRIDES
    at: tuple[datetime, ...] = ()  # --at: the moments of a journal to read (diff: two)

    @property
    def fleet(self) -> bool:
        """Return True when several clusters are asked for (then the output is a fleet's).

        A fleet snapshot given to --from is a fleet too, shown as it was read live.
        """
        return self.all_contexts or len(self.contexts) > 1 or self.fleet_snapshot is not None

    @property
    def fleet_snapshot(self) -> FleetSnapshot | None:
        """Return the fleet snapshot that --from names, if it names one."""
        if self.loaded is None or self.loaded[0] != self.from_file:
            return None
        from kube_inspect.offline.document import FleetSnapshot  # loaded already, by --from

        source = self.loaded[1]
        return source if isinstance(source, FleetSnapshot) else None

    def one(self, context: str) -> ClusterFlags:
        """Return the flags that read only ``context``, with the same kubeconfig and timeout.

        From a fleet snapshot, the flags read that context's snapshot in it.
        """
        flags = replace(self, context=context, contexts=(context,), all_contexts=False)
        recorded = self.fleet_snapshot
        if recorded is not None and self.from_file is not None:
            from kube_inspect.offline.document import Snapshot  # loaded already, by --from

            for member in recorded.clusters:
                if member.context == context and isinstance(member, Snapshot):
                    return replace(
                        flags, context=None, contexts=(), loaded=(self.from_file, member)
                    )
        return flags


def _load(
    path: str, context: str | None, at: tuple[datetime, ...]
) -> tuple[str, Snapshot | FleetSnapshot] | None:
    """Return what the --from file holds (a journal: at the moment --at names), or None.

    A file that cannot be read is said so when a client is made for it, after the
    command has checked its flags (--from with a flag it refuses is that flag's error).
    """
    from kube_inspect.offline.document import load_any

    try:
        if is_journal(path):
            return path, journal_moment(path, context, at)
        return path, load_any(path)
    except (SnapshotError, UsageError):
        return None


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
    """Add the flags that say which cluster to read, and how; pass ``cluster``.

    --kubeconfig, --context, --all-contexts, --request-timeout and --from here;
    kubectl's connection flags (--as, --server...) in cli/connection_flags.py.

    ``cluster`` is a ClusterFlags; commands that read one cluster only refuse a fleet
    (``refuse_fleet``).
    """
    options: list[Callable[[F], F]] = [
        click.option(
            "--kubeconfig",
            metavar="PATH",
            shell_complete=complete_file,
            help="Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).",
        ),
        click.option(
            "--context",
            "contexts",
            multiple=True,
            metavar="NAME",
            help="The kubeconfig context to use; several (repeated or a,b,c) are read at "
            "once, one cluster level (or CONTEXT column) each.",
            shell_complete=complete_context,
        ),
        click.option(
            "--all-contexts",
            is_flag=True,
            help="Read every context of the kubeconfig at once.",
        ),
        click.option(
            "--request-timeout",
            default="30s",
            show_default=True,
            metavar="DURATION",
            help="How long to wait for each request to the API server (e.g. 5s, 1m); 0: no limit.",
        ),
        click.option(
            "--from",
            "from_file",
            metavar="FILE",
            shell_complete=complete_file,
            help="Read a `kube-inspect snapshot` file, a `kubectl get nodes,pods -A -o json` "
            "List, or a directory of them, instead of a cluster (no kubeconfig, no network); "
            "or a journal (`kube-inspect record`) at the moment --at names.",
        ),
        at_option,
        click.option(
            "--wire",
            type=click.Choice(WIRES),
            default="json",
            hidden=True,  # a debugging switch: the answers' encoding (docs/performance.md)
            help="Ask for pods as JSON (the default), as protobuf, or (auto) as JSON and, "
            "once a list holds more than 10,000 pods, as protobuf with JSON as the fallback.",
        ),
        *CONNECTION_OPTIONS,
    ]

    def build(p: dict[str, Any]) -> ClusterFlags:
        named = [name.strip() for given in p["contexts"] for name in given.split(",")]
        contexts = tuple(dict.fromkeys(name for name in named if name))
        if p["all_contexts"] and contexts:
            raise UsageError("--all-contexts reads every context: drop --context")
        journal = p["from_file"] is not None and is_journal(p["from_file"])
        if p["from_file"] is not None:
            # a journal may hold several clusters: --context names the one to read
            given = {"context": bool(contexts) and not journal, "all-contexts": p["all_contexts"]}
            given["kubeconfig"] = p["kubeconfig"] is not None
            for flag, there in given.items():
                if there:
                    raise UsageError(f"--from reads a file, not a cluster: drop --{flag}")
            for flag in given_connection_flags(p):
                raise UsageError(f"--from reads a file, not a cluster: drop {flag}")
        overrides = connection_overrides(p, fleet=p["all_contexts"] or len(contexts) > 1)
        at = tuple(parse_at(value) for value in p["at"])
        if at and p["from_file"] is not None and not journal:
            raise UsageError(f"--at reads a journal: {p['from_file']} is not one (see record)")
        context = contexts[0] if len(contexts) == 1 else None
        loaded = None if p["from_file"] is None else _load(p["from_file"], context, at)
        return ClusterFlags(
            p["kubeconfig"],
            contexts[0] if len(contexts) == 1 else None,
            parse_request_timeout(p["request_timeout"]),
            contexts,
            p["all_contexts"],
            p["from_file"],
            p["wire"],
            loaded,
            overrides,
            at,
        )

    names = (
        "kubeconfig",
        "contexts",
        "all_contexts",
        "request_timeout",
        "from_file",
        "at",
        "wire",
        *CONNECTION_FLAGS,
    )
    grouped = _grouped(names, build, "cluster")
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


# A resource's API name: an optional DNS-subdomain prefix, then a name (as kubectl checks).
_RESOURCE_NAME = re.compile(
    r"^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)


class SortKeyType(click.ParamType):  # type: ignore[type-arg]
    """A sort key: one of SORT_KEYS, or the name of a resource (checked once read)."""

    name = "KEY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return the key, or fail when it cannot be a key nor a resource name."""
        if isinstance(value, str) and (value in SORT_KEYS or _RESOURCE_NAME.match(value)):
            return value
        self.fail(
            f"{value!r} is not one of {', '.join(SORT_KEYS)}, nor a resource name "
            "such as nvidia.com/gpu",
            param,
            ctx,
        )

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        """Return the fixed keys that start with what was typed."""
        return [CompletionItem(k) for k in SORT_KEYS if k.startswith(incomplete)]


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
        help="Show only the pods of this namespace, or of several: -n shop,web (default: "
        "the kubeconfig context's namespace, as in kubectl; all namespaces when it names none).",
        shell_complete=complete_namespace,
    ),
    click.option(
        "-A",
        "--all-namespaces",
        is_flag=True,
        help="Show pods of all namespaces, whatever the context's namespace (overrides -n, "
        "as in kubectl).",
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
        type=SortKeyType(),
        default="name",
        show_default=True,
        help="Order of nodes and pods: name, cpu, memory, restarts, age (cpu/memory: usage "
        "where known, else requests), or any resource by requests, e.g. nvidia.com/gpu.",
    ),
]


def selection_options(func: F) -> F:
    """Add the flags that select nodes and pods; pass ``selection: SelectionFlags``."""

    def build(p: dict[str, Any]) -> SelectionFlags:
        p = {
            **p,
            "namespace": _short_value(p["namespace"]),
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
        # empty, as in kubectl, is no namespace at all; several are read side by side
        namespaces = tuple(dict.fromkeys(filter(None, (p["namespace"] or "").split(","))))
        for namespace in namespaces:
            check_name(namespace, "namespace", label=True)
        if p["all_namespaces"]:
            namespaces = ()
        for node in p["node_names"]:
            check_name(node, "node name")
        sort: SortKey = p["sort"]
        selection = Selection(
            namespace=None if p["all_namespaces"] or len(namespaces) != 1 else namespaces[0],
            namespaces=() if p["all_namespaces"] or len(namespaces) < 2 else namespaces,
            context_namespace=not p["all_namespaces"] and not namespaces,
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

    click reads ``-n=shop`` as ``=shop``; no namespace starts with ``=``. (``-l=app`` is
    split before click reads it, see ``short_flag_values``: ``-l '=app'`` is refused.)
    """
    return value[1:] if value is not None and value.startswith("=") else value


# The flags that pick objects, as opposed to those that shape the view (--problems, --sort).
FILTER_FLAGS = frozenset(
    {"namespace", "all_namespaces", "selector", "field_selector", "node_names", "node_selector"}
)


def refuse_fleet(flags: ClusterFlags, where: str) -> None:
    """Raise UsageError when several contexts were asked for and ``where`` reads one."""
    if flags.fleet:
        given = "--all-contexts" if flags.all_contexts else "several --context"
        if flags.fleet_snapshot is not None:
            given = "a fleet snapshot (--from)"
        raise UsageError(f"{given} does not apply to {where}: it reads one cluster")


def refuse_flags(flags: SelectionFlags, allowed: set[str], where: str) -> None:
    """Raise UsageError naming the first selection flag given that ``where`` cannot apply."""
    for name in sorted(flags.given - allowed):
        raise UsageError(f"{_FLAG_SPELLING[name]} does not apply to {where}")


def events_option(func: F) -> F:
    """Add --events: read Warning events (one LIST) and show each pod's and node's latest."""
    return click.option(
        "--events",
        is_flag=True,
        help="Show each pod's and node's latest Warning events (reason, count, last seen, "
        "message), read with one LIST; node events only without -n.",
    )(func)


def with_events(
    selection: Selection, events: bool, output: str, shown_in: tuple[str, ...]
) -> Selection:
    """Return the selection reading events when --events is given; UsageError where unshown."""
    if not events:
        return selection
    if output not in shown_in:
        raise UsageError(f"--events does not apply to -o {output}: use -o {'/'.join(shown_in)}")
    return replace(selection, with_events=True)


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
            help=f"Table style for -o {'/'.join(tables)} (plain, github, grid, simple, ...).",
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
