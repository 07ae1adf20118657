"""Read the selected part of a cluster, through the client, into the model: ONE read path.

Every view builds on ``read_cluster``: tree in every output, the flat views, explain, the
pictures, the watch's first frame and check. It decides which LISTs to send for a
selection (filters go to the server where the API allows), reads optional extras
(owners, live usage, workloads) without failing the run when they are absent or
forbidden, hands everything to the pure builder, then keeps only problems and sorts.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

from kube_inspect.build.arrange import arrange
from kube_inspect.build.events import events_by_object, with_events
from kube_inspect.build.objects import build_cluster, build_workload
from kube_inspect.errors import ApiError, Forbidden, NotFound
from kube_inspect.kube.client import WORKLOAD_RESOURCES, KubeClient, again_if_gone
from kube_inspect.kube.progress import Progress
from kube_inspect.model.cluster import Cluster, Workload
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import Selection

T = TypeVar("T")
READS = ("nodes", "pods", "events", "persistentvolumeclaims", *WORKLOAD_RESOURCES)  # unread


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


def _read_nodes(
    client: KubeClient, selection: Selection, missing: list[str]
) -> list[dict[str, Any]]:
    if not selection.nodes:
        return list(client.stream_nodes(selection.node_selector))
    nodes = []
    for name in sorted(set(selection.nodes)):
        try:
            nodes.append(client.get_node(name))
        except NotFound:
            missing.append(name)
    return nodes


def _node_filter(selection: Selection, nodes: list[dict[str, Any]], nodes_read: bool) -> set[str]:
    """Return the names of the nodes whose pods are wanted.

    When nodes could not be read, the names asked for with --node still are.
    """
    if not nodes_read:
        return set(selection.nodes)
    return {str((n.get("metadata") or {}).get("name")) for n in nodes}


def _read_pods(
    client: KubeClient, selection: Selection, node_names: set[str]
) -> list[dict[str, Any]]:
    def pods(field_selector: str | None) -> list[dict[str, Any]]:
        return client.list_pods(selection.namespace, selection.label_selector, field_selector)

    found = []
    for name in sorted(node_names):
        on_node = f"spec.nodeName={name}"
        field = f"{selection.field_selector},{on_node}" if selection.field_selector else on_node
        found += pods(field)
    return found


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
    With ``forbidden``, a 403 on any read is noted there and the rest is shown (what
    could not be read is named in ``Cluster.unread``); when neither nodes nor pods may
    be read, Forbidden is raised.
    """
    client.progress = progress

    def read_once() -> tuple[Cluster, ForbiddenReads | None]:
        attempt = None if forbidden is None else ForbiddenReads()
        return _read(client, selection, attempt), attempt

    try:
        cluster, attempt = again_if_gone(read_once, "pods")
    finally:
        if progress is not None:
            progress.done()
    if forbidden is not None and attempt is not None:
        forbidden.merge(attempt)  # only the attempt that succeeded counts
    cluster = replace(cluster, read_at=client.now(), pod_filter=selection.pod_filter)
    return arrange(cluster, selection.problems, selection.sort)


def _read(client: KubeClient, selection: Selection, forbidden: ForbiddenReads | None) -> Cluster:
    streamed = None
    if not selection.nodes:
        # listed from now on, in a thread, while the rest is read
        streamed = client.stream_pods(
            selection.namespace,
            selection.label_selector,
            selection.field_selector,
            with_volumes=selection.reads_claims,
        )
    try:
        version = client.version()
        missing: list[str] = []
        nodes_effect = "nodes are shown by name only, without status"
        if selection.node_selector:
            nodes_effect = "--node-selector cannot pick nodes, so no pods are shown"
        nodes: list[dict[str, Any]] = []
        if selection.with_nodes or selection.nodes or selection.node_selector:
            nodes = _attempt(
                forbidden,
                "nodes",
                lambda: _read_nodes(client, selection, missing),
                [],
                nodes_effect,
            )
        nodes_read = forbidden is None or "nodes" not in forbidden.what
        node_names = _node_filter(selection, nodes, nodes_read)
        if streamed is None:
            pods: Iterable[dict[str, Any]] = _attempt(
                forbidden, "pods", lambda: _read_pods(client, selection, node_names), []
            )
        else:
            source = streamed
            pods = _attempt(forbidden, "pods", lambda: _started(source), iter(()))
            if selection.node_selector:
                pods = (p for p in pods if (p.get("spec") or {}).get("nodeName") in node_names)
        if forbidden is not None and {"nodes", "pods"} <= set(forbidden.what):
            raise forbidden.nothing_readable(["nodes", "pods"])
        claims, claim_notices = _read_claims(client, selection, forbidden)
        cluster = _build(client, selection, version, nodes, pods, claims)
        if claim_notices:
            cluster = replace(cluster, notices=(*cluster.notices, *claim_notices))
        cluster = _read_events(client, selection, cluster, forbidden)
        workloads = _read_workloads(client, selection, forbidden)
        unread = tuple(w for w in forbidden.what if w in READS) if forbidden else ()
        if claim_notices:
            unread += ("persistentvolumeclaims",)  # unknown, not missing
        return replace(cluster, unread=unread, workloads=workloads, missing_nodes=tuple(missing))
    finally:
        if streamed is not None:
            streamed.close()


