"""The MCP server: one tool per view, each running that view's command in a child process.

Only this module imports the ``mcp`` SDK (the ``mcp`` extra). Each call runs
``python -m kube_inspect VIEW ...`` with the server's cluster flags: the child sends the
requests (GET only, through the one request path) and writes the JSON a user would get;
the server's own stdout stays the protocol's.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations

from kube_inspect import __version__
from kube_inspect.mcpserver.views import (
    Selection,
    Target,
    answer,
    check_argv,
    explain_argv,
    view_argv,
)

INSTRUCTIONS = """\
kube-inspect reads a Kubernetes cluster and never changes it (it sends only get, list
and watch). Start with `tree` (cluster -> nodes -> pods -> containers, with health) or
`check` (which rules fail, and where). Narrow with namespace, selector, node or
problems=true. exit_code 4 means a partial result: this user may not read everything,
so do not conclude that what is missing does not exist. `explain` says in plain words
what a node, pod or container is and why it is in its state."""

POD_VIEWS = {
    "tree": "Show the cluster as a tree: nodes, the pods on each, each pod's containers, "
    "with health. Same as `kube-inspect tree -o json`. namespace/selector/field_selector "
    "filter pods (kubectl's -n, -l, --field-selector); node and node_selector pick nodes; "
    "problems=true keeps only pending, failing, restarting or unready pods; sort is name, "
    "cpu, memory, restarts, age or a resource name.",
    "pods": "List pods, one per entry, with their node, phase, readiness, restarts and "
    "requests. Same as `kube-inspect pods -o json`; the arguments are tree's.",
}
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=True)
CALL_TIMEOUT = 300.0  # seconds; a view of a big cluster over a slow link takes tens


def run_command(argv: list[str]) -> tuple[int, str, str]:
    """Return the exit code, stdout and stderr of ``kube-inspect ARGV`` run as a child."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kube_inspect", *argv],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=CALL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return 3, "", f"kube-inspect {argv[0]} did not finish within {CALL_TIMEOUT:g}s"
    return done.returncode, done.stdout, done.stderr


def make_server(target: Target) -> MCPServer:
    """Return the server whose tools read the cluster ``target`` names."""
    server: MCPServer = MCPServer(
        name="kube-inspect", instructions=INSTRUCTIONS, version=__version__
    )
    add_view_tools(server, target)
    add_check_tool(server, target)
    add_explain_tool(server, target)
    return server


def run_view(name: str, target: Target, selection: Selection) -> dict[str, Any]:
    """Return the answer of the view ``name`` (``kube-inspect NAME -o json``) of ``selection``."""
    code, out, err = run_command(view_argv(name, target, selection))
    return answer(code, out, err, as_json=True)


def pod_view(name: str, target: Target) -> Callable[..., dict[str, Any]]:
    """Return the tool of a view of pods (tree, pods): the same arguments for each."""

    def tool(
        namespace: str | None = None,
        selector: str | None = None,
        field_selector: str | None = None,
        node: list[str] | None = None,
        node_selector: str | None = None,
        problems: bool = False,
        sort: str | None = None,
    ) -> dict[str, Any]:
        nodes_ = tuple(node or ())
        selection = Selection(namespace, selector, field_selector, nodes_, node_selector)
        return run_view(name, target, replace(selection, problems=problems, sort=sort))

    return tool


def add_view_tools(server: MCPServer, target: Target) -> None:
    """Add the views' tools: tree and pods (POD_VIEWS), then nodes."""
    for name, description in POD_VIEWS.items():
        server.add_tool(
            pod_view(name, target), name=name, description=description, annotations=READ_ONLY
        )

    @server.tool(annotations=READ_ONLY)
    def nodes(
        namespace: str | None = None,
        selector: str | None = None,
        node: list[str] | None = None,
        node_selector: str | None = None,
        problems: bool = False,
        sort: str | None = None,
    ) -> dict[str, Any]:
        """List nodes with status, capacity, what their pods request and use, and taints.

        Same as `kube-inspect nodes -o json`. With namespace or selector, the figures
        are the selected pods' share of each node, not the node's total.
        """
        selection = Selection(namespace, selector, None, node or (), node_selector, problems, sort)
        return run_view("nodes", target, selection)


def add_check_tool(server: MCPServer, target: Target) -> None:
    """Add the check tool: check's rules, as `kube-inspect check -o json` runs them."""

    @server.tool(annotations=READ_ONLY)
    def check(
        namespace: str | None = None,
        selector: str | None = None,
        node: list[str] | None = None,
        node_selector: str | None = None,
        rules: list[str] | None = None,
        skip_rules: list[str] | None = None,
    ) -> dict[str, Any]:
        """Judge the cluster's health by rules; exit_code 1 when a rule fails.

        Same as `kube-inspect check -o json`. Rules: node-ready, node-pressure,
        pod-pending, pod-claims, container-state, container-restarts, workload-ready.
        """
        selection = Selection(namespace, selector, None, node or (), node_selector)
        argv = check_argv(target, selection, rules or (), skip_rules or ())
        code, out, err = run_command(argv)
        return answer(code, out, err, as_json=True)


def add_explain_tool(server: MCPServer, target: Target) -> None:
    """Add the explain tool: plain words, as `kube-inspect explain` prints them."""

    @server.tool(annotations=READ_ONLY)
    def explain(what: str | None = None, namespace: str | None = None) -> dict[str, Any]:
        """Explain in plain words the cluster (no argument) or one object, and what to run next.

        what: e.g. "node worker-1", "pod shop/web-1", "container shop/web-1/app".
        """
        code, out, err = run_command(explain_argv(target, what, namespace))
        return answer(code, out, err, as_json=False)


def serve(target: Target) -> None:
    """Serve the tools over stdio until the client closes the connection."""
    make_server(target).run("stdio")
