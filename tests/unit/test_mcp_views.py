"""The MCP tools as command lines: each call is the command a user would type."""

from __future__ import annotations

from kube_inspect.mcpserver.views import (
    Selection,
    Target,
    answer,
    check_argv,
    explain_argv,
    view_argv,
)


def test_tree_call_is_the_tree_command_with_its_flags() -> None:
    target = Target(kubeconfig="/k", context="staging")
    selection = Selection(namespace="shop", selector="app=web", node=("n1", "n2"), problems=True)
    assert view_argv("tree", target, selection) == [
        "tree", "-o", "json", "--quiet", "--kubeconfig", "/k", "--context", "staging",
        "--namespace", "shop", "--selector", "app=web", "--node", "n1", "--node", "n2",
        "--problems",
    ]  # fmt: skip


def test_unset_arguments_add_no_flag() -> None:
    assert view_argv("pods", Target(), Selection()) == ["pods", "-o", "json", "--quiet"]


def test_check_rules_are_repeated_flags() -> None:
    argv = check_argv(Target(), Selection(), ["node-ready", "pod-pending"], ["pod-claims"])
    assert argv[-6:] == [
        "--rule", "node-ready", "--rule", "pod-pending", "--skip-rule", "pod-claims",
    ]  # fmt: skip


def test_explain_takes_kind_and_name_as_words() -> None:
    assert explain_argv(Target(context="c"), "pod shop/web", None) == [
        "explain", "--context", "c", "pod", "shop/web",
    ]  # fmt: skip
    assert explain_argv(Target(), None, "shop") == ["explain", "--namespace", "shop"]


def test_answer_parses_json_and_keeps_the_partial_notice() -> None:
    result = answer(4, '{"schema_version": 1}', "warning: nodes are forbidden\n", as_json=True)
    assert result == {
        "exit_code": 4,
        "meaning": "partial result: some resources were forbidden for this user (see notices)",
        "result": {"schema_version": 1},
        "stderr": "warning: nodes are forbidden",
    }


def test_answer_keeps_text_that_is_not_json() -> None:
    assert answer(2, "not json", "", as_json=True)["result"] == "not json"
    assert answer(0, "A node is a machine.", "", as_json=False)["result"] == "A node is a machine."
