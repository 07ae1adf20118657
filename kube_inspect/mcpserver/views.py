"""Each MCP tool as the kube-inspect command line it runs, and that command's answer: pure.

A tool call is turned into the argv of the same command a user would type (``tree -o
json -n shop``): the server adds no read path of its own, so the CLI's selection flags,
partial results and exit codes are the tools' too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kube_inspect.errors import (
    EXIT_CHECKS_FAILED,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_PARTIAL,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
)

# What each exit code means, in the words of `kube-inspect --help`, for the assistant.
MEANINGS = {
    EXIT_OK: "success",
    EXIT_CHECKS_FAILED: "checks failed",
    EXIT_USAGE: "usage, kubeconfig or file error: the arguments need fixing",
    EXIT_UNREACHABLE: "cannot reach or authenticate to the cluster",
    EXIT_PARTIAL: "partial result: some resources were forbidden for this user (see notices)",
    EXIT_OUTPUT: "cannot write output",
    EXIT_INTERNAL: "internal error in kube-inspect",
}


@dataclass(frozen=True, slots=True)
class Target:
    """Which cluster every tool reads, fixed when the server starts (kubectl's flags)."""

    kubeconfig: str | None = None
    context: str | None = None
    request_timeout: str | None = None
    from_file: str | None = None  # a snapshot or kubectl List read instead of a cluster


@dataclass(frozen=True, slots=True)
class Selection:
    """The selection flags every view shares, as a tool's arguments give them."""

    namespace: str | None = None
    selector: str | None = None
    field_selector: str | None = None
    node: Sequence[str] = ()
    node_selector: str | None = None
    problems: bool = False
    sort: str | None = None


def target_args(target: Target) -> list[str]:
    """Return the cluster flags of ``target``."""
    args: list[str] = []
    for flag, value in (
        ("--kubeconfig", target.kubeconfig),
        ("--context", target.context),
        ("--request-timeout", target.request_timeout),
        ("--from", target.from_file),
    ):
        if value:
            args += [flag, value]
    return args


def selection_args(selection: Selection) -> list[str]:
    """Return the selection flags of ``selection``, as a user would type them."""
    args: list[str] = []
    for flag, value in (
        ("--namespace", selection.namespace),
        ("--selector", selection.selector),
        ("--field-selector", selection.field_selector),
        ("--node-selector", selection.node_selector),
        ("--sort", selection.sort),
    ):
        if value:
            args += [flag, value]
    for name in selection.node:
        args += ["--node", name]
    if selection.problems:
        args.append("--problems")
    return args


def view_argv(view: str, target: Target, selection: Selection, *extra: str) -> list[str]:
    """Return the arguments of ``kube-inspect VIEW -o json`` for a tool call."""
    return [view, "-o", "json", "--quiet", *target_args(target), *selection_args(selection), *extra]


def check_argv(
    target: Target, selection: Selection, rules: Sequence[str], skip_rules: Sequence[str]
) -> list[str]:
    """Return the arguments of ``kube-inspect check -o json`` for a tool call."""
    extra: list[str] = []
    for rule in rules:
        extra += ["--rule", rule]
    for rule in skip_rules:
        extra += ["--skip-rule", rule]
    return view_argv("check", target, selection, *extra)


def explain_argv(target: Target, what: str | None, namespace: str | None) -> list[str]:
    """Return the arguments of ``kube-inspect explain [KIND NAME]`` (plain words, not JSON)."""
    args = ["explain", *target_args(target)]
    if namespace:
        args += ["--namespace", namespace]
    return args + (what or "").split()


def answer(exit_code: int, stdout: str, stderr: str, as_json: bool) -> dict[str, Any]:
    """Return a tool's result: the command's output (parsed when JSON), its exit code and why.

    Notices on stderr (partial results, forbidden reads) are kept: an assistant must not
    take a partial picture for the whole cluster.
    """
    result: Any = stdout
    if as_json and stdout.strip():
        try:
            result = json.loads(stdout)
        except ValueError:
            result = stdout
    return {
        "exit_code": exit_code,
        "meaning": MEANINGS.get(exit_code, f"exit code {exit_code}"),
        "result": result,
        "stderr": stderr.strip(),
    }
