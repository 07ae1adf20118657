"""Pure: `kube-inspect explain`, the cluster and its objects in plain words, as lines of text.

Built only from the model and the health table (health.py): no I/O.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from textwrap import wrap

from kube_inspect.errors import UsageError
from kube_inspect.explain.devices import devices_summary
from kube_inspect.interpret.health import (
    LEVELS,
    container_state,
    node_state,
    pod_state,
    shown_state,
)
from kube_inspect.interpret.scheduling import pending_phrases
from kube_inspect.interpret.words import plural as plural  # explain.one_object reads it here
from kube_inspect.interpret.words import printable
from kube_inspect.model.cluster import Cluster, Container, Node, Pod

WIDTH = 88
BAR_WIDTH = 30
LIST_LIMIT = 10  # the tour lists this many workloads or problems, then counts the rest


def _names(names: list[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def paragraph(text: str, indent: str = "") -> list[str]:
    """Return ``text`` wrapped to WIDTH columns, each line starting with ``indent``."""
    hang = indent + ("  " if text.startswith("- ") else "")
    # names (taints, images, hosts) hold hyphens: they are not broken there
    text = printable(text)  # cluster text escaped first: wrap makes a line break a space
    return wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=hang, break_on_hyphens=False
    ) or [""]


def _pod_ref(pod: Pod) -> str:
    return f"{pod.namespace}/{pod.name}"


def problems(cluster: Cluster) -> list[tuple[str, str, str]]:
    """Return (object, what is wrong in plain words, kubectl to run next), nodes first."""
    found = []
    nodes_read = "nodes" not in cluster.unread
    for node in cluster.nodes:
        if not node.listed and not nodes_read:
            continue  # not a problem of the node: this user may not read it (the tour says so)
        for word, text in node_state(node):
            if text.unusual:
                found.append((f"node/{node.name}", f"{word}: {text.meaning}", node_next_step(node)))
    for pod in cluster.pods:
        found += pod_problems(pod)
    return found


def pod_problems(pod: Pod) -> list[tuple[str, str, str]]:
    """Return what is wrong with a pod and each of its containers, as for problems()."""
    ref, found = _pod_ref(pod), []
    message = pod.unschedulable_message
    key, text = pod_state(pod, unschedulable=message is not None)
    why = "; ".join(pending_phrases(pod.pending))
    unplaced = pod.pending is not None and pod.node_name is None  # containers not started
    if unplaced:
        found.append(
            (f"pod/{ref}", f"{shown_state(key)}: {text.meaning}: {why}", pod_next_step(pod))
        )
    elif text.unusual and not any(container_state(c)[1].unusual for c in pod.containers):
        found.append((f"pod/{ref}", f"{shown_state(key)}: {text.meaning}", pod_next_step(pod)))
    for container in pod.containers:
        ckey, ctext = container_state(container)
        if ctext.unusual and not unplaced:
            what = f"{shown_state(ckey)}: {ctext.meaning}" + (f": {why}" if why else "")
            if container.restarts:
                what += f" (restarted {plural(container.restarts, 'time')})"
            found.append(
                (f"container/{ref}/{container.name}", what, container_next_step(pod, container))
            )
    return found


def node_next_step(node: Node) -> str:
    """Return the kubectl command that tells more about a node.

    A node that was not read is not described (the user may not get nodes): kubectl
    says whether they may.
    """
    if not node.listed:
        return "kubectl auth can-i get nodes"
    return f"kubectl describe node {node.name}"


def pod_next_step(pod: Pod) -> str:
    """Return the kubectl command that tells more about a pod."""
    return f"kubectl describe pod -n {pod.namespace} {pod.name}"


def container_next_step(pod: Pod, container: Container) -> str:
    """Return the kubectl command to run next for a container: logs, or describe."""
    base = f"kubectl logs -n {pod.namespace} {pod.name} -c {container.name}"
    if container.restarts:
        return base + " --previous"
    if container.state.name == "waiting" or container.state.name == "unknown":
        return pod_next_step(pod)
    return base


def workloads(cluster: Cluster) -> tuple[dict[tuple[str, str, str], int], list[str]]:
    """Return pods counted by owning workload (kind, namespace, name), and unowned pods."""
    counts: Counter[tuple[str, str, str]] = Counter()
    unowned = []
    for pod in cluster.pods:
        if pod.owner is None:
            unowned.append(_pod_ref(pod))
        else:
            kind, name = pod.owner.split("/", 1)
            counts[(kind, pod.namespace, name)] += 1
    return dict(sorted(counts.items())), unowned


def example_pod(cluster: Cluster) -> Pod | None:
    """Return the pod that best shows containers sharing a pod: the most app containers."""
    candidates = [p for p in cluster.pods if p.node_name and len(p.containers) > 1]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (len(p.counted_containers), len(p.containers), p.name))


def owner_words(pod: Pod) -> str:
    """Return who made a pod and what that means for it, in one sentence."""
    if pod.controller is None:
        return "Nobody owns it: it was created directly, and nothing recreates it if it is deleted."
    meaning = {
        "ReplicaSet": "keeps a number of identical pods running",
        "StatefulSet": "gives each pod a stable name and storage",
        "DaemonSet": "runs one such pod on each node",
        "Job": "runs pods until they finish",
        "Node": "is a static pod the node's kubelet runs from a file",
    }
    kind, name = pod.controller.split("/", 1)
    made_by = f"{kind} {name}"
    if pod.owner and pod.owner != pod.controller:
        made_by += " of " + pod.owner.replace("/", " ", 1)
    return f"{made_by} made it; that controller {meaning.get(kind, 'manages it')}."


def last_exit(container: Container) -> str | None:
    """Return how the container's previous run ended, e.g. ``Error (exit 1)``, if it ran before."""
    last = container.last_termination
    if last is None:
        return None
    return f"{last.reason or 'Terminated'} (exit {last.exit_code})"


