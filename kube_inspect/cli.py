"""The command line: parse flags, read the cluster, render it, map errors to exit codes.

This is the one place that turns exceptions into messages and exit codes.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO, TypeVar

import click
from click.shell_completion import CompletionItem, get_completion_class

from kube_inspect import __version__, onboarding
from kube_inspect.arrange import SORT_KEYS, SortKey, only_problems, sort_cluster
from kube_inspect.client import KubeClient, kubeconfig_paths
from kube_inspect.errors import (
    EXIT_INTERNAL,
    EXIT_PARTIAL,
    EXIT_USAGE,
    KubeInspectError,
    UsageError,
)
from kube_inspect.gcpause import paused_gc
from kube_inspect.inventory import Selection, read_cluster
from kube_inspect.model import Cluster
from kube_inspect.partial import ForbiddenReads
from kube_inspect.progress import Progress
from kube_inspect.render import cells
from kube_inspect.render.csv import write_csv
from kube_inspect.render.json import (
    cluster_dict,
    containers_document,
    nodes_document,
    pods_document,
    write_json,
)
from kube_inspect.render.table import TABLE_FORMATS, write_table
from kube_inspect.render.tree import DEPTHS, TreeOptions, paint, render_tree
from kube_inspect.render.yaml import write_yaml

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = """\b
Exit codes:
  0   success
  1   checks failed (check only; wins over 4)
  2   usage, kubeconfig or --expect file error
  3   cannot reach or authenticate to the cluster, or it keeps failing
  4   partial result: some resources were forbidden (a warning says which)
  70  internal error (a bug: please report it)"""

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_request_timeout(value: str) -> float | None:
    """Return a kubectl-style timeout (``30``, ``5s``, ``1m30s``) in seconds; 0 means none."""
    text = value.strip()
    if re.fullmatch(r"\d+", text):
        seconds = float(text)
    elif text and _DURATION.sub("", text) == "":
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(text))
    else:
        raise UsageError(
            f"invalid --request-timeout {value!r}: use a duration such as 10s, 2m or 1m30s"
        )
    return seconds or None


class KubeInspectGroup(click.Group):
    """A click group that reports KubeInspectError as one line and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn known errors into a message on stderr and an exit code."""
        try:
            return super().invoke(ctx)
        except KubeInspectError as e:
            if ctx.params.get("debug"):
                raise
            click.echo(f"error: {e}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): not an error worth a message.
            sys.stderr.close()
            ctx.exit(0)


# Shell completion of names, read from the kubeconfig and the cluster. Completion must
# never fail loudly: any error completes nothing.


def _completion_client(ctx: click.Context) -> KubeClient:
    params = ctx.params
    return KubeClient.from_kubeconfig(params.get("kubeconfig"), params.get("context"), 5.0)


def complete_context(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Return the kubeconfig's context names that start with ``incomplete``."""
    from kube_inspect.client import context_names

    try:
        names = context_names(kubeconfig_paths(ctx.params.get("kubeconfig")))
    except KubeInspectError:
        return []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


def _complete_from(
    read: Callable[[KubeClient], list[dict[str, Any]]],
) -> Callable[..., list[CompletionItem]]:
    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        try:
            client = _completion_client(ctx)
            try:
                names = sorted(str((o.get("metadata") or {}).get("name")) for o in read(client))
            finally:
                client.close()
        except KubeInspectError:
            return []
        return [CompletionItem(n) for n in names if n.startswith(incomplete)]

    return complete


def _options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    return lambda func: functools.reduce(lambda f, d: d(f), reversed(decorators), func)


