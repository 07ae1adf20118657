"""`kube-inspect mcp`: serve the views to an AI assistant over the Model Context Protocol."""

from __future__ import annotations

import importlib.util

import click

from kube_inspect.errors import EXIT_CODES_HELP, UsageError


@click.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--kubeconfig",
    metavar="PATH",
    help="Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).",
)
@click.option("--context", metavar="NAME", help="The kubeconfig context every tool reads.")
@click.option(
    "--request-timeout",
    metavar="DURATION",
    help="How long each tool's requests may wait for the API server (e.g. 5s, 1m).",
)
@click.option(
    "--from",
    "from_file",
    metavar="FILE",
    help="Serve a `kube-inspect snapshot` file (or kubectl List) instead of a cluster.",
)
def mcp(
    kubeconfig: str | None, context: str | None, request_timeout: str | None, from_file: str | None
) -> None:
    """Serve the views to an AI assistant as Model Context Protocol tools, over stdio.

    The tools are tree, pods, nodes, check and explain, with the selection arguments
    of the commands (namespace, selector, field_selector, node, node_selector,
    problems, sort). Each runs the command itself, so it reads as the command does:
    only get, list and watch reach the API server, and a partial result (exit_code 4)
    says what this user may not read. Needs the `mcp` extra:
    pip install 'kube-inspect[mcp]'.

    \b
    Examples (an assistant's MCP configuration runs it):
      kube-inspect mcp                             # the current context
      kube-inspect mcp --context staging
      kube-inspect mcp --from before.json.gz       # a snapshot, offline
      claude mcp add kube-inspect -- kube-inspect mcp --context staging
    """
    if importlib.util.find_spec("mcp") is None:
        raise UsageError("kube-inspect mcp needs the MCP SDK: pip install 'kube-inspect[mcp]'")
    from kube_inspect.mcpserver.server import serve
    from kube_inspect.mcpserver.views import Target

    serve(Target(kubeconfig, context, request_timeout, from_file))