def by_node_lines(cluster: Cluster, limit: int = 12) -> list[str]:
    """Return one line per node (busiest first past ``limit`` nodes) with a bar of its pods."""
    groups = [(n.name, len(n.pods)) for n in cluster.nodes]
    rest: list[tuple[str, int]] = []
    if len(groups) > limit:
        groups.sort(key=lambda g: (-g[1], g[0]))
        groups, rest = groups[: limit - 2], groups[limit - 2 :]
    if cluster.unscheduled:
        groups.append(("(on no node yet)", len(cluster.unscheduled)))
    width = max((len(name) for name, _ in groups), default=0)
    most = max((count for _, count in groups), default=0)
    bars = len(_bar(most, most))
    lines = [
        f"  {name:<{width}}  {_bar(count, most):<{bars}}  {plural(count, 'pod')}"
        for name, count in groups
    ]
    if rest:
        low, high = min(c for _, c in rest), max(c for _, c in rest)
        spread = f"{low} to {high}" if low != high else str(low)
        lines.append(f"  ... and {plural(len(rest), 'more node')} with {spread} pods each")
    return lines


def _bar(count: int, most: int) -> str:
    """Return a bar of ``#`` for ``count``, scaled so that ``most`` fills BAR_WIDTH."""
    if most <= BAR_WIDTH:
        return "#" * count
    return "#" * max(1 if count else 0, round(count * BAR_WIDTH / most))


def _node_count_words(cluster: Cluster) -> str:
    """Return how many nodes the cluster has, as far as this read can tell."""
    names = [n.name for n in cluster.nodes]
    if "nodes" in cluster.unread:
        return (
            "This user may not list nodes, so how many it has and how they are is "
            f"unknown; the pods shown run on {len(names)} of them"
            + (f": {_names(names)}" if names else "")
        )
    if cluster.pod_filter:  # nodes running none of the pods shown were left out
        return f"The pods shown ({' '.join(cluster.pod_filter)}) run on {len(names)} of its nodes"
    return f"This one has {plural(len(names), 'node')}"


def node_summary(cluster: Cluster) -> list[str]:
    """Return the tour's paragraph about the nodes: control plane, cordoned, tainted."""
    control = [n.name for n in cluster.nodes if "control-plane" in n.roles or "master" in n.roles]
    lines = paragraph(
        f"A cluster is {LEVELS['cluster']}. {_node_count_words(cluster)}"
        + (
            f"; {_names(control)} {'runs' if len(control) == 1 else 'run'} the control plane."
            if control
            else "."
        )
    )
    nodes_read = "nodes" not in cluster.unread
    for node in cluster.nodes:
        if not node.listed and not nodes_read:
            continue  # said once above, not once per node
        for word, text in node_state(node):
            if text.unusual:
                lines += paragraph(f"- {node.name}, {word}: {text.meaning}.", "  ")
        for taint in node.taints:
            if not taint.startswith("node.kubernetes.io/unschedulable"):
                lines += paragraph(
                    f"- {node.name} has taint {taint}: only pods that tolerate it run there.",
                    "  ",
                )
    return lines


