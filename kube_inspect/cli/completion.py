"""Shell completion of names, read from the kubeconfig and the cluster.

Completion must never fail loudly: any error completes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from kube_inspect.errors import KubeInspectError

if TYPE_CHECKING:  # the client is imported by the completers that ask the cluster, not before
    from kube_inspect.kube.client import KubeClient

# A TAB press waits for this at most (one request, no retries): a silent server or a
# hanging credential plugin completes nothing, quickly.
COMPLETION_TIMEOUT = 1.0


def complete_file(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Let the shell complete file names (--kubeconfig, --expect, --junit)."""
    return [CompletionItem(incomplete, type="file")]


def complete_from_list(
    names: Iterable[str],
) -> Callable[[click.Context, click.Parameter, str], list[CompletionItem]]:
    """Return a completer of the fixed ``names`` (rule names, kinds)."""
    fixed = sorted(names)

    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return [CompletionItem(n) for n in fixed if n.startswith(incomplete)]

    return complete


def complete_context(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Return the kubeconfig's context names that start with ``incomplete``.

    After a comma (``--context a,b``), the last name is completed.
    """
    from kube_inspect.kube.kubeconfig import context_names, kubeconfig_paths

    try:
        names = context_names(kubeconfig_paths(ctx.params.get("kubeconfig")))
    except KubeInspectError:
        return []
    before, comma, last = incomplete.rpartition(",")
    lead = before + comma
    return [CompletionItem(lead + n) for n in names if n.startswith(last)]


def _one_context(params: dict[str, Any]) -> str | None:
    """Return the context a completion reads: the last one given to --context, if any."""
    given = [n for value in params.get("contexts") or () for n in value.split(",") if n]
    return given[-1] if given else None


def _complete_from(
    read: Callable[[KubeClient], list[dict[str, Any]]],
) -> Callable[[click.Context, click.Parameter, str], list[CompletionItem]]:
    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from kube_inspect.kube.client import NO_RETRIES, KubeClient

        params = ctx.params
        try:
            client = KubeClient.from_kubeconfig(
                params.get("kubeconfig"), _one_context(params), COMPLETION_TIMEOUT
            )
            client.retry_policy = NO_RETRIES
            try:
                names = sorted(str((o.get("metadata") or {}).get("name")) for o in read(client))
            finally:
                client.close()
        except KubeInspectError:
            return []
        return [CompletionItem(n) for n in names if n.startswith(incomplete)]

    return complete


complete_namespace = _complete_from(lambda c: c.list_namespaces())
complete_node = _complete_from(lambda c: c.list_nodes())
