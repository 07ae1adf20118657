"""The actions behind `explain`, `tree --explain`, the pictures and `tree --watch`.

Once the CLI has parsed their flags, these read the cluster through the client, then
write to a stream. The CLI (cli.py) keeps the flags and turns errors into exit codes; the words and
drawings themselves are pure (explain.py, explain_objects.py, render/).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TextIO

from kube_inspect.errors import UsageError
from kube_inspect.explain.objects import explain_container, explain_node, explain_pod
from kube_inspect.explain.tour import tour
from kube_inspect.kube.client import KubeClient
from kube_inspect.read.snapshot import Snapshot, read_snapshot
from kube_inspect.read.watch import watch_tree
from kube_inspect.render.dot import render_dot
from kube_inspect.render.explained import render_explained_tree
from kube_inspect.render.html import render_html
from kube_inspect.render.mermaid import render_mermaid

PICTURES = ("html", "dot", "mermaid")  # outputs drawn from the API objects, with their facts
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


def read(
    kubeconfig: str | None, context: str | None, timeout: float | None, namespace: str | None
) -> Snapshot:
    """Return one read of the cluster the flags name, as API objects."""
    client = KubeClient.from_kubeconfig(kubeconfig, context, timeout)
    try:
        return read_snapshot(client, namespace)
    finally:
        client.close()


def draw(snapshot: Snapshot, output: str, out: TextIO, *, ascii_only: bool = False) -> None:
    """Write a picture (html, dot, mermaid) or, for ``tree``, the explained tree."""
    cluster = snapshot.cluster()
    if output == "html":
        render_html(cluster, out, snapshot.facts())
    elif output == "dot":
        render_dot(cluster, out)
    elif output == "mermaid":
        render_mermaid(cluster, out)
    else:
        render_explained_tree(
            cluster, snapshot.facts(), out, now=datetime.now(UTC), ascii_only=ascii_only
        )


def watch(
    kubeconfig: str | None,
    context: str | None,
    timeout: float | None,
    namespace: str | None,
    out: TextIO,
    *,
    ascii_only: bool = False,
) -> None:
    """Draw the tree and redraw it on every change, until KeyboardInterrupt."""
    client = KubeClient.from_kubeconfig(kubeconfig, context, timeout)
    try:
        watch_tree(client, namespace, out, ascii_only=ascii_only, in_place=out.isatty())
    finally:
        client.close()


def object_ref(kind: str, name: str | None, namespace: str | None) -> tuple[str, list[str]]:
    """Return (node|pod|container, name parts) of what `explain KIND NAME` names.

    Takes kubectl's spellings: ``pod NS/NAME``, ``pod -n NS NAME``, ``pod/NS/NAME``.
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
    if resolved != "node" and namespace and len(parts) == (1 if resolved == "pod" else 2):
        parts = [namespace, *parts]
    wanted = {"node": 1, "pod": 2, "container": 3}[resolved]
    if len(parts) != wanted or not all(parts):
        raise UsageError(f"explain {kind} wants a name like {EXPLAIN_EXAMPLES[resolved]}")
    return resolved, parts


def explain(
    kubeconfig: str | None,
    context: str | None,
    timeout: float | None,
    ref: tuple[str, list[str]] | None,
) -> list[str]:
    """Return the tour (``ref`` None) or the explanation of one object, as lines."""
    if ref is None:
        snapshot = read(kubeconfig, context, timeout, None)
        return tour(snapshot.cluster(), snapshot.facts())
    kind, parts = ref
    snapshot = read(kubeconfig, context, timeout, None if kind == "node" else parts[0])
    cluster, facts = snapshot.cluster(), snapshot.facts()
    if kind == "node":
        return explain_node(cluster, facts, parts[0])
    if kind == "pod":
        return explain_pod(cluster, facts, parts[0], parts[1])
    return explain_container(cluster, facts, parts[0], parts[1], parts[2])
