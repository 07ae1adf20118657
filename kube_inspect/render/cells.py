"""The words and numbers each view prints for a node, a pod or a container."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from kube_inspect.interpret.health import judge_container, judge_node, judge_pod
from kube_inspect.interpret.resources import free_extended
from kube_inspect.interpret.words import plural as plural  # cells.plural, for the renderers
from kube_inspect.interpret.words import printable
from kube_inspect.model.cluster import Cluster, Container, Event, Node, Pod, Resources
from kube_inspect.model.quantity import format_amount, format_bytes, format_cpu, percent
from kube_inspect.render.age import age
from kube_inspect.render.colours import paint
from kube_inspect.render.devices import claim_words, node_device_cells


def cpu_of(amount: Resources | None, of: int | None = None) -> str:
    """Return a CPU amount, with its share of ``of`` when known: ``250m (12%)``."""
    if amount is None:
        return "n/a"
    text = format_cpu(amount.cpu_m)
    return f"{text} ({percent(amount.cpu_m, of)})" if of and amount.cpu_m is not None else text


def memory_of(amount: Resources | None, of: int | None = None) -> str:
    """Return a memory amount, with its share of ``of`` when known: ``64Mi (3%)``."""
    if amount is None:
        return "n/a"
    text = format_bytes(amount.memory_bytes)
    if of and amount.memory_bytes is not None:
        return f"{text} ({percent(amount.memory_bytes, of)})"
    return text


def node_status(node: Node) -> str:
    """Return the node's status with its true pressure conditions: ``Ready,DiskPressure``."""
    if not node.listed:
        return node.status  # (not listed): no pressures either
    return ",".join((node.status, *node.pressures))


NAME_CAP = 63  # the longest name a table shows whole: a DNS label, as most pod names are
_HEAD = 40  # kept before the ellipsis; the rest of the cap keeps the end (a pod's hash)


def short_name(name: str, cap: int = NAME_CAP) -> str:
    """Return ``name``, or its start and end around ``...`` when longer than ``cap``.

    A pod name may be 253 characters long, and one such name would widen every row of a
    table. The end is kept: it is what tells apart the pods of one workload. ``-o wide``
    and csv show whole names.
    """
    if len(name) <= cap:
        return name
    tail = cap - _HEAD - 3
    return f"{name[:_HEAD]}...{name[-tail:]}"


def pod_status(pod: Pod) -> str:
    """Return the pod's phase with the reason of a failing condition (``Pending: X``).

    A pod being deleted is ``Terminating``, as kubectl shows it.
    """
    shown = pod.shown_phase
    if pod.reason and pod.phase != "Succeeded" and shown == pod.phase:
        return f"{pod.phase}: {pod.reason}"
    return shown


def pod_ready(pod: Pod) -> str:
    """Return ``ready/total`` of the pod's app containers and sidecars."""
    return _ready_of(pod.ready_count, len(pod.counted_containers))


@functools.lru_cache(maxsize=1024)
def _ready_of(ready: int, total: int) -> str:
    # one string for every pod of the same count: a table of 30,000 pods holds them all
    return f"{ready}/{total}"


_COUNTS = tuple(str(n) for n in range(256))


def count(number: int) -> str:
    """Return a count in digits (a small one, as on most rows, as one shared string)."""
    return _COUNTS[number] if 0 <= number < len(_COUNTS) else str(number)


def container_label(container: Container) -> str:
    """Return ``name`` with its type when it is not an app container: ``init-db (init)``."""
    return container.name if container.type == "app" else f"{container.name} ({container.type})"


def last_run(container: Container) -> str:
    """Return how the previous run ended: ``OOMKilled (exit 137) at 2026-...``, or ``-``."""
    last = container.last_termination
    if last is None:
        return "-"
    text = last.reason or "Terminated"
    if last.exit_code is not None:
        text += f" (exit {last.exit_code})"
    return f"{text} at {last.finished_at}" if last.finished_at else text


PARTIAL = "*"  # follows a node's figure that sums only the pods shown (Cluster.pod_filter)
NOT_READ = "?"  # a node's amount that could not be read (the node was not listed)


def _share(amount: Resources | None, of: int | None, partial: bool, cpu: bool) -> str:
    """Return an amount against ``of`` (``250m (12%)``), ``*`` after a partial sum."""
    text = (cpu_of if cpu else memory_of)(amount) + (PARTIAL if partial else "")
    value = None if amount is None else amount.cpu_m if cpu else amount.memory_bytes
    return f"{text} ({percent(value, of)})" if of and value is not None else text


