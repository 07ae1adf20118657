"""The flags every command shares, each group parsed once into a typed object.

Like cli-runtime's ConfigFlags: a decorator adds a group's options to a command and hands
the command one frozen object (``cluster``, ``selection``, ``output``) instead of loose
parameters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

import click
from click.shell_completion import CompletionItem

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
)
from kube_inspect.cli.flags import FILTER_FLAGS as FILTER_FLAGS
from kube_inspect.cli.flags import FLAG_SPELLING
from kube_inspect.cli.flags import ClusterFlags as ClusterFlags
from kube_inspect.cli.flags import OutputFlags as OutputFlags
from kube_inspect.cli.flags import SelectionFlags as SelectionFlags
from kube_inspect.cli.from_file import read_from_file
from kube_inspect.cli.moments import at_option, is_journal, parse_at
from kube_inspect.cli.output_flags import ShortFlagChoice as ShortFlagChoice
from kube_inspect.cli.refusals import refuse_cluster_flags
from kube_inspect.cli.refusals import refuse_flags as refuse_flags
from kube_inspect.cli.refusals import refuse_fleet as refuse_fleet
from kube_inspect.cli.refusals import with_events as with_events
from kube_inspect.errors import UsageError
from kube_inspect.interpret.arrange import SORT_KEYS, SortKey
from kube_inspect.interpret.durations import DAY as DAY
from kube_inspect.interpret.durations import parse_duration as parse_duration
from kube_inspect.interpret.label_selector import parse_selector
from kube_inspect.interpret.names import check_field_selector, check_name
from kube_inspect.kube.wires import WIRES
from kube_inspect.read.selection import Selection
from kube_inspect.render.table import TABLE_FORMATS

# Commands import the flag objects, the refusals and the duration reader from here, with
# the options that fill them (cli/flags.py, cli/refusals.py, interpret/durations.py).
F = TypeVar("F", bound=Callable[..., Any])


def parse_request_timeout(value: str) -> float | None:
    """Return a kubectl-style --request-timeout in seconds; 0 means none (None)."""
    return parse_duration(value, "--request-timeout") or None


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


_CLUSTER_OPTIONS: list[Callable[[Any], Any]] = [
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
_CLUSTER_NAMES = (
    "kubeconfig",
    "contexts",
    "all_contexts",
    "request_timeout",
    "from_file",
    "at",
    "wire",
    *CONNECTION_FLAGS,
)


def _cluster_flags(p: dict[str, Any]) -> ClusterFlags:
    """Return the ClusterFlags of the parameters ``p``; the --from file is read once here."""
    named = [name.strip() for given in p["contexts"] for name in given.split(",")]
    contexts = tuple(dict.fromkeys(name for name in named if name))
    refuse_cluster_flags(p, contexts)
    overrides = connection_overrides(p, fleet=p["all_contexts"] or len(contexts) > 1)
    at = tuple(parse_at(value) for value in p["at"])
    if at and p["from_file"] is not None and not is_journal(p["from_file"]):
        raise UsageError(f"--at reads a journal: {p['from_file']} is not one (see record)")
    context = contexts[0] if len(contexts) == 1 else None
    loaded = None if p["from_file"] is None else read_from_file(p["from_file"], context, at)
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


def cluster_options(func: F) -> F:
    """Add the flags that say which cluster to read, and how; pass ``cluster``.

    --kubeconfig, --context, --all-contexts, --request-timeout and --from here;
    kubectl's connection flags (--as, --server...) in cli/connection_flags.py.

    ``cluster`` is a ClusterFlags; commands that read one cluster only refuse a fleet
    (``refuse_fleet``).
    """
    grouped = _grouped(_CLUSTER_NAMES, _cluster_flags, "cluster")
    return _apply(_CLUSTER_OPTIONS, grouped(func))


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
            name for name in FLAG_SPELLING if p[name] not in (None, False, (), "name")
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
        return SelectionFlags(selection, p["quiet"], given)

    return _apply(_SELECTION_OPTIONS, _grouped(_SELECTION_NAMES, build, "selection")(func))


def _short_value(value: str | None) -> str | None:
    """Return the value of a short flag spelt kubectl's way, ``-n=shop``: without the ``=``.

    click reads ``-n=shop`` as ``=shop``; no namespace starts with ``=``. (``-l=app`` is
    split before click reads it, see ``short_flag_values``: ``-l '=app'`` is refused.)
    """
    return value[1:] if value is not None and value.startswith("=") else value


def events_option(func: F) -> F:
    """Add --events: read Warning events (one LIST) and show each pod's and node's latest."""
    return click.option(
        "--events",
        is_flag=True,
        help="Show each pod's and node's latest Warning events (reason, count, last seen, "
        "message), read with one LIST; node events only without -n.",
    )(func)


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
