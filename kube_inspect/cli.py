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

from kube_inspect import __version__, onboarding
from kube_inspect.aggregate import build_cluster
from kube_inspect.client import KubeClient
from kube_inspect.errors import EXIT_INTERNAL, EXIT_USAGE, KubeInspectError, UsageError
from kube_inspect.model import Cluster
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
    kubeconfig: str | None, context: str | None, request_timeout: str, namespace: str | None
) -> Cluster:
    """Return the hierarchy of the cluster the flags name, read through the client."""
    timeout = parse_request_timeout(request_timeout)
    client = KubeClient.from_kubeconfig(kubeconfig, context, timeout)
    try:
        version = client.version()
        nodes = client.list_nodes()
        pods = client.list_pods(namespace)
    finally:
        client.close()
    return build_cluster(
        context=client.target.context,
        server=client.target.server,
        version=version,
        nodes=nodes,
        pods=pods,
        only_nodes_with_pods=namespace is not None,
    )


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
    type=click.Choice(["tree", "json", *onboarding.PICTURES]),
    default="tree",
    show_default=True,
    help="Output format.",
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
    kubeconfig: str | None,
    context: str | None,
    request_timeout: str,
    namespace: str | None,
    all_namespaces: bool,
    output: str,
    ascii_only: bool,
    explain: bool,
    watch: bool,
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
      kube-inspect tree --explain            # with what each level and state means
      kube-inspect tree -o html > cluster.html  # one self-contained page to open
      kube-inspect tree -o dot | dot -Tsvg > cluster.svg
      kube-inspect tree -o mermaid           # paste into a ```mermaid block on GitHub
      kube-inspect tree -w -n shop           # redraw on every change; Ctrl-C stops
    """
    if explain and output != "tree":
        raise UsageError("--explain goes with -o tree (the html page explains on click)")
    if watch and (output != "tree" or explain):
        raise UsageError("--watch draws the plain tree: drop -o and --explain")
    if watch or explain or output in onboarding.PICTURES:
        onboarding_tree(
            kubeconfig,
            context,
            request_timeout,
            None if all_namespaces else namespace,
            output,
            ascii_only,
            watch,
        )
        return
    cluster = read_cluster(
        kubeconfig, context, request_timeout, None if all_namespaces else namespace
    )
    out = sys.stdout
    if namespace and not all_namespaces and not cluster.pods:
        click.echo(f"No pods found in {namespace} namespace.", err=True)
    if output == "json":
        render_json(cluster, out)
    else:
        render_tree(cluster, out, now=datetime.now(UTC), ascii_only=ascii_only)


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
    """  # noqa: D301 - click's no-rewrap marker is the \b character, which r"" would not give
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


__all__ = ["EXIT_USAGE", "cli", "main"]
