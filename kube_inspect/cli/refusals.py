"""Flag combinations a command refuses, each a one-line usage error (exit 2) naming a flag."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kube_inspect.cli.connection_flags import given_connection_flags
from kube_inspect.cli.flags import FLAG_SPELLING, ClusterFlags, SelectionFlags
from kube_inspect.cli.moments import is_journal
from kube_inspect.errors import UsageError
from kube_inspect.read.selection import Selection


def refuse_cluster_flags(p: dict[str, Any], contexts: tuple[str, ...]) -> None:
    """Raise UsageError for cluster flags that cannot go together (the parameters ``p``).

    --all-contexts with --context; --from (a file) with any flag that names a cluster.
    """
    if p["all_contexts"] and contexts:
        raise UsageError("--all-contexts reads every context: drop --context")
    if p["from_file"] is not None:
        # a journal may hold several clusters: --context names the one to read
        journal = is_journal(p["from_file"])
        given = {"context": bool(contexts) and not journal, "all-contexts": p["all_contexts"]}
        given["kubeconfig"] = p["kubeconfig"] is not None
        for flag, there in given.items():
            if there:
                raise UsageError(f"--from reads a file, not a cluster: drop --{flag}")
        for flag in given_connection_flags(p):
            raise UsageError(f"--from reads a file, not a cluster: drop {flag}")


def refuse_fleet(flags: ClusterFlags, where: str) -> None:
    """Raise UsageError when several contexts were asked for and ``where`` reads one."""
    if flags.fleet:
        given = "--all-contexts" if flags.all_contexts else "several --context"
        if flags.fleet_snapshot is not None:
            given = "a fleet snapshot (--from)"
        raise UsageError(f"{given} does not apply to {where}: it reads one cluster")


def refuse_flags(flags: SelectionFlags, allowed: set[str], where: str) -> None:
    """Raise UsageError naming the first selection flag given that ``where`` cannot apply."""
    for name in sorted(flags.given - allowed):
        raise UsageError(f"{FLAG_SPELLING[name]} does not apply to {where}")


def with_events(
    selection: Selection, events: bool, output: str, shown_in: tuple[str, ...]
) -> Selection:
    """Return the selection reading events when --events is given; UsageError where unshown."""
    if not events:
        return selection
    if output not in shown_in:
        raise UsageError(f"--events does not apply to -o {output}: use -o {'/'.join(shown_in)}")
    return replace(selection, with_events=True)
