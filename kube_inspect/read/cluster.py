"""Read what a view needs from the cluster, through the client, into the model.

This is the I/O half of `tree` and the flat views: it decides which LISTs to send for a
selection (filters go to the server where the API allows), reads optional extras (owners,
live usage) without failing the run when they are absent or forbidden, and hands
everything to the pure aggregator.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from kube_inspect.build.objects import build_cluster
from kube_inspect.cli.gcpause import paused_gc
from kube_inspect.errors import ApiError, Forbidden, Gone, NotFound, UsageError
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.prefetch import quick_handoffs
from kube_inspect.kube.progress import Progress
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.partial import ForbiddenReads

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Selection:
    """Which part of the cluster a view shows."""

    namespace: str | None = None
    label_selector: str | None = None
    field_selector: str | None = None
    nodes: tuple[str, ...] = ()
    node_selector: str | None = None
    with_usage: bool = True

    @property
    def filters_pods(self) -> bool:
        """Return True when only some pods are wanted (then empty nodes are left out)."""
        return bool(self.namespace or self.label_selector or self.field_selector)


def _optional(read: Callable[[], T], what: str, effect: str, notices: list[str]) -> T | None:
    """Return ``read()``, or None with a notice when the API is absent, forbidden or down.

    An extra that is registered but not answering (an aggregated API such as
    metrics.k8s.io whose server is down answers 503) must not fail the whole view.
    """
    try:
        return read()
    except NotFound:
        notices.append(f"{what} is not served by this cluster: {effect}")
    except Forbidden:
        notices.append(f"reading {what} is forbidden for this user: {effect}")
    except ApiError as e:
        if e.status is None or e.status < 500:
            raise
        notices.append(f"{what} is not answering ({e.status}): {effect}")
    return None


def _read_nodes(client: KubeClient, selection: Selection) -> list[dict[str, Any]]:
    if not selection.nodes:
        return list(client.stream_nodes(selection.node_selector))
    nodes = []
    for name in sorted(set(selection.nodes)):
        try:
            nodes.append(client.get_node(name))
        except NotFound as e:
            raise UsageError(f'node "{name}" not found: see kubectl get nodes') from e
    return nodes


def _read_pods(
    client: KubeClient, selection: Selection, node_names: set[str]
) -> list[dict[str, Any]]:
    def pods(field_selector: str | None) -> list[dict[str, Any]]:
        return client.list_pods(selection.namespace, selection.label_selector, field_selector)

    if selection.nodes:
        found = []
        for name in sorted(node_names):
            on_node = f"spec.nodeName={name}"
            field = f"{selection.field_selector},{on_node}" if selection.field_selector else on_node
            found += pods(field)
        return found
    listed = pods(selection.field_selector)
    if selection.node_selector:
        return [p for p in listed if (p.get("spec") or {}).get("nodeName") in node_names]
    return listed


def _started(items: Iterable[T]) -> Iterator[T]:
    """Return an iterator over ``items`` whose first item was already read.

    Reading it surfaces an error of the first page (e.g. 403) here, not later inside the
    aggregator, while the rest stays lazy.
    """
    iterator = iter(items)
    for first in iterator:
        return itertools.chain((first,), iterator)
    return iter(())


def read_cluster(
    client: KubeClient,
    selection: Selection,
    forbidden: ForbiddenReads | None = None,
    progress: Progress | None = None,
) -> Cluster:
    """Return the hierarchy of the selected part of the cluster the client points at.

    Pods are streamed into the model as their pages arrive, the next page read while
    this one is built (memory holds the model and a few pages). If the streamed list
    expires half-way (410 Gone), it starts again, once; a second expiry is Gone.
    With ``forbidden``, a 403 on nodes or pods is noted there and the rest is shown
    (nodes then appear by name only); when both are forbidden, Forbidden is raised.
    """
    client.progress = progress
    try:
        # The collector is paused from the first page: parsing allocates millions of objects;
        # the reader threads get the GIL back quickly while the main thread builds.
        with paused_gc(), quick_handoffs():
            for attempt_number in (1, 2):
                attempt = None if forbidden is None else ForbiddenReads()
                try:
                    cluster = _read(client, selection, attempt)
                except ApiError as e:
                    if e.status != 410:
                        raise
                    if attempt_number == 2:
                        raise Gone(
                            "the list of pods expired twice while being read in pages (410 "
                            "Gone): the cluster changes faster than it can be listed; try "
                            "again, or with -n"
                        ) from e
                    continue  # etcd compacted what the list was reading: start it again
                if forbidden is not None and attempt is not None:
                    forbidden.what += attempt.what
                    forbidden.messages += attempt.messages
                    forbidden.consequences += attempt.consequences
                return cluster
            raise AssertionError("unreachable: the second read returns or raises")
    finally:
        if progress is not None:
            progress.done()


def _read(client: KubeClient, selection: Selection, forbidden: ForbiddenReads | None) -> Cluster:
    notices: list[str] = []
    streamed = None
    if not selection.nodes:
        # listed from now on, in a thread, while the rest is read
        streamed = client.stream_pods(
            selection.namespace, selection.label_selector, selection.field_selector
        )
    try:
        version = client.version()
        nodes = _attempt(
            forbidden,
            "nodes",
            lambda: _read_nodes(client, selection),
            _none(),
            "nodes are shown by name only, without status",
        )
        node_names = {str((n.get("metadata") or {}).get("name")) for n in nodes}
        if streamed is None:
            pods: Iterable[dict[str, Any]] = _attempt(
                forbidden, "pods", lambda: _read_pods(client, selection, node_names), _none()
            )
        else:
            source = streamed
            pods = _attempt(forbidden, "pods", lambda: _started(source), iter(()))
            if selection.node_selector:
                pods = (p for p in pods if (p.get("spec") or {}).get("nodeName") in node_names)
        if forbidden is not None and len(forbidden.what) == 2:
            raise forbidden.nothing_readable(["nodes", "pods"])
        return _build(client, selection, version, nodes, pods, notices)
    finally:
        if streamed is not None:
            streamed.close()


def _none() -> list[dict[str, Any]]:
    return []


def _attempt(
    forbidden: ForbiddenReads | None,
    what: str,
    read: Callable[[], T],
    instead: T,
    consequence: str | None = None,
) -> T:
    """Return ``read()``; with ``forbidden``, a 403 is noted there and gives ``instead``."""
    if forbidden is None:
        return read()
    return forbidden.attempt(what, read, instead, consequence)


def _build(
    client: KubeClient,
    selection: Selection,
    version: str,
    nodes: list[dict[str, Any]],
    pods: Iterable[dict[str, Any]],
    notices: list[str],
) -> Cluster:
    namespace = selection.namespace
    owners_effect = "owners shown one level up only"
    owners = _optional(
        lambda: client.list_replicasets(namespace), "ReplicaSets", owners_effect, notices
    )
    jobs = _optional(lambda: client.list_jobs(namespace), "Jobs", owners_effect, notices)
    node_metrics = pod_metrics = None
    if selection.with_usage:
        metrics, usage_effect = "metrics.k8s.io", "usage reads n/a"
        node_metrics = _optional(client.list_node_metrics, metrics, usage_effect, notices)
        if node_metrics is not None:
            pod_metrics = _optional(
                lambda: client.list_pod_metrics(namespace), metrics, usage_effect, notices
            )
    return build_cluster(
        context=client.target.context,
        server=client.target.server,
        version=version,
        nodes=nodes,
        pods=pods,
        only_nodes_with_pods=selection.filters_pods,
        owners={"ReplicaSet": owners or [], "Job": jobs or []},
        node_metrics=node_metrics,
        pod_metrics=pod_metrics,
        notices=notices,
    )
