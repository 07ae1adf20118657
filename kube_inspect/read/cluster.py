"""Read the selected part of a cluster, through the client, into the model: ONE read path.

Every view builds on ``read_cluster``: tree in every output, the flat views, explain, the
pictures, check and snapshot (the watch lists what the same plan says). The reads come
from the pure plan (read/plan.py: filters go to the server where the API allows) and are
sent at once (read/sending.py); the answers go to the pure builder. Optional extras
(owners, live usage, workloads) absent, forbidden or down never fail the run. Then only
problems are kept, and the result is sorted.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

from kube_inspect.errors import NotFound
from kube_inspect.interpret.arrange import arrange
from kube_inspect.interpret.objects import build_cluster
from kube_inspect.kube.client import KubeClient, again_if_gone
from kube_inspect.kube.prefetch import PageStream
from kube_inspect.kube.progress import Progress
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.devices import read_devices
from kube_inspect.read.extras import read_claims, read_events, read_workloads
from kube_inspect.read.gather import Answers, attempt, gathered, items, optional
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.plan import WORKLOAD_KINDS, Read, ReadPlan, plan_reads
from kube_inspect.read.selection import Selection
from kube_inspect.read.sending import Sender, blamed, fetch

T = TypeVar("T")
READS = (  # what ``Cluster.unread`` may name
    "nodes",
    "pods",
    "events",
    "persistentvolumeclaims",
    "resourceslices",
    "deviceclasses",
    "resourceclaims",
    *(resource for resource, _ in WORKLOAD_KINDS),
)
VERSION = Read("version", "/version", name="version")


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

    Every read of the plan is sent at once; pods are streamed into the model as their
    pages arrive, the next page read while this one is built (memory holds the model and
    a few pages). If the streamed list expires half-way (410 Gone), it starts again,
    once; a second expiry is Gone. With ``forbidden``, a 403 on any read is noted there
    and the rest is shown (what could not be read is named in ``Cluster.unread``); when
    neither nodes nor pods may be read, Forbidden is raised.
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


def send_plan(client: KubeClient, sender: Sender, plan: ReadPlan) -> Answers:
    """Send every read the plan knows it needs now, at once; return their future answers.

    The pods of another namespace's metrics are asked for once the nodes' metrics have
    answered (an absent or failing metrics API costs one request), still beside the rest.
    """
    listed = () if plan.stream_pods else plan.pods
    answers: Answers = {VERSION: sender.start(client.version)}  # asked since the client was made
    answers.update({read: sender.send(read) for read in (*plan.sent_at_once, *listed)})
    if plan.node_metrics is not None:
        first = answers[plan.node_metrics]

        def after_nodes(read: Read) -> Callable[[], Any]:
            return lambda: (first.result(), fetch(client, read))[1]

        for read in plan.pod_metrics:
            answers[read] = sender.start(after_nodes(read))
    return answers


def _streams(client: KubeClient, plan: ReadPlan) -> dict[Read, PageStream[dict[str, Any]]]:
    """Return the pods' streams, one per namespace, each read ahead from now on."""
    if not plan.stream_pods:
        return {}
    return {
        read: client.stream_pod_list(read.path, list(read.query), with_volumes=plan.pod_volumes)
        for read in plan.pods
    }


def _read(client: KubeClient, selection: Selection, forbidden: ForbiddenReads | None) -> Cluster:
    plan = plan_reads(selection)
    streams = _streams(client, plan)  # first: the biggest read starts before any other
    sender = Sender(client)
    try:
        answers = send_plan(client, sender, plan)
        version = str(answers[VERSION].result())
        missing: list[str] = []
        nodes: list[dict[str, Any]] = []
        nodes_read = True
        if plan.nodes:
            effect = "nodes are shown by name only, without status"
            if selection.node_selector:
                effect = "--node-selector cannot pick nodes, so no pods are shown"
            read_nodes = lambda: _read_nodes(answers, plan.nodes, missing)  # noqa: E731
            nodes = attempt(forbidden, "nodes", read_nodes, [], effect)
            nodes_read = forbidden is None or "nodes" not in forbidden.what
        node_names = _node_filter(selection, nodes, nodes_read)
        pods, pods_read = _read_pods(answers, plan, streams, forbidden)
        if plan.stream_pods and selection.node_selector:
            pods = (p for p in pods if (p.get("spec") or {}).get("nodeName") in node_names)
        if forbidden is not None and not nodes_read and not pods_read:
            raise forbidden.nothing_readable(["nodes", "pods"])
        claims, claim_notices = read_claims(answers, plan, selection, forbidden)
        cluster = _build(client, answers, plan, selection, version, nodes, pods, claims)
        if claim_notices:
            cluster = replace(cluster, notices=(*cluster.notices, *claim_notices))
        cluster = read_events(sender, answers, plan, selection, cluster, forbidden)
        cluster = read_devices(client, sender, answers, plan, selection, cluster, forbidden)
        workloads = read_workloads(answers, plan, forbidden)
        unread = _unread(forbidden, pods_read)
        if claim_notices:
            unread += ("persistentvolumeclaims",)  # unknown, not missing
        return replace(cluster, unread=unread, workloads=workloads, missing_nodes=tuple(missing))
    finally:
        sender.close()
        for stream in streams.values():
            stream.close()


