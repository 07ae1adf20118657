"""The MCP server's tools, in process: what each offers and the command line each call runs.

No child is started: ``run_command`` is replaced by one that notes the argv. The
integration test (tests/integration/test_mcp.py) drives the real server over stdio.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from kube_inspect.mcpserver import server as mcp_server
from kube_inspect.mcpserver.views import Selection, Target, check_argv, explain_argv, view_argv

POD_ARGUMENTS = [
    "namespace",
    "selector",
    "field_selector",
    "node",
    "node_selector",
    "problems",
    "sort",
]


def test_every_view_is_a_read_only_tool_with_its_arguments() -> None:
    tools = anyio.run(mcp_server.make_server(Target()).list_tools)
    assert [(t.name, list(t.input_schema["properties"])) for t in tools] == [
        ("tree", POD_ARGUMENTS),
        ("pods", POD_ARGUMENTS),
        ("nodes", ["namespace", "selector", "node", "node_selector", "problems", "sort"]),
        ("check", ["namespace", "selector", "node", "node_selector", "rules", "skip_rules"]),
        ("explain", ["what", "namespace"]),
    ]
    assert all(t.annotations == mcp_server.READ_ONLY for t in tools)
    described = {t.name: t.description or "" for t in tools}
    assert described["tree"] == mcp_server.POD_VIEWS["tree"]
    assert described["nodes"].startswith("List nodes with status, capacity")
    assert described["check"].startswith("Judge the cluster's health by rules")
    assert described["explain"].startswith("Explain in plain words the cluster")


def test_each_call_runs_its_command_on_the_servers_cluster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[list[str]] = []

    def noted(argv: list[str]) -> tuple[int, str, str]:
        ran.append(argv)
        return 0, "{}", ""

    monkeypatch.setattr(mcp_server, "run_command", noted)
    target = Target(kubeconfig="/k", context="staging")
    server = mcp_server.make_server(target)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("tree", {"namespace": "shop", "problems": True}),
        ("pods", {"node": ["n1"], "sort": "age"}),
        ("nodes", {"selector": "app=web"}),
        ("check", {"rules": ["node-ready"], "skip_rules": ["pod-claims"]}),
        ("explain", {"what": "pod shop/web"}),
    ]
    for name, arguments in calls:
        anyio.run(server.call_tool, name, arguments)
    assert ran == [
        view_argv("tree", target, Selection(namespace="shop", problems=True)),
        view_argv("pods", target, Selection(node=("n1",), sort="age")),
        view_argv("nodes", target, Selection(selector="app=web")),
        check_argv(target, Selection(), ["node-ready"], ["pod-claims"]),
        explain_argv(target, "pod shop/web", None),
    ]