_CLUSTER_OPTIONS = _options(
    click.option(
        "--kubeconfig",
        metavar="PATH",
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
)


def namespace_options(func: F) -> F:
    """Add -n/--namespace and -A/--all-namespaces."""
    func = click.option(
        "-A",
        "--all-namespaces",
        is_flag=True,
        help="Show pods of all namespaces (the default; overrides -n, as in kubectl).",
    )(func)
    return click.option(
        "-n", "--namespace", metavar="NAME", help="Show only the pods of this namespace."
    )(func)


_SELECTION_OPTIONS = _options(
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
        shell_complete=_complete_from(lambda c: c.list_namespaces()),
    ),
    click.option(
        "-A",
        "--all-namespaces",
        is_flag=True,
        help="Show pods of all namespaces (the default; overrides -n, as in kubectl).",
    ),
    click.option(
        "-l", "--selector", metavar="SELECTOR", help="Pod label selector, e.g. app=web,tier!=db."
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
        help="Only this node (repeatable).",
        shell_complete=_complete_from(lambda c: c.list_nodes()),
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
)


def cluster_options(func: F) -> F:
    """Add the flags that choose the cluster, spelt as kubectl spells them."""
    return _CLUSTER_OPTIONS(func)


def selection_options(func: F) -> F:
    """Add the flags that select nodes and pods (sent to the server where it can filter)."""
    return _SELECTION_OPTIONS(func)


def output_options(formats: tuple[str, ...], default: str) -> Callable[[F], F]:
    """Add -o/--output with the given formats, --fmt and --color."""
    return _options(
        click.option(
            "-o",
            "--output",
            type=click.Choice(formats),
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
            help="Colour states; auto: when stdout is a terminal and NO_COLOR is unset.",
        ),
    )


def use_color(choice: str, out: TextIO) -> bool:
    """Return whether to colour, from --color, NO_COLOR and whether ``out`` is a terminal."""
    if choice != "auto":
        return choice == "always"
    return "NO_COLOR" not in os.environ and out.isatty()


def load_cluster(params: dict[str, Any], forbidden: ForbiddenReads, *, output: str) -> Cluster:
    """Return the cluster the command's flags select, filtered and sorted.

    Reads the user may not make are noted in ``forbidden`` and the rest is shown. Live
    usage is read only when the output shows it or the sort needs it; notices go to
    stderr for human outputs (json and yaml carry them in the document instead).
    """
    timeout = parse_request_timeout(params["request_timeout"])
    namespace = None if params["all_namespaces"] else params["namespace"]
    selection = Selection(
        namespace=namespace,
        label_selector=params["selector"],
        field_selector=params["field_selector"],
        nodes=tuple(params["node_names"]),
        node_selector=params["node_selector"],
        with_usage=output != "tree" or params["sort"] in ("cpu", "memory"),
    )
    client = KubeClient.from_kubeconfig(params["kubeconfig"], params["context"], timeout)
    try:
        progress = Progress.for_stream(sys.stderr, params["quiet"])
        cluster = read_cluster(client, selection, forbidden, progress)
    finally:
        client.close()
    if params["problems"]:
        cluster = only_problems(cluster)
    sort: SortKey = params["sort"]
    cluster = sort_cluster(cluster, sort)
    if output not in ("json", "yaml"):
        for notice in cluster.notices:
            click.echo(f"notice: {notice}", err=True)
    if namespace and not cluster.pods:
        click.echo(f"No pods found in {namespace} namespace.", err=True)
    return cluster


def flat_rows(cluster: Cluster, level: str, *, wide: bool) -> list[dict[str, str]]:
    """Return one row per node, pod or container of the cluster."""
    now = datetime.now(UTC)
    if level == "node":
        return [cells.node_row(n, now, wide=wide) for n in cluster.nodes]
    if level == "pod":
        return [cells.pod_row(p, now, wide=wide) for p in cluster.pods]
    return [cells.container_row(p, c, wide=wide) for p in cluster.pods for c in p.containers]


def write_rows(rows: list[dict[str, str]], output: str, fmt: str, color: bool, out: TextIO) -> None:
    """Write flat rows as a table (coloured states when asked) or as CSV."""
    if output == "csv":
        write_csv(rows, out)
        return
    if color:
        rows = [
            {k: paint(v, True) if k in ("STATUS", "STATE") else v for k, v in r.items()}
            for r in rows
        ]
    write_table(rows, out, fmt)


DOCUMENTS = {"node": nodes_document, "pod": pods_document, "container": containers_document}


@click.group(cls=KubeInspectGroup, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="kube-inspect")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
def cli(debug: bool) -> None:
    """Inspect a live Kubernetes cluster, read-only: cluster -> nodes -> pods -> containers.

    kube-inspect only ever sends get, list and watch requests: it is safe to point at
    production.
    """


@cli.command(epilog=EXIT_CODES_HELP)
@cluster_options
@selection_options
@output_options(("tree", "wide", "json", "yaml", "table", "csv", *onboarding.PICTURES), "tree")
@click.option(
    "--depth",
    type=click.Choice(DEPTHS),
    default="container",
    show_default=True,
    help="How deep to draw: nodes only, nodes and pods, or down to containers.",
)
@click.option("--ascii", "ascii_only", is_flag=True, help="Draw the tree with ASCII only.")
@click.option(
    "--explain",
    is_flag=True,
    help="Say what each level means, and add a line of plain words under each unusual state.",
)
@click.option(
    "-w",
    "--watch",
    is_flag=True,
    help="After the tree, redraw it on every change (watch API), marking changed rows; "
    "Ctrl-C stops.",
)
def tree(
    output: str,
    fmt: str,
    color: str,
    depth: str,
    ascii_only: bool,
    explain: bool,
    watch: bool,
    **params: Any,
) -> None:
    """Print the cluster's nodes, the pods on each node, and each pod's containers.

    \b
    A node is a machine (real or virtual) that runs pods. A pod is the smallest
    unit Kubernetes schedules: one or more containers sharing a network address
    and volumes. A container runs one image. Pods not yet bound to a node are
    listed last, under (unscheduled).

    \b
    -o tree/wide draw the hierarchy (wide adds requests, limits, usage, IPs,
    taints, digests); -o json/yaml hold the whole hierarchy (schema_version 1,
    whatever --depth); -o table/csv flatten the deepest level --depth shows.

    \b
    Examples:
      kube-inspect tree                      # the current context, all namespaces
      kube-inspect tree -n shop              # only the pods of namespace shop
      kube-inspect tree --problems           # only what needs attention
      kube-inspect tree -o wide --sort cpu   # resources, busiest first
      kube-inspect tree --depth node -o table --fmt github
      kube-inspect tree --context prod -o json | jq '.cluster.nodes[].name'
      kubectl inspect tree --ascii           # as a kubectl plugin, plain ASCII
      kube-inspect tree --explain            # with what each level and state means
      kube-inspect tree -o html > cluster.html  # one self-contained page to open
      kube-inspect tree -o dot | dot -Tsvg > cluster.svg
      kube-inspect tree -o mermaid           # paste into a ```mermaid block on GitHub
      kube-inspect tree -w -n shop           # redraw on every change; Ctrl-C stops
      kube-inspect tree -q > cluster.txt     # no progress line, even on a terminal
    """
    if explain and output != "tree":
        raise UsageError("--explain goes with -o tree (the html page explains on click)")
    if watch and (output != "tree" or explain):
        raise UsageError("--watch draws the plain tree: drop -o and --explain")
    if watch or explain or output in onboarding.PICTURES:
        namespace = None if params["all_namespaces"] else params["namespace"]
        onboarding_tree(
            params["kubeconfig"],
            params["context"],
            params["request_timeout"],
            namespace,
            output,
            ascii_only,
            watch,
        )
        return
    forbidden = ForbiddenReads()
    with paused_gc():  # one shot: collections would only walk the model again while drawing
        cluster = load_cluster(params, forbidden, output=output)
        _draw_tree(cluster, output, fmt, color, depth, ascii_only)
    exit_if_partial(forbidden)


def _draw_tree(
    cluster: Cluster, output: str, fmt: str, color: str, depth: str, ascii_only: bool
) -> None:
    out = sys.stdout
    if output in ("json", "yaml"):
        (write_json if output == "json" else write_yaml)(cluster_dict(cluster), out)
    elif output in ("table", "csv"):
        write_rows(flat_rows(cluster, depth, wide=True), output, fmt, use_color(color, out), out)
    else:
        options = TreeOptions(
            now=datetime.now(UTC),
            ascii_only=ascii_only,
            wide=output == "wide",
            depth=depth,  # type: ignore[arg-type]
            color=use_color(color, out),
        )
        render_tree(cluster, out, options=options)


def exit_if_partial(forbidden: ForbiddenReads) -> None:
    """Warn on stderr about each forbidden read and exit with EXIT_PARTIAL, if there was one."""
    if not forbidden:
        return
    for line in forbidden.warnings():
        click.echo(f"warning: {line}", err=True)
    click.get_current_context().exit(EXIT_PARTIAL)


def _flat_command(level: str, plural: str, example: str) -> click.Command:
    @cluster_options
    @selection_options
    @output_options(("table", "wide", "json", "yaml", "csv"), "table")
    def command(output: str, fmt: str, color: str, **params: Any) -> None:
        forbidden = ForbiddenReads()
        out = sys.stdout
        with paused_gc():  # one shot, as in tree
            cluster = load_cluster(params, forbidden, output=output)
            if output in ("json", "yaml"):
                (write_json if output == "json" else write_yaml)(DOCUMENTS[level](cluster), out)
            else:
                rows = flat_rows(cluster, level, wide=output in ("wide", "csv"))
                write_rows(rows, output, fmt, use_color(color, out), out)
        exit_if_partial(forbidden)

    command.__doc__ = f"""List {plural}, one per line, with the same filters and outputs as tree.

    \b
    Examples:
      {example}
      kube-inspect {plural} -o wide --fmt github
      kube-inspect {plural} -o csv > {plural}.csv
    """
    return click.command(plural, epilog=EXIT_CODES_HELP)(command)


cli.add_command(_flat_command("node", "nodes", "kube-inspect nodes --sort cpu"))
cli.add_command(_flat_command("pod", "pods", "kube-inspect pods --problems -A"))
cli.add_command(_flat_command("container", "containers", "kube-inspect containers -n shop"))


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


@cli.command("explain", epilog=EXIT_CODES_HELP)
@cluster_options
@click.option(
    "-n", "--namespace", metavar="NAME", help="The namespace of a pod or container given by name."
)
@click.argument("kind", required=False, metavar="[KIND")
@click.argument("name", required=False, metavar="NAME]")
def explain_command(
    kubeconfig: str | None,
    context: str | None,
    request_timeout: str,
    namespace: str | None,
    kind: str | None,
    name: str | None,
) -> None:
    """Explain the cluster, or one node, pod or container, in plain words.

    With no argument: a short guided tour of the cluster, from live data: its nodes,
    how pods spread over them, the workloads that own them, one multi-container pod
    as an example, and what is unhealthy and what that means. With an object: where
    it runs, who owns it, why it is in its state, and the kubectl command to run next.

    \b
    Examples:
      kube-inspect explain                             # the guided tour
      kube-inspect explain node kwok-worker-1
      kube-inspect explain pod shop/web-8bd6f4977-4mnfw
      kube-inspect explain pod -n shop multi           # kubectl's -n works too
      kube-inspect explain pod/shop/multi              # and kubectl's KIND/NAME
      kube-inspect explain container batch/crasher/worker
    """
    timeout = parse_request_timeout(request_timeout)
    ref = None if kind is None else onboarding.object_ref(kind, name, namespace)
    click.echo("\n".join(onboarding.explain(kubeconfig, context, timeout, ref)))


def onboarding_tree(
    kubeconfig: str | None,
    context: str | None,
    request_timeout: str,
    namespace: str | None,
    output: str,
    ascii_only: bool,
    watch: bool,
) -> None:
    """Print `tree --explain`, a picture, or `tree --watch` until Ctrl-C (then exit 0)."""
    timeout = parse_request_timeout(request_timeout)
    if not watch:
        snapshot = onboarding.read(kubeconfig, context, timeout, namespace)
        onboarding.draw(snapshot, output, sys.stdout, ascii_only=ascii_only)
        return
    try:
        onboarding.watch(kubeconfig, context, timeout, namespace, sys.stdout, ascii_only=ascii_only)
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)


