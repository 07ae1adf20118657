"""Where each command lives, and its one-line help: `--help` lists them without loading them.

Loading a command module loads what it runs on (the client, the builders, the
renderers); `kube-inspect --help`, `--version` and completion of a command name need none
of it. The group (kube_inspect.cli.KubeInspectGroup) imports a command's module only when
that command is run, completed into or asked for its own help. A unit test checks that
each summary is the first paragraph of its command's own help.
"""

from __future__ import annotations

import importlib

import click

# name -> ("module:attribute", the first paragraph of the command's help)
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "check": (
        "kube_inspect.cli.check:check",
        "Check that the cluster is healthy; exit 1 when a check fails (for CI gates).",
    ),
    "containers": (
        "kube_inspect.cli.views:containers",
        "List containers, one per line, with the same filters and outputs as tree.",
    ),
    "diff": (
        "kube_inspect.cli.diff:diff",
        "Show what changed from BEFORE to AFTER; exit 1 when something did, 0 when nothing did.",
    ),
    "explain": (
        "kube_inspect.cli.explain:explain_command",
        "Explain the cluster, or one node, pod or container, in plain words.",
    ),
    "history": (
        "kube_inspect.cli.history:history",
        "Tell what happened to a pod, node or workload, in order, from a journal.",
    ),
    "mcp": (
        "kube_inspect.cli.mcp:mcp",
        "Serve the views to an AI assistant as Model Context Protocol tools, over stdio.",
    ),
    "nodes": (
        "kube_inspect.cli.views:nodes",
        "List nodes, one per line, with the same filters and outputs as tree.",
    ),
    "pods": (
        "kube_inspect.cli.views:pods",
        "List pods, one per line, with the same filters and outputs as tree.",
    ),
    "record": (
        "kube_inspect.cli.record:record",
        "Record every change of the cluster in a journal, until stopped (Ctrl-C or SIGTERM).",
    ),
    "snapshot": (
        "kube_inspect.cli.snapshot:snapshot",
        "Save the selected part of the cluster to one file, to view or diff later offline.",
    ),
    "tree": (
        "kube_inspect.cli.tree:tree",
        "Print the cluster's nodes, the pods on each node, and each pod's containers.",
    ),
}


def load_command(name: str) -> click.Command:
    """Return the command ``name`` of LAZY_COMMANDS, importing its module."""
    module_name, attribute = LAZY_COMMANDS[name][0].split(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):  # pragma: no cover - a wrong table entry
        raise TypeError(f"{module_name}:{attribute} is not a click command")
    return command