def pods_summary(cluster: Cluster) -> list[str]:
    """Return the tour's paragraphs about where pods run and which workloads own them."""
    lines = paragraph(
        f"A node is {LEVELS['node']}. The {plural(len(cluster.pods), 'pod')} spread "
        "over the nodes like this:"
    )
    lines += by_node_lines(cluster)
    counts, unowned = workloads(cluster)
    lines += ["", *paragraph("Workloads own most pods: a controller makes them and replaces them.")]
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    for (kind, namespace, name), count in sorted(ranked[:LIST_LIMIT]):
        lines.append(f"  {kind} {namespace}/{name}: {plural(count, 'pod')}")
    if len(ranked) > LIST_LIMIT:
        others = sum(count for _, count in ranked[LIST_LIMIT:])
        lines.append(
            f"  ... and {plural(len(ranked) - LIST_LIMIT, 'more workload')} "
            f"with {plural(others, 'pod')}"
        )
    if unowned:
        lines += paragraph(
            f"- {plural(len(unowned), 'pod')} nobody owns, created directly; nothing "
            f"recreates them if they go: {_names(unowned)}.",
            "  ",
        )
    return lines


def example_lines(cluster: Cluster) -> list[str]:
    """Return the tour's paragraph on one real multi-container pod: shared IP, volumes."""
    lines = paragraph(f"A pod is {LEVELS['pod']}.")
    pod = example_pod(cluster)
    if pod is None:
        return [*lines, *paragraph("No pod here runs more than one container to show this.")]
    names = [c.name for c in pod.containers if c.type != "init"]
    lines += paragraph(f"Example: pod {_pod_ref(pod)} on node {pod.node_name}:")
    if pod.ip:
        lines += paragraph(
            f"- {', '.join(names)} share one IP address, {pod.ip}: they reach each "
            "other on localhost, and the outside world sees one address.",
            "  ",
        )
    for volume in pod.volumes or ():
        where = ", ".join(f"{c} at {path}" for c, path in volume.mounts) or "no container"
        lines += paragraph(f"- volume {volume.name} ({volume.source}) is mounted by {where}.", "  ")
    for container in pod.containers:
        if container.type == "init":
            lines += paragraph(
                f"- init container {container.name} ran to completion before the others started.",
                "  ",
            )
    return lines


def containers_summary(cluster: Cluster) -> list[str]:
    """Return the tour's paragraph counting containers by state."""
    states: Counter[str] = Counter()
    for pod in cluster.pods:
        for container in pod.containers:
            states[container.state.describe()] += 1
    counted = ", ".join(f"{n} {state}" for state, n in sorted(states.items(), key=lambda i: -i[1]))
    return paragraph(
        f"A container is {LEVELS['container']}. "
        f"{plural(cluster.container_count, 'container')}: {counted}."
    )


def problem_lines(cluster: Cluster) -> list[str]:
    """Return the tour's list of what needs attention, each with the command to run next."""
    found = problems(cluster)
    if not found and "nodes" in cluster.unread:
        return ["Nothing needs attention in what was read: every container shown is fine."]
    if not found:
        return ["Nothing needs attention: every node is Ready and every container is fine."]
    grouped: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    for obj, what, next_step in found:
        grouped[obj].append((what, next_step))
    lines = [f"What needs attention ({len(grouped)}):"]
    for obj, entries in list(grouped.items())[:LIST_LIMIT]:
        lines += paragraph(f"- {obj}: " + "; ".join(what for what, _ in entries), "  ")
        lines.append(f"    next: {entries[0][1]}")
    if len(grouped) > LIST_LIMIT:
        lines.append(
            f"  ... and {len(grouped) - LIST_LIMIT} more: "
            "kube-inspect tree --explain shows them all"
        )
    return lines


def tour(cluster: Cluster) -> list[str]:
    """Return the guided tour of the cluster: nodes, pods, workloads, an example, problems."""
    sections = [
        [f"Cluster {cluster.context} at {cluster.server}, Kubernetes {cluster.version}."],
        node_summary(cluster),
        pods_summary(cluster),
        example_lines(cluster),
        containers_summary(cluster),
        *([paragraph(devices)] if (devices := devices_summary(cluster)) else []),
        problem_lines(cluster),
        [
            "Dig deeper: kube-inspect explain node NAME | pod NS/NAME | container NS/POD/NAME;",
            "kube-inspect tree --explain shows the whole tree with these meanings.",
        ],
    ]
    return [line for i, section in enumerate(sections) for line in ([""] if i else []) + section]


def find_pod(cluster: Cluster, namespace: str, name: str) -> Pod:
    """Return the pod, or raise UsageError naming what exists."""
    for pod in cluster.pods:
        if (pod.namespace, pod.name) == (namespace, name):
            return pod
    raise UsageError(f"pod {namespace}/{name} not found: see kube-inspect tree -n {namespace}")


def find_node(cluster: Cluster, name: str) -> Node:
    """Return the node, or raise UsageError."""
    for node in cluster.nodes:
        if node.name == name:
            return node
    raise UsageError(f"node {name} not found: see kube-inspect tree")