def main() -> None:
    """Run the CLI; as ``kubectl-inspect`` it names itself ``kubectl inspect``."""
    invoked_as = os.path.basename(sys.argv[0]) if sys.argv else ""
    prog_name = "kubectl inspect" if invoked_as.startswith("kubectl-inspect") else "kube-inspect"
    try:
        cli.main(prog_name=prog_name)
    except KubeInspectError as e:  # raised before a command runs, e.g. with --debug off
        click.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)
    except Exception:  # pragma: no cover - a bug: say so, keep the traceback for --debug
        if "--debug" in sys.argv:
            raise
        click.echo("error: internal error; run again with --debug and report it", err=True)
        sys.exit(EXIT_INTERNAL)


# Commands kept in their own modules register themselves on `cli` when imported; they use
# the option decorators above, so they are imported last (a plain import also works when
# such a module is the one imported first).
import kube_inspect.cli_check  # noqa: E402, F401

__all__ = ["EXIT_USAGE", "cli", "kubectl_complete_main", "main"]


# cobra's ShellCompDirective bits, which kubectl reads from the last line of a plugin's
# completion output (k8s.io/kubectl/pkg/cmd/plugin/plugin_completion.go).
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
    from click.shell_completion import ShellComplete

    args = sys.argv[1:]
    if args[:1] == ["__complete"]:
        args = args[1:]
    *before, word = args or [""]
    completer = ShellComplete(cli, {}, "kubectl inspect", "_KUBECTL_INSPECT_COMPLETE")
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
