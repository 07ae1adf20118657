"""Read many clusters at once: one thread and one client per kubeconfig context.

The read path is I/O bound (the API servers' answers), so threads overlap the waits: N
clusters take about as long as the slowest. Each context gets its own client, built from
its own kubeconfig entry with its own ``--request-timeout``; a cluster that cannot be read
becomes a ``Member`` carrying its error, and the others are read all the same. ``read``
is whatever one view reads from one cluster (the tree's ``read_cluster``, check's
``evaluate``...), so every view, and later ``snapshot``, reads a fleet the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from kube_inspect.errors import (
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    KubeInspectError,
)
from kube_inspect.kube.client import KubeClient
from kube_inspect.model.fleet import Member
from kube_inspect.read.partial import ForbiddenReads

T = TypeVar("T")
Connect = Callable[[str], KubeClient]


def read_member(
    context: str, connect: Connect, read: Callable[[KubeClient, ForbiddenReads], T]
) -> Member[T]:
    """Return what ``read`` gives for one context, or the error that stopped it.

    Forbidden reads that ``read`` noted and worked around become the member's warnings.
    """
    forbidden = ForbiddenReads()
    try:
        client = connect(context)
    except KubeInspectError as e:  # no such server, a failing credential plugin...
        return Member(context, None, None, str(e), e.exit_code, error_kind=type(e).__name__)
    try:
        value = read(client, forbidden)
    except KubeInspectError as e:
        warnings = tuple(forbidden.warnings())
        server = client.target.server
        kind = type(e).__name__
        return Member(context, server, None, str(e), e.exit_code, warnings, kind)
    finally:
        client.close()
    return Member(context, client.target.server, value, warnings=tuple(forbidden.warnings()))


def read_fleet(
    contexts: Sequence[str],
    connect: Connect,
    read: Callable[[KubeClient, ForbiddenReads], T],
) -> tuple[Member[T], ...]:
    """Return one member per context, in the order given, each read in its own thread.

    A bug (an error that is not a KubeInspectError) in any thread is raised here. The
    threads are daemons: Ctrl-C stops the command without waiting for slow servers.
    """
    members: list[Member[T] | None] = [None] * len(contexts)
    bugs: list[BaseException] = []

    def run(index: int, context: str) -> None:
        try:
            members[index] = read_member(context, connect, read)
        except BaseException as e:  # re-raised in the caller's thread, below
            bugs.append(e)

    threads = [
        threading.Thread(target=run, args=(i, c), name=f"read {c}", daemon=True)
        for i, c in enumerate(contexts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if bugs:
        raise bugs[0]
    return tuple(m for m in members if m is not None)


def answered(member: Member[T]) -> bool:
    """Return True when the cluster's API server answered (a 403 on everything is an answer)."""
    return not member.failed or member.error_code == EXIT_PARTIAL


def fleet_exit_code(members: Sequence[Member[T]]) -> int:
    """Return the exit code of a fleet's read: 0, 4 (partial) or 3 (no cluster answered).

    Partial means a cluster failed or forbade some reads while another answered. When
    none answered, it is 3, or 2 when every context's kubeconfig entry was unusable.
    """
    if not any(answered(m) for m in members):
        if members and all(m.error_code == EXIT_USAGE for m in members):
            return EXIT_USAGE
        return EXIT_UNREACHABLE
    if any(m.failed or m.partial for m in members):
        return EXIT_PARTIAL
    return EXIT_OK
