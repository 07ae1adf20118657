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
from typing import Any, TypeVar

import click

from kube_inspect import __version__
from kube_inspect.aggregate import build_cluster
from kube_inspect.client import KubeClient
from kube_inspect.errors import EXIT_INTERNAL, EXIT_USAGE, KubeInspectError, UsageError
from kube_inspect.gcpause import paused_gc
from kube_inspect.model import Cluster
from kube_inspect.progress import Progress
from kube_inspect.render.json import render_json
from kube_inspect.render.tree import render_tree

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = """\b
Exit codes:
  0   success
  1   checks failed
  2   usage or kubeconfig error
  3   cannot reach or authenticate to the cluster
  4   partial result: some resources were forbidden
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


def cluster_options(func: F) -> F:
    """Add the flags that choose the cluster, spelt as kubectl spells them."""
    options = (
        click.option(
            "--kubeconfig",
            metavar="PATH",
            help="Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).",
        ),
        click.option("--context", metavar="NAME", help="The kubeconfig context to use."),
        click.option(
            "--request-timeout",
            default="30s",
            show_default=True,
            metavar="DURATION",
            help="How long to wait for each request to the API server (e.g. 5s, 1m); 0: no limit.",
        ),
    )
    return functools.reduce(lambda f, option: option(f), reversed(options), func)


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


def read_cluster(
    kubeconfig: str | None,
    context: str | None,
    request_timeout: str,
    namespace: str | None,
    progress: Progress | None = None,
) -> Cluster:
    """Return the hierarchy of the cluster the flags name, read through the client.

    Nodes and pods are listed at once, each read ahead page by page, and the pods are
    built into the model as they arrive: memory holds the model and a few pages.
    """
    timeout = parse_request_timeout(request_timeout)
    client = KubeClient.from_kubeconfig(kubeconfig, context, timeout)
    client.progress = progress
    # The collector is paused from the first page: parsing allocates millions of objects.
    with paused_gc():
        nodes = client.stream_nodes()
        pods = client.stream_pods(namespace)
        try:
            return build_cluster(
                context=client.target.context,
                server=client.target.server,
                version=client.version(),
                nodes=nodes,
                pods=pods,
                only_nodes_with_pods=namespace is not None,
            )
        finally:
            nodes.close()
            pods.close()
            if progress is not None:
                progress.done()
            client.close()


def quiet_option(func: F) -> F:
    """Add -q/--quiet: no progress line on stderr."""
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help="No progress on stderr (shown only on a terminal, for lists over a second).",
    )(func)


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
@namespace_options
@click.option(
    "-o",
    "--output",
    type=click.Choice(["tree", "json"]),
    default="tree",
    show_default=True,
    help="Output format.",
)
@click.option("--ascii", "ascii_only", is_flag=True, help="Draw the tree with ASCII only.")
@quiet_option
def tree(
    kubeconfig: str | None,
    context: str | None,
    request_timeout: str,
    namespace: str | None,
    all_namespaces: bool,
    output: str,
    ascii_only: bool,
    quiet: bool,
) -> None:
    r"""Print the cluster's nodes, the pods on each node, and each pod's containers.

    \b
    A node is a machine (real or virtual) that runs pods. A pod is the smallest
    unit Kubernetes schedules: one or more containers sharing a network address
    and volumes. A container runs one image. Pods not yet bound to a node are
    listed last, under (unscheduled).

    \b
    Examples:
      kube-inspect tree                      # the current context, all namespaces
      kube-inspect tree -n shop              # only the pods of namespace shop
      kube-inspect tree --context prod -o json | jq '.cluster.nodes[].name'
      kubectl inspect tree --ascii           # as a kubectl plugin, plain ASCII
      kube-inspect tree -q > cluster.txt     # no progress line, even on a terminal
    """
    cluster = read_cluster(
        kubeconfig,
        context,
        request_timeout,
        None if all_namespaces else namespace,
        progress=Progress.for_stream(sys.stderr, quiet),
    )
    out = sys.stdout
    if namespace and not all_namespaces and not cluster.pods:
        click.echo(f"No pods found in {namespace} namespace.", err=True)
    if output == "json":
        render_json(cluster, out)
    else:
        render_tree(cluster, out, now=datetime.now(UTC), ascii_only=ascii_only)


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


__all__ = ["EXIT_USAGE", "cli", "main"]