def node_resources(node: Node, partial: bool = False) -> dict[str, str]:
    """Return the node's requests, limits and usage against allocatable.

    With ``partial``, requests and limits sum only the pods shown: marked ``*``. Usage is
    the node's own (metrics.k8s.io), whatever pods are shown.
    """
    cpu, memory = node.allocatable.cpu_m, node.allocatable.memory_bytes
    return {
        "CPU-REQ": _share(node.requested, cpu, partial, cpu=True),
        "CPU-LIM": _share(node.limited, cpu, partial, cpu=True),
        "MEM-REQ": _share(node.requested, memory, partial, cpu=False),
        "MEM-LIM": _share(node.limited, memory, partial, cpu=False),
        "CPU-USE": cpu_of(node.usage, cpu),
        "MEM-USE": memory_of(node.usage, memory),
    }


def used_of(node: Node, resource: str, partial: bool = False) -> str:
    """Return what the node's pods request of a resource against its allocatable: ``1/4``.

    ``-`` when the node neither has it nor runs a pod asking for it; ``?`` for the
    allocatable of a node that was not read; ``*`` after a sum of only the pods shown.
    """
    requested, allocatable = node.requested.amount(resource), node.allocatable.amount(resource)
    if requested is None and not allocatable and node.listed:
        return "-"
    used = format_amount(resource, requested or 0) + (PARTIAL if partial else "")
    of = format_amount(resource, allocatable or 0) if node.listed else NOT_READ
    return f"{used}/{of}"


def node_pods(node: Node, partial: bool = False) -> str:
    """Return the node's pods that hold a slot against its capacity: ``16/110``.

    Finished pods (Succeeded, Failed) hold none, as ``kubectl describe node`` counts.
    """
    used = count(node.active_pods) + (PARTIAL if partial else "")
    if not node.listed:
        return f"{used}/{NOT_READ}"
    return f"{used}/{node.allocatable_pods}" if node.allocatable_pods else used


def partial_legend(cluster: Cluster) -> str | None:
    """Return what ``*`` means on a node's figures, or None when every figure is whole."""
    if not cluster.node_sums_partial or "pods" in cluster.unread:
        return None
    return (
        f"{PARTIAL} marks a node's figures that count only the pods shown "
        f"({' '.join(cluster.pod_filter)}), not the node's totals"
    )


def free_cell(node: Node, partial: bool = False) -> str:
    """Return the extended resources the node has free: ``nvidia.com/gpu=1,...``.

    Unknown when only some of its pods were read (their requests are not all summed).
    """
    if partial or not node.listed:
        return UNKNOWN
    free = free_extended(node)
    # spaces, not commas: a csv cell stays one field for the simplest reader
    return " ".join(f"{n}={format_amount(n, a)}" for n, a in free) or "<none>"


def node_other_resources(
    node: Node, resources: Sequence[str], partial: bool = False
) -> dict[str, str]:
    """Return a column per resource beyond cpu and memory: requested/allocatable."""
    return {name.upper(): used_of(node, name, partial) for name in resources}


def other_resources(pod: Pod | Container, resources: Sequence[str]) -> dict[str, str]:
    """Return two columns per resource beyond cpu and memory: its requests and limits."""
    row = {}
    for name in resources:
        row[f"{name.upper()}-REQ"] = format_amount(name, pod.requests.amount(name))
        row[f"{name.upper()}-LIM"] = format_amount(name, pod.limits.amount(name))
    return row


def pod_resources(pod: Pod | Container) -> dict[str, str]:
    """Return the pod's (or container's) requests, limits and usage."""
    return {
        "CPU-REQ": cpu_of(pod.requests),
        "CPU-LIM": cpu_of(pod.limits),
        "MEM-REQ": memory_of(pod.requests),
        "MEM-LIM": memory_of(pod.limits),
        "CPU-USE": cpu_of(pod.usage),
        "MEM-USE": memory_of(pod.usage),
    }


def event_text(event: Event, now: datetime) -> str:
    """Return a Warning event on one line: ``BackOff x12, 3m ago: Back-off restarting ...``."""
    times = f" x{event.count}" if event.count > 1 else ""
    seen = f", {age(event.last_seen, now)} ago" if event.last_seen else ""
    return f"{event.reason}{times}{seen}: {' '.join(event.message.split())}"


def latest_event(events: tuple[Event, ...] | None, now: datetime) -> str:
    """Return the latest Warning event, and how many more there are, for a table cell."""
    if not events:
        return "<none>" if events is not None else ""
    more = f" (+{len(events) - 1} more)" if len(events) > 1 else ""
    return event_text(events[0], now) + more


def volumes_cell(pod: Pod) -> str:
    """Return the pod's volumes in one cell: ``data=claim:data-db-0(Bound),cfg=configMap:web``.

    ``<unknown>`` when volumes were not read for this view.
    """
    if pod.volumes is None:
        return UNKNOWN
    words = []
    for v in pod.volumes:
        what = f"{v.source}:{v.target}" if v.target else v.source
        if v.claim is not None:
            what += f"({v.claim.status})"
        words.append(f"{v.name}={what}")
    return ",".join(words) or "<none>"


