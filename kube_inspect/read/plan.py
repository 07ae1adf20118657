"""The read plan: which requests a view needs, decided from the Selection alone (pure).

``plan_reads`` lists every LIST (and GET) a selection needs, with its path and query, and
says which are the view's own (a failure fails the view, or is a forbidden read with
``ForbiddenReads``), which are extras (absent, forbidden or down gives a notice) and which
follow from what comes back (Warning events only when a pod is Pending, unless the view
shows events). read/cluster.py sends the plan's reads at once and builds from the answers;
the watch lists what the same plan says before it follows the changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from kube_inspect.read.selection import Selection

METRICS_API = "/apis/metrics.k8s.io/v1beta1"
RESOURCE_API = "/apis/resource.k8s.io/v1"  # Dynamic Resource Allocation (GA in 1.34)
WORKLOAD_KINDS = (
    ("deployments", "Deployment"),
    ("statefulsets", "StatefulSet"),
    ("daemonsets", "DaemonSet"),
)  # all in apps/v1

Query = tuple[tuple[str, str], ...]
WARNINGS: Query = (("fieldSelector", "type=Warning"),)  # the only events a view shows
# "view": the view's own objects (a 403 is a forbidden read, noted, the rest shown);
# "extra": absent, forbidden or not answering costs a notice, never the view (no retries
# for metrics: an unavailable aggregated API should cost one request)
Need = Literal["view", "extra"]
# "always": sent with the rest; "pending": only once the pods read hold a Pending one
When = Literal["always", "pending"]


@dataclass(frozen=True, slots=True)
class Read:
    """One request of the plan: a LIST (or a GET of one object) of ``resource``."""

    resource: str  # the API's plural name: "pods", "nodes", "replicasets", "metrics/pods"
    path: str
    query: Query = ()
    namespace: str | None = None  # the namespace it lists; None: all, or cluster-scoped
    name: str | None = None  # a GET of this one object (--node NAME), not a LIST
    retried: bool = True  # 429 and 5xx answers retried (kube/retry.py); not for metrics
    kind: str = ""  # the kind a LIST leaves out of its items, added where it is needed
    # the selection's selectors its query carries, as (Selection field, value), the one the
    # server may refuse first: a refused read names its flag (errors.ApiError.selectors);
    # the query says the same to the server, so a read is the same read without it
    selectors: tuple[tuple[str, str], ...] = field(default=(), compare=False)


# requests sent at once beside the pods' streams (read/sending.py's threads)
MAX_IN_FLIGHT = 6


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """Every read a view needs, grouped by what the builder makes of them.

    Each group holds one read per namespace for namespaced resources (``-n a,b``).
    """

    nodes: tuple[Read, ...]  # one LIST, or a GET per node asked for by name; () not read
    pods: tuple[Read, ...]  # streamed, unless listed per node (--node NAME)
    stream_pods: bool
    pod_volumes: bool  # pods decoded with their volumes and mounts (claims judged or shown)
    claims: tuple[Read, ...] = ()
    owners: tuple[Read, ...] = ()  # ReplicaSets and Jobs: extras
    node_metrics: Read | None = None  # extra; pod_metrics are sent only if it answered
    pod_metrics: tuple[Read, ...] = ()
    events: tuple[Read, ...] = ()
    events_when: When = "always"
    workloads: tuple[Read, ...] = ()
    # DRA: the slices are sent first; classes and claims once the slices answered, so an
    # API group not served costs one request (its 404), as discovery would
    device_slices: Read | None = None
    devices_after: tuple[Read, ...] = ()  # DeviceClasses, then ResourceClaims per namespace
    devices_when: When = "pending"

    @property
    def sent_at_once(self) -> tuple[Read, ...]:
        """Return the reads sent together at the start (pods are streamed beside them)."""
        first = (*self.nodes, *self.claims, *self.owners)
        metrics = (self.node_metrics,) if self.node_metrics is not None else ()
        events = self.events if self.events_when == "always" else ()
        slices: tuple[Read, ...] = ()
        if self.device_slices is not None and self.devices_when == "always":
            slices = (self.device_slices,)
        return (*first, *metrics, *events, *self.workloads, *slices)

    @property
    def connections(self) -> int:
        """Return how many requests are in flight at the start: the connections to open ahead.

        The version (asked for since the client was made) and the reads sent at once, on up
        to MAX_IN_FLIGHT threads (read/sending.py), and each pods' stream on its own.
        """
        listed = () if self.stream_pods else self.pods
        sent = min(1 + len(self.sent_at_once) + len(listed), MAX_IN_FLIGHT)
        return sent + (len(self.pods) if self.stream_pods else 0)


def namespaced(prefix: str, resource: str, namespace: str | None) -> str:
    """Return the path of a LIST of ``resource`` in one namespace, or in all when None."""
    if namespace is None:
        return f"{prefix}/{resource}"
    return f"{prefix}/namespaces/{quote(namespace, safe='')}/{resource}"


def selector_query(label: str | None, field: str | None) -> Query:
    """Return the query parameters of a label and a field selector, where given."""
    query: list[tuple[str, str]] = []
    if label:
        query.append(("labelSelector", label))
    if field:
        query.append(("fieldSelector", field))
    return tuple(query)


def carried(selection: Selection, *fields: str) -> tuple[tuple[str, str], ...]:
    """Return the (field, value) of the selection's ``fields`` that are given, in that order.

    The field selector goes first where a request carries both: a label selector is
    checked with the API server's own grammar before anything is sent, a field selector
    only for its shape (which fields a resource supports only the server knows).
    """
    given = ((name, getattr(selection, name)) for name in fields)
    return tuple((name, value) for name, value in given if value)


def _each_namespace(
    selection: Selection,
    prefix: str,
    resource: str,
    query: Query = (),
    kind: str = "",
    selectors: tuple[tuple[str, str], ...] = (),
) -> tuple[Read, ...]:
    """Return one LIST of ``resource`` per namespace of the selection (one for all)."""
    return tuple(
        Read(resource, namespaced(prefix, resource, ns), query, ns, kind=kind, selectors=selectors)
        for ns in selection.scopes
    )


def _node_reads(selection: Selection) -> tuple[Read, ...]:
    if selection.nodes:
        return tuple(
            Read("nodes", f"/api/v1/nodes/{quote(name, safe='')}", name=name)
            for name in sorted(set(selection.nodes))
        )
    if selection.with_nodes or selection.node_selector:
        query = selector_query(selection.node_selector, None)
        return (
            Read("nodes", "/api/v1/nodes", query, selectors=carried(selection, "node_selector")),
        )
    return ()


def _pod_reads(selection: Selection) -> tuple[Read, ...]:
    selectors = carried(selection, "field_selector", "label_selector")
    if not selection.nodes:
        query = selector_query(selection.label_selector, selection.field_selector)
        return _each_namespace(selection, "/api/v1", "pods", query, selectors=selectors)
    reads: list[Read] = []
    for name in sorted(set(selection.nodes)):  # the server picks each node's pods
        on_node = f"spec.nodeName={name}"
        fields = f"{selection.field_selector},{on_node}" if selection.field_selector else on_node
        query = selector_query(selection.label_selector, fields)
        reads += _each_namespace(selection, "/api/v1", "pods", query, selectors=selectors)
    return tuple(reads)


def plan_reads(selection: Selection) -> ReadPlan:
    """Return the reads ``selection`` needs, each with its path and query."""
    owners: tuple[Read, ...] = ()
    if selection.with_owners:
        owners = (
            *_each_namespace(selection, "/apis/apps/v1", "replicasets"),
            *_each_namespace(selection, "/apis/batch/v1", "jobs"),
        )
    node_metrics: Read | None = None
    pod_metrics: tuple[Read, ...] = ()
    if selection.with_usage:
        node_metrics = Read("metrics/nodes", f"{METRICS_API}/nodes", retried=False)
        pod_metrics = tuple(
            Read("metrics/pods", namespaced(METRICS_API, "pods", ns), (), ns, retried=False)
            for ns in selection.scopes
        )
    label = selector_query(selection.label_selector, None)
    by_label = carried(selection, "label_selector")
    workloads = tuple(
        read
        for resource, kind in WORKLOAD_KINDS
        for read in _each_namespace(selection, "/apis/apps/v1", resource, label, kind, by_label)
        if selection.with_workloads
    )
    claims = _each_namespace(selection, "/api/v1", "persistentvolumeclaims")
    classes = Read("deviceclasses", f"{RESOURCE_API}/deviceclasses")
    return ReadPlan(
        nodes=_node_reads(selection),
        pods=_pod_reads(selection),
        stream_pods=not selection.nodes,
        pod_volumes=selection.reads_claims,
        claims=claims if selection.reads_claims else (),
        owners=owners,
        node_metrics=node_metrics,
        pod_metrics=pod_metrics,
        events=_each_namespace(selection, "/api/v1", "events", WARNINGS),
        events_when="always" if selection.with_events else "pending",
        workloads=workloads,
        device_slices=Read("resourceslices", f"{RESOURCE_API}/resourceslices"),
        devices_after=(classes, *_each_namespace(selection, RESOURCE_API, "resourceclaims")),
        devices_when="always" if selection.reads_devices else "pending",
    )
