"""The tree view: cluster, then nodes, pods and containers, drawn with box characters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TextIO, TypeVar

from kube_inspect.interpret.health import judge_claim, judge_container, judge_node, judge_pod
from kube_inspect.interpret.resources import free_extended
from kube_inspect.interpret.scheduling import pending_summary
from kube_inspect.interpret.storage import claim_notes, volume_words
from kube_inspect.interpret.words import printable
from kube_inspect.model.cluster import Cluster, Container, Event, Node, Pod, Volume
from kube_inspect.model.quantity import format_amount, percent
from kube_inspect.render import cells
from kube_inspect.render.age import age
from kube_inspect.render.colours import paint
from kube_inspect.render.columns import align_columns, aligned_lines, measure
from kube_inspect.render.devices import claim_words, cluster_device_words, node_device_words

T = TypeVar("T")
Depth = Literal["node", "pod", "container"]
DEPTHS: tuple[Depth, ...] = ("node", "pod", "container")
HEADERS = ("NAME", "STATUS", "READY", "RESTARTS", "AGE")
RESOURCE_HEADERS = ("CPU-REQ", "CPU-LIM", "MEM-REQ", "MEM-LIM", "CPU-USE", "MEM-USE")
UNICODE = ("├── ", "│   ", "└── ", "    ")
ASCII = ("|-- ", "|   ", "`-- ", "    ")
WRITE_BATCH = 1000  # lines per write
_CONTINUE = {"├── ": "│   ", "└── ": "    ", "|-- ": "|   ", "`-- ": "    "}


@dataclass(frozen=True, slots=True)
class TreeOptions:
    """How to draw the tree."""

    now: datetime
    ascii_only: bool = False
    wide: bool = False
    depth: Depth = "container"
    color: bool = False
    notes: bool = True  # lines under rows: why a pod is pending, Warning events when read


def cluster_line(cluster: Cluster) -> str:
    """Return the one-line summary of the cluster above the tree."""
    counts = ", ".join(
        (
            cells.plural(len(cluster.nodes), "node"),
            cells.plural(len(cluster.pods), "pod"),
            cells.plural(cluster.container_count, "container"),
        )
    )
    # devices of pools tied to no node (network-attached): the cluster's, not a node's
    shared = "".join(f"; {word}" for word in cluster_device_words(cluster.devices or ()))
    return printable(
        f"cluster {cluster.context} at {cluster.server}, Kubernetes {cluster.version}: {counts}"
        + shared
    )


Row = list[str]


def printable_row(row: Row) -> Row:
    """Return the row with the control characters of its cells escaped (``printable``).

    Called before a status is painted: the colour codes are the only ones left raw.
    """
    return row if "".join(row).isprintable() else [printable(cell) for cell in row]


def _node_row(node: Node, opts: TreeOptions, partial: bool = False) -> Row:
    # partial: the pods shown are only some of the node's, so its sums are marked ``*``
    mark = cells.PARTIAL if partial else ""
    if not node.listed:
        info = [cells.plural(len(node.pods), "pod"), "(known only from its pods)"]
    else:
        requested, allocatable = node.requested, node.allocatable
        info = [
            f"roles={','.join(node.roles) or '<none>'}",
            f"kubelet={node.kubelet_version or '<unknown>'}",
            cells.plural(len(node.pods), "pod"),
        ]
        if not opts.wide:  # wide has columns for these
            info += [
                f"cpu-req={percent(requested.cpu_m, allocatable.cpu_m)}{mark}",
                f"mem-req={percent(requested.memory_bytes, allocatable.memory_bytes)}{mark}",
            ]
        # every other resource the node has or its pods ask for: requested/allocatable
        names = {n for n, amount in allocatable.other if amount}.union(
            n for n, _ in requested.other
        )
        info += [f"{n}={cells.used_of(node, n, partial)}" for n in sorted(names)]
        if opts.wide and not partial and (free := free_extended(node)):
            info.append("free:" + ",".join(f"{n}={format_amount(n, a)}" for n, a in free))
        info += node_device_words(node, opts.wide)
        if opts.wide:
            info += [
                f"taints={','.join(node.taints) or '<none>'}",
                f"os/arch={node.os or '?'}/{node.arch or '?'}",
                f"zone={node.zone or '<none>'}",
                f"type={node.instance_type or '<none>'}",
            ]
    status = cells.node_status(node)
    row = [
        f"node/{node.name}",
        status,
        "",
        "",
        age(node.created, opts.now) if node.listed else "",
    ]
    if opts.wide:
        row += [*cells.node_resources(node, partial).values(), node.internal_ip or ""]
    row = printable_row([*row, " ".join(info)])
    if opts.color:
        row[1] = paint(row[1], judge_node(node).verdict)
    return row


def _other_requests(pod: Pod | Container) -> list[str]:
    """Return ``req:RESOURCE=N`` for each resource beyond cpu and memory, and its limit.

    The limit is left out where it equals the request (always, for extended resources).
    """
    words = [f"req:{n}={format_amount(n, a)}" for n, a in pod.requests.other]
    words += [
        f"lim:{n}={format_amount(n, a)}" for n, a in pod.limits.other if pod.requests.amount(n) != a
    ]
    return words


def _pod_row(pod: Pod, opts: TreeOptions) -> Row:
    name = f"pod/{pod.namespace}/{pod.name if opts.wide else cells.short_name(pod.name)}"
    info = [f"owner={pod.owner}"] if pod.owner else []
    status = cells.pod_status(pod)
    row = [
        name,
        status,
        cells.pod_ready(pod),
        cells.count(pod.restarts),
        age(pod.created, opts.now),
    ]
    if opts.wide:
        info += [f"qos={pod.qos_class or '<none>'}"]
        if pod.priority_class:
            info.append(f"priority={pod.priority_class}")
        info += _other_requests(pod)
        info += claim_words(pod)
        if pod.message:
            info.append(f"message={pod.message!r}")
        row += [*cells.pod_resources(pod).values(), pod.ip or ""]
    row = printable_row([*row, " ".join(info)])
    if opts.color:
        row[1] = paint(row[1], judge_pod(pod).verdict)
    return row


def _container_row(container: Container, opts: TreeOptions) -> Row:
    ready = "ready" if container.ready else "not ready"
    state = container.state.describe()
    row = [
        f"container/{cells.container_label(container)}",
        state,
        ready,
        cells.count(container.restarts),
        "",
    ]
    info = [container.image]
    if opts.wide:
        if container.image_id:
            info.append(f"digest={container.image_id.rsplit('@', 1)[-1]}")
        if container.ports:
            info.append(f"ports={','.join(container.ports)}")
        if container.last_termination:
            info.append(f"last={cells.last_run(container)!r}")
        info += _other_requests(container)
        if container.state.message:
            info.append(f"message={container.state.message!r}")
        row += [*cells.pod_resources(container).values(), ""]
    row = printable_row([*row, " ".join(info)])
    if opts.color:
        row[1] = paint(row[1], judge_container(container).verdict)
    return row


def _volume_row(volume: Volume, opts: TreeOptions) -> Row:
    """Return a volume's row (wide only): its claim's phase as status, what it is as info."""
    status = "" if volume.claim is None else volume.claim.status
    mounts = ",".join(f"{c}:{path}" for c, path in volume.mounts)
    info = volume_words(volume) + (f" mounts={mounts}" if mounts else "")
    row = [f"volume/{volume.name}", status, "", "", "", *[""] * len(RESOURCE_HEADERS), "", info]
    row = printable_row(row)
    if opts.color and volume.claim is not None:
        row[1] = paint(row[1], judge_claim(volume.claim).verdict)
    return row


def _children(
    items: Sequence[T], prefix: str, glyphs: tuple[str, ...]
) -> Iterator[tuple[str, str, T]]:
    tee, bar, corner, blank = glyphs
    for i, item in enumerate(items):
        last = i == len(items) - 1
        yield prefix + (corner if last else tee), prefix + (blank if last else bar), item


def tree_rows(cluster: Cluster, opts: TreeOptions) -> Iterator[Row]:
    """Yield the rows of the tree under the cluster line, each name cell with its indent."""
    return (row for row, _ in tagged_rows(cluster, opts))


def tagged_rows(cluster: Cluster, opts: TreeOptions) -> Iterator[tuple[Row, Node | Pod | None]]:
    """Yield each row of the tree with the node or pod it draws (None for other rows)."""
    glyphs = ASCII if opts.ascii_only else UNICODE
    tee, bar, corner, blank = glyphs
    width = len(HEADERS) + (len(RESOURCE_HEADERS) + 1 if opts.wide else 0) + 1
    name_cells: dict[str, str] = {}
    groups: list[tuple[Row, Node | None, tuple[Pod, ...]]] = [
        (_node_row(n, opts, cluster.node_sums_partial), n, n.pods) for n in cluster.nodes
    ]
    if cluster.unscheduled:
        label = (
            ["(unscheduled)"] + [""] * (width - 2) + [cells.plural(len(cluster.unscheduled), "pod")]
        )
        groups.append((label, None, cluster.unscheduled))
    for i, (group_row, node, pods) in enumerate(groups):
        last_group = i == len(groups) - 1
        yield [(corner if last_group else tee) + group_row[0], *group_row[1:]], node
        if opts.depth == "node":
            continue
        for lead, pad, pod in _children(pods, blank if last_group else bar, glyphs):
            row = _pod_row(pod, opts)
            row[0] = lead + row[0]  # a fresh list: prefixed in place, not copied
            yield row, pod
            if opts.depth == "container":
                # wide adds the pod's volumes after its containers (when they were read)
                shown: tuple[Container | Volume, ...] = pod.containers
                if opts.wide and pod.volumes:
                    shown += pod.volumes
                for inner, _, child in _children(shown, pad, glyphs):
                    if isinstance(child, Volume):
                        row = _volume_row(child, opts)
                    else:
                        row = _container_row(child, opts)
                    # most containers' cells repeat (the same bars, the same name): kept once
                    row[0] = name_cells.setdefault(cell := inner + row[0], cell)
                    yield row, None


def render_tree(
    cluster: Cluster,
    out: TextIO,
    *,
    now: datetime | None = None,
    ascii_only: bool = False,
    options: TreeOptions | None = None,
) -> None:
    """Write the cluster as a tree with aligned columns to ``out``."""
    if options is None:
        assert now is not None, "render_tree needs now or options"
        options = TreeOptions(now=now, ascii_only=ascii_only)
    legend = cells.partial_legend(cluster)  # what * marks on the nodes' figures below
    out.write(cluster_line(cluster) + (f"; {legend}" if legend else "") + "\n")
    headers = [*HEADERS, *((*RESOURCE_HEADERS, "IP") if options.wide else ()), "INFO"]
    write_noted_table(tagged_rows(cluster, options), headers, options, out)


def write_noted_table(
    tagged: Iterable[tuple[Row, Node | Pod | None]],
    headers: list[str],
    options: TreeOptions,
    out: TextIO,
    nows: Sequence[datetime] | None = None,
) -> None:
    """Write the rows as one table, each node's and pod's notes under its row (if shown).

    Nothing when there is no row. ``nows`` is, row by row, the time the notes' ages count
    to (a fleet's clusters were each read at their own time); None: ``options.now`` for
    every row.
    """
    rows, notes = _noted_rows(tagged, options, nows)
    if not rows:
        return
    layout = measure(rows, headers)
    arrow = "-> " if options.ascii_only else "↳ "
    if notes and layout.broken:  # a cell holds a line break: do lines and rows part ways?
        _write_broken(rows, headers, notes, arrow, out)
        return
    # written a batch of lines at a time: the whole table as one string (and its lines,
    # and its encoded bytes) was most of the tree's peak memory at 30,000 pods
    batch: list[str] = []
    for i, line in enumerate(aligned_lines(rows, headers, layout)):
        batch.append(line)
        for note in notes.get(i - 1, ()):  # line 0 is the header
            batch.append(note_prefix(rows[i - 1][0]) + arrow + note)
        if len(batch) >= WRITE_BATCH:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")


def _write_broken(
    rows: list[Row], headers: list[str], notes: dict[int, list[str]], arrow: str, out: TextIO
) -> None:
    """Write a table some cell of which holds a line break, notes only if lines match rows."""
    lines = table(rows, headers).split("\n")
    if len(lines) != len(rows) + 1:  # they do: the notes would land under the wrong lines
        out.write("\n".join(lines) + "\n")
        return
    for i, line in enumerate(lines):
        out.write(line + "\n")
        for note in notes.get(i - 1, ()):  # line 0 is the header
            out.write(note_prefix(rows[i - 1][0]) + arrow + note + "\n")


def note_prefix(label: str) -> str:
    """Return the tree's bars of a row's first cell, continued below it."""
    lead = label[: len(label) - len(label.lstrip("│├└─|`- "))]
    glyphs = [lead[i : i + 4] for i in range(0, len(lead), 4)]
    return "".join(_CONTINUE.get(g, g) for g in glyphs)


def pod_note_lines(pod: Pod, now: datetime, claims: bool = True) -> list[str]:
    """Return the lines the tree shows under a pod: why it is pending, its Warning events.

    With ``claims``, a claim that needs attention too (wide shows them as volume rows).
    """
    lines = [f"pending: {pod.pending.describe()}"] if pod.pending is not None else []
    if claims and pod.volumes:
        lines += claim_notes(pod)
    return [printable(line) for line in lines + event_lines(pod.events, now)]


def event_lines(events: tuple[Event, ...] | None, now: datetime) -> list[str]:
    """Return one line per Warning event, latest first."""
    return [printable(f"warning {cells.event_text(e, now)}") for e in events or ()]


def _noted_rows(
    tagged: Iterable[tuple[Row, Node | Pod | None]],
    opts: TreeOptions,
    nows: Sequence[datetime] | None,
) -> tuple[list[Row], dict[int, list[str]]]:
    """Return the rows, and the note lines of each row index that has some (when shown).

    The node or pod each row draws is let go as soon as its notes are known.
    """
    rows: list[Row] = []
    notes: dict[int, list[str]] = {}
    for index, (row, drawn) in enumerate(tagged):
        rows.append(row)
        if not opts.notes or drawn is None:
            continue
        now = opts.now if nows is None else nows[index]
        if isinstance(drawn, Node) and drawn.events:
            notes[index] = event_lines(drawn.events, now)
        elif (
            isinstance(drawn, Pod)
            and (drawn.pending is not None or drawn.events or drawn.volumes)  # the fast check
            and (lines := pod_note_lines(drawn, now, claims=not opts.wide))
        ):
            notes[index] = lines
    return rows, notes


def render_pending_summary(cluster: Cluster, out: TextIO) -> None:
    """Write one line per cause that holds pods back, across the cluster (if any)."""
    summary = [(printable(cause), count) for cause, count in pending_summary(cluster.pods)]
    if not summary:
        return
    width = max(len(cause) for cause, _count in summary)
    out.write("\npending pods by cause:\n")
    for cause, count in summary:
        out.write(f"  {cause:<{width}}  {cells.plural(count, 'pod')}\n")


def table(rows: list[Row], headers: list[str] | tuple[str, ...]) -> str:
    """Return rows as a plain aligned table, keeping each cell's leading tree indent."""
    return align_columns(rows, headers)  # tabulate's plain layout, 15x faster at scale
