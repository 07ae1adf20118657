"""`kube-inspect explain`: the guided tour of the selection, or one object, in plain words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import click

from kube_inspect.cli.completion import complete_from_list
from kube_inspect.cli.options import (
    ClusterFlags,
    SelectionFlags,
    cluster_options,
    refuse_flags,
    refuse_fleet,
    selection_options,
)
from kube_inspect.cli.process import one_shot
from kube_inspect.cli.reading import default_namespace, exit_if_partial, load_cluster
from kube_inspect.errors import EXIT_CODES_HELP, UsageError
from kube_inspect.explain.one_object import explain_container, explain_node, explain_pod
from kube_inspect.explain.tour import tour
from kube_inspect.interpret.names import check_name
from kube_inspect.interpret.words import printable
from kube_inspect.read.partial import ForbiddenReads

EXPLAIN_KINDS = {
    "node": "node",
    "no": "node",
    "nodes": "node",
    "pod": "pod",
    "po": "pod",
    "pods": "pod",
    "container": "container",
    "containers": "container",
}
EXPLAIN_EXAMPLES = {
    "node": "explain node kwok-worker-1",
    "pod": "explain pod shop/web-1",
    "container": "explain container shop/web-1/nginx",
}


def object_ref(
    kind: str,
    name: str | None,
    namespace: str | None,
    default: Callable[[], str | None] = lambda: None,
) -> tuple[str, list[str]]:
    """Return (node|pod|container, name parts) of what `explain KIND NAME` names.

    Takes kubectl's spellings: ``pod NS/NAME``, ``pod -n NS NAME``, ``pod/NS/NAME``, and
    ``pod NAME`` in the namespace ``default()`` gives (the context's), when it gives one.
    """
    if name is None and "/" in kind:
        kind, name = kind.split("/", 1)
    resolved = EXPLAIN_KINDS.get(kind.lower())
    if resolved is None:
        raise UsageError(
            f"cannot explain {kind!r}: use node NAME, pod NS/NAME or container NS/POD/NAME"
        )
    if not name:
        raise UsageError(f"explain {kind} needs a name, e.g. {EXPLAIN_EXAMPLES[resolved]}")
    parts = name.split("/")
    if resolved != "node" and len(parts) == (1 if resolved == "pod" else 2):
        namespace = namespace or default()
        parts = [namespace, *parts] if namespace else parts
    wanted = {"node": 1, "pod": 2, "container": 3}[resolved]
    if len(parts) != wanted or not all(parts):
        raise UsageError(f"explain {kind} wants a name like {EXPLAIN_EXAMPLES[resolved]}")
    if resolved == "node":
        check_name(parts[0], "node name")
    else:
        check_name(parts[0], "namespace", label=True)
        check_name(parts[1], "pod name")  # it goes into a field selector: no ',' sneaks in
        if resolved == "container":
            check_name(parts[2], "container name", label=True)
    return resolved, parts


@click.command("explain", epilog=EXIT_CODES_HELP)
@cluster_options
@selection_options
@click.argument(
    "kind", required=False, metavar="[KIND", shell_complete=complete_from_list(EXPLAIN_KINDS)
)
@click.argument("name", required=False, metavar="NAME]")
def explain_command(
    cluster: ClusterFlags, selection: SelectionFlags, kind: str | None, name: str | None
) -> None:
    """Explain the cluster, or one node, pod or container, in plain words.

    With no argument: a short guided tour of the selected part of the cluster (every
    selection flag of tree applies), from live data: its nodes, how pods spread over
    them, the workloads that own them, one multi-container pod as an example, and
    what is unhealthy and what that means. With an object: where it runs, who owns
    it, why it is in its state, and the kubectl command to run next.

    \b
    Examples:
      kube-inspect explain                             # the guided tour
      kube-inspect explain -n shop --problems          # the tour of what fails in shop
      kube-inspect explain node kwok-worker-1
      kube-inspect explain pod shop/web-8bd6f4977-4mnfw
      kube-inspect explain pod -n shop multi           # kubectl's -n works too
      kube-inspect explain pod multi                   # in the context's namespace
      kube-inspect explain pod/shop/multi              # and kubectl's KIND/NAME
      kube-inspect explain container batch/crasher/worker
    """
    refuse_fleet(cluster, "explain")
    forbidden = ForbiddenReads()
    read = replace(selection.selection, with_usage=False, with_volumes=True, with_devices=True)
    if kind is None:
        with one_shot():
            model = load_cluster(cluster, read, forbidden, quiet=selection.quiet)
            lines = tour(model)
    else:
        refuse_flags(selection, {"namespace"}, "explain KIND NAME: it names one object")
        what, parts = object_ref(
            kind, name, selection.selection.namespace, lambda: default_namespace(cluster)
        )
        read = replace(read, with_events=True)  # an object's explanation ends with its events
        if what == "node":
            # every pod on the node, whatever the context's namespace
            read = replace(read, namespace=None, nodes=(parts[0],), context_namespace=False)
        else:
            read = replace(read, namespace=parts[0], field_selector=f"metadata.name={parts[1]}")
        model = load_cluster(cluster, read, forbidden, quiet=True, say_no_pods=False)
        if what != "node" and "pods" in model.unread:
            # refused, not absent: kubectl says Forbidden, not NotFound
            raise forbidden.nothing_readable([f"pods in namespace {parts[0]}"])
        if what == "node":
            lines = explain_node(model, parts[0])
        elif what == "pod":
            lines = explain_pod(model, parts[0], parts[1])
        else:
            lines = explain_container(model, parts[0], parts[1], parts[2])
    click.echo("\n".join(map(printable, lines)))  # no cluster text begins a line of its own
    exit_if_partial(forbidden)