def _unread(forbidden: ForbiddenReads | None, pods_read: bool) -> tuple[str, ...]:
    """Return what could not be read at all; pods read in some namespaces (-n a,b) were read."""
    if forbidden is None:
        return ()
    unread = dict.fromkeys(w for w in forbidden.what if w in READS)
    if pods_read:
        unread.pop("pods", None)  # the namespaces refused are warned about, not left empty
    return tuple(unread)


def _read_nodes(answers: Answers, reads: tuple[Read, ...], missing: list[str]) -> list[Any]:
    """Return the nodes read: one LIST, or one GET per node asked for (absent: ``missing``)."""
    nodes = []
    for read in reads:
        if read.name is None:
            nodes += answers[read].result()
            continue
        try:
            nodes.append(answers[read].result())
        except NotFound:
            missing.append(read.name)
    return nodes


def _node_filter(selection: Selection, nodes: list[dict[str, Any]], nodes_read: bool) -> set[str]:
    """Return the names of the nodes whose pods are wanted.

    When nodes could not be read, the names asked for with --node still are.
    """
    if not nodes_read:
        return set(selection.nodes)
    return {str((n.get("metadata") or {}).get("name")) for n in nodes}


def _first_page(
    streams: dict[Read, PageStream[dict[str, Any]]], read: Read
) -> Iterator[dict[str, Any]]:
    """Return the pods of ``read``'s stream, its first page read (its error blamed here)."""
    return blamed(read, lambda: _started(streams[read]))()


def _read_pods(
    answers: Answers,
    plan: ReadPlan,
    streams: dict[Read, PageStream[dict[str, Any]]],
    forbidden: ForbiddenReads | None,
) -> tuple[Iterable[dict[str, Any]], bool]:
    """Return the pods (streamed, or listed per node) and whether any namespace's were read."""
    if plan.stream_pods:
        empty: Iterator[dict[str, Any]] = iter(())
        started, allowed = gathered(
            forbidden, "pods", plan.pods, lambda reads: _first_page(streams, reads[0]), empty
        )
        return itertools.chain.from_iterable(started), allowed
    none: list[dict[str, Any]] = []
    listed, allowed = gathered(forbidden, "pods", plan.pods, lambda r: items(answers, r), none)
    return [pod for found in listed for pod in found], allowed


def _build(
    client: KubeClient,
    answers: Answers,
    plan: ReadPlan,
    selection: Selection,
    version: str,
    nodes: list[dict[str, Any]],
    pods: Iterable[dict[str, Any]],
    claims: list[dict[str, Any]] | None = None,
) -> Cluster:
    notices: list[str] = []
    owners = jobs = None
    if plan.owners:
        effect = "owners shown one level up only"
        replicasets = [r for r in plan.owners if r.resource == "replicasets"]
        owners = optional(lambda: items(answers, replicasets), "ReplicaSets", effect, notices)
        job_reads = [r for r in plan.owners if r.resource == "jobs"]
        jobs = optional(lambda: items(answers, job_reads), "Jobs", effect, notices)
    node_metrics = pod_metrics = None
    if plan.node_metrics is not None:
        metrics, usage_effect = "metrics.k8s.io", "usage reads n/a"
        first = answers[plan.node_metrics]
        node_metrics = optional(first.result, metrics, usage_effect, notices)
        if node_metrics is not None:
            pod_metrics = optional(
                lambda: items(answers, plan.pod_metrics), metrics, usage_effect, notices
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
        with_volumes=plan.pod_volumes,
        claims=claims,
        now=client.now(),  # a snapshot's time, not the clock: grace periods judged then
    )