UNKNOWN = "<unknown>"  # not read (forbidden), as opposed to <none>: read, and empty


def node_row(
    node: Node,
    now: datetime,
    *,
    wide: bool,
    color: bool = False,
    pods_read: bool = True,
    resources: Sequence[str] = (),
    partial: bool = False,
) -> dict[str, str]:
    """Return the columns of a node in the flat `nodes` view, its status coloured if asked.

    A node known only from its pods has unknown roles and taints, not none; when pods
    could not be read, so is its pod count. With ``partial`` (only some of its pods
    shown), the pod count and sums are those pods' share, marked ``*``.
    """
    status = node_status(node)
    none = "<none>" if node.listed else UNKNOWN
    pods = node_pods(node, partial)
    row = {
        "NAME": node.name,
        "STATUS": status,
        "ROLES": ",".join(node.roles) or none,
        "AGE": age(node.created, now) if node.listed else "",
        "VERSION": node.kubelet_version or "",
        "PODS": pods if pods_read else UNKNOWN,
        **node_resources(node, partial),
        **node_other_resources(node, resources, partial),
    }
    if wide:
        row |= {
            "TAINTS": ",".join(node.taints) or none,
            "OS/ARCH": f"{node.os or '?'}/{node.arch or '?'}",
            "INTERNAL-IP": node.internal_ip or none,
            "ZONE": node.zone or none,
            "INSTANCE-TYPE": node.instance_type or none,
        }
        if any("/" in name for name in resources):  # the cluster has extended resources
            row["FREE"] = free_cell(node, partial)
        if node.devices is not None:  # read only where DRA is served
            row |= node_device_cells(node)
        if node.events is not None:
            row["EVENTS"] = latest_event(node.events, now)
    row = printable_cells(row)
    if color:
        row["STATUS"] = paint(row["STATUS"], judge_node(node).verdict)
    return row


def pod_row(
    pod: Pod,
    now: datetime,
    *,
    wide: bool,
    color: bool = False,
    resources: Sequence[str] = (),
) -> dict[str, str]:
    """Return the columns of a pod in the flat `pods` view, its status coloured if asked."""
    status = pod_status(pod)
    row = {
        "NAMESPACE": pod.namespace,
        "NAME": pod.name if wide else short_name(pod.name),
        "NODE": pod.node_name or "<none>",
        "STATUS": status,
        "READY": pod_ready(pod),
        "RESTARTS": count(pod.restarts),
        "AGE": age(pod.created, now),
        "OWNER": pod.owner or "<none>",
        **pod_resources(pod),
        **other_resources(pod, resources),
    }
    if wide:
        row |= {
            "IP": pod.ip or "<none>",
            "QOS": pod.qos_class or "<none>",
            "PRIORITY-CLASS": pod.priority_class or "<none>",
            "VOLUMES": volumes_cell(pod),
            "CLAIMS": " ".join(claim_words(pod)) or "<none>",
            "MESSAGE": pod.message or "",
            "WHY-PENDING": pod.pending.describe() if pod.pending else "",
        }
        if pod.events is not None:
            row["EVENTS"] = latest_event(pod.events, now)
    row = printable_cells(row)
    if color:
        row["STATUS"] = paint(row["STATUS"], judge_pod(pod).verdict)
    return row


def container_row(
    pod: Pod,
    container: Container,
    *,
    wide: bool,
    color: bool = False,
    resources: Sequence[str] = (),
) -> dict[str, str]:
    """Return the columns of a container in the flat `containers` view, state coloured if asked."""
    state = container.state.describe()
    row = {
        "NAMESPACE": pod.namespace,
        "POD": pod.name if wide else short_name(pod.name),
        "NAME": container.name,
        "TYPE": container.type,
        "NODE": pod.node_name or "<none>",
        "STATE": state,
        "READY": str(container.ready).lower(),
        "RESTARTS": count(container.restarts),
        "IMAGE": container.image,
        **pod_resources(container),
        **other_resources(container, resources),
    }
    if wide:
        row |= {
            "STARTED": "-" if container.started is None else str(container.started).lower(),
            "LAST-TERMINATION": last_run(container),
            "PORTS": ",".join(container.ports) or "<none>",
            "IMAGE-ID": container.image_id or "<none>",
            "MESSAGE": container.state.message or "",
        }
    row = printable_cells(row)
    if color:
        row["STATE"] = paint(row["STATE"], judge_container(container).verdict)
    return row


def printable_cells(row: dict[str, str]) -> dict[str, str]:
    """Return the row with the control characters of its cells escaped (``printable``).

    Called before a status is painted: the colour codes are the only ones left raw.
    """
    if "".join(row.values()).isprintable():
        return row
    return {column: printable(cell) for column, cell in row.items()}