def _read_claims(
    client: KubeClient, selection: Selection, forbidden: ForbiddenReads | None
) -> tuple[list[dict[str, Any]] | None, list[str]]:
    """Return the PersistentVolumeClaims in ONE LIST, scoped like the pods, when wanted.

    None when not wanted or not read: forbidden (noted as a partial result), or not
    served (a file of nodes and pods only), which the notices returned say.
    """
    if not selection.reads_claims:
        return None, []
    effect = (
        "claims shown by name only, without phase, volume or capacity"
        if selection.with_volumes
        else "pods' claims are not judged (Pending, Lost or missing)"
    )
    try:
        return _attempt(
            forbidden,
            "persistentvolumeclaims",
            functools.partial(client.list_claims, selection.namespace),
            None,
            effect,
        ), []
    except NotFound as e:  # "persistentvolumeclaims are not in the file"
        why = str(e).removeprefix("not found: ")
        if forbidden is not None and selection.with_claims:  # check: the rule is not checked
            forbidden.unavailable("persistentvolumeclaims", why, effect)
            return None, []
        return None, [f"{why}: {effect}"]


def _any_pending(cluster: Cluster) -> bool:
    """Return True when some pod is Pending (without copying 30,000 pods into one tuple)."""
    if any(p.phase == "Pending" for p in cluster.unscheduled):
        return True
    return any(p.phase == "Pending" for n in cluster.nodes for p in n.pods)


def _read_events(
    client: KubeClient, selection: Selection, cluster: Cluster, forbidden: ForbiddenReads | None
) -> Cluster:
    """Return the cluster with Warning events read in ONE LIST, when they are wanted.

    They are when the view shows them (--events, explain), or when a pod is Pending: its
    FailedScheduling or FailedMount event may say why. With no pod pending and no events
    shown, nothing is sent (the fast path). Asked for, a forbidden read is a partial
    result; read only for pending pods, it is a notice.
    """
    if not selection.with_events and not _any_pending(cluster):
        return cluster
    read = functools.partial(client.list_events, selection.namespace)
    if selection.with_events:
        objects = _attempt(forbidden, "events", read, None, "Warning events not shown")
    else:
        notices: list[str] = []
        effect = "pending pods are explained from their own status only"
        objects = _optional(read, "events", effect, notices)
        cluster = replace(cluster, notices=(*cluster.notices, *notices))
    if objects is None:
        return cluster
    return with_events(
        cluster,
        events_by_object(objects),
        show=selection.with_events,
        nodes_read=selection.namespace is None,  # node events live in the default namespace
    )


def _read_workloads(
    client: KubeClient, selection: Selection, forbidden: ForbiddenReads | None
) -> tuple[Workload, ...] | None:
    if not selection.with_workloads:
        return None
    found: list[Workload] = []
    for resource in WORKLOAD_RESOURCES:
        items: list[dict[str, Any]] = _attempt(
            forbidden,
            resource,
            functools.partial(
                client.list_workloads, resource, selection.namespace, selection.label_selector
            ),
            [],
            f"{resource} not shown",
        )
        found += [build_workload(w) for w in items]
    return tuple(sorted(found, key=lambda w: (w.kind, w.namespace, w.name)))


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
    claims: list[dict[str, Any]] | None = None,
) -> Cluster:
    namespace = selection.namespace
    notices: list[str] = []
    owners = jobs = None
    if selection.with_owners:
        effect = "owners shown one level up only"
        owners = _optional(
            lambda: client.list_replicasets(namespace), "ReplicaSets", effect, notices
        )
        jobs = _optional(lambda: client.list_jobs(namespace), "Jobs", effect, notices)
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
        only_nodes_with_pods=selection.filters_pods and not selection.every_node,
        owners={"ReplicaSet": owners or [], "Job": jobs or []},
        node_metrics=node_metrics,
        pod_metrics=pod_metrics,
        notices=notices,
        with_volumes=selection.reads_claims,
        claims=claims,
    )
