"""Pure: `kube-inspect explain node|pod|container`, one object in plain words.

Where it runs, who owns it, why it is in its state, and what to run next with kubectl.
"""

from __future__ import annotations

from kube_inspect.errors import UsageError
from kube_inspect.explain.devices import node_device_lines, pod_claim_lines
from kube_inspect.explain.tour import (
    container_next_step,
    find_node,
    find_pod,
    last_exit,
    node_next_step,
    owner_words,
    paragraph,
    plural,
    pod_next_step,
)
from kube_inspect.interpret.events import event_words
from kube_inspect.interpret.health import (
    LEVELS,
    VOLUME_STATES,
    container_state,
    judge_claim,
    node_state,
    pod_state,
    shown_state,
)
from kube_inspect.interpret.scheduling import pending_phrases
from kube_inspect.interpret.storage import volume_words
from kube_inspect.model.cluster import Cluster, Container, Event, Pod
from kube_inspect.model.quantity import format_amount


def explain_node(cluster: Cluster, name: str) -> list[str]:
    """Return a node in plain words: its roles, state, taints, capacity and pods."""
    node = find_node(cluster, name)
    labels = dict(node.labels)
    roles = ", ".join(node.roles) or "no role label (an ordinary worker)"
    lines = paragraph(f"Node {name} is {LEVELS['node']}.")
    lines += paragraph(f"- Roles: {roles}. Kubelet: {node.kubelet_version or 'unknown'}.", "  ")
    where = [
        labels[k] for k in ("topology.kubernetes.io/zone", "kubernetes.io/arch") if k in labels
    ]
    if where:
        lines += paragraph(f"- Zone and architecture: {', '.join(where)}.", "  ")
    capacity = dict(node.capacity)
    if capacity:
        lines += paragraph(
            "- Capacity: "
            + ", ".join(f"{k} {capacity[k]}" for k in ("cpu", "memory", "pods") if k in capacity)
            + ".",
            "  ",
        )
    requested = node.requested
    others = [
        f"{name} {format_amount(name, requested.amount(name) or 0)}/{format_amount(name, amount)}"
        for name, amount in node.allocatable.other
        if amount
    ]
    if others:
        lines += paragraph(f"- Requested of allocatable: {', '.join(others)}.", "  ")
    for word, text in node_state(node):
        lines += paragraph(f"- {word}: {text.meaning}.", "  ")
    for taint in node.taints:
        lines += paragraph(
            f"- Taint {taint}: pods that do not tolerate it are kept off this node.", "  "
        )
    for sentence in node_device_lines(node):
        lines += paragraph(sentence, "  ")
    lines += event_paragraphs(node.events)
    if not node.pods:
        lines += paragraph("- It runs no pods.", "  ")
    else:
        lines += paragraph(f"- It runs {plural(len(node.pods), 'pod')}:", "  ")
        lines += [f"    {p.namespace}/{p.name} ({p.shown_phase})" for p in node.pods]
    return [*lines, "", f"Next: {node_next_step(node)}"]


def explain_pod(cluster: Cluster, namespace: str, name: str) -> list[str]:
    """Return a pod in plain words: where it runs, who owns it, its state and containers."""
    pod = find_pod(cluster, namespace, name)
    message = pod.unschedulable_message
    key, text = pod_state(pod, unschedulable=message is not None)
    lines = paragraph(f"Pod {namespace}/{name} is {LEVELS['pod']}.")
    where = f"runs on node {pod.node_name}" if pod.node_name else "is on no node yet"
    ip = f", with IP address {pod.ip}" if pod.ip else ""
    lines += paragraph(f"- It {where}{ip}.", "  ")
    lines += paragraph(f"- {owner_words(pod)}", "  ")
    lines += paragraph(f"- {shown_state(key)}: {text.meaning}.", "  ")
    if pod.pending is not None:
        lines += paragraph(f"- Why it is pending: {pod.pending.describe()}.", "  ")
    for reason in pending_phrases(pod.pending):
        lines += paragraph(f"- {reason}", "    ")
    lines += event_paragraphs(pod.events)
    if pod.qos_class:
        lines += paragraph(f"- QoS class {pod.qos_class}: {_qos(pod.qos_class)}", "  ")
    for volume in pod.volumes or ():
        where_mounted = ", ".join(f"{c} at {path}" for c, path in volume.mounts) or "no container"
        lines += paragraph(
            f"- Volume {volume.name} ({volume_words(volume)}): {where_mounted}.", "  "
        )
        if volume.claim is not None and judge_claim(volume.claim).state.unusual:
            meaning = VOLUME_STATES.get(volume.claim.status)
            if meaning is not None:
                lines += paragraph(f"Claim {volume.claim.status}: {meaning.meaning}.", "    ")
    for sentence in pod_claim_lines(pod):
        lines += paragraph(sentence, "  ")
    lines += paragraph(f"- {plural(len(pod.containers), 'container')}:", "  ")
    lines += [f"    {_container_line(c)}" for c in pod.containers]
    return [*lines, "", f"Next: {pod_next_step(pod)}"]


def event_paragraphs(events: tuple[Event, ...] | None) -> list[str]:
    """Return the Warning events, latest first, as explain words them (none when unread)."""
    if events is None:
        return []
    if not events:
        return paragraph("- No Warning events.", "  ")
    lines = paragraph(f"- Latest Warning events ({len(events)}), latest first:", "  ")
    for event in events:
        lines += paragraph(f"- {event_words(event)}", "    ")
    return lines


def _qos(qos_class: str) -> str:
    return {
        "Guaranteed": "requests equal limits; evicted last when the node runs short.",
        "Burstable": "some requests set; evicted after BestEffort pods.",
        "BestEffort": "no requests or limits; evicted first when the node runs short.",
    }.get(qos_class, "")


def _container_line(container: Container) -> str:
    kind = "" if container.type == "app" else f" ({container.type})"
    _key, text = container_state(container)
    return f"{container.name}{kind}: {container.state.describe()}: {text.meaning}"


def explain_container(cluster: Cluster, namespace: str, pod_name: str, name: str) -> list[str]:
    """Return a container in plain words: its image, state, restarts and mounts."""
    pod = find_pod(cluster, namespace, pod_name)
    container = _find_container(pod, name)
    _key, text = container_state(container)
    kind = {
        "init": "an init container",
        "sidecar": "a sidecar (restartable init container)",
        "ephemeral": "an ephemeral debug container",
    }.get(container.type, "an app container")
    lines = paragraph(f"Container {name} of pod {namespace}/{pod_name} is {LEVELS['container']}.")
    lines += paragraph(f"- It is {kind}, running image {container.image}.", "  ")
    lines += paragraph(f"- {container.state.describe()}: {text.meaning}.", "  ")
    if container.state.message:
        lines += paragraph(f"- The kubelet says: {container.state.message}", "  ")
    if container.restarts:
        last = last_exit(container) or "unknown"
        lines += paragraph(
            f"- Restarted {plural(container.restarts, 'time')}; last exit: {last}.", "  "
        )
    ready = "ready" if container.ready else "not ready"
    lines += paragraph(f"- It is {ready}. {_siblings(pod, container, pod.ip)}", "  ")
    for volume in pod.volumes or ():
        for who, path in volume.mounts:
            if who == name:
                lines += paragraph(
                    f"- Mounts volume {volume.name} ({volume.source}) at {path}.", "  "
                )
    return [*lines, "", f"Next: {container_next_step(pod, container)}"]


def _siblings(pod: Pod, container: Container, ip: str | None) -> str:
    others = [c.name for c in pod.containers if c.name != container.name and c.type != "init"]
    if not others:
        return "It is the pod's only long-running container."
    address = f" ({ip})" if ip else ""
    return f"It shares the pod's IP address{address} with {', '.join(others)}."


def _find_container(pod: Pod, name: str) -> Container:
    for container in pod.containers:
        if container.name == name:
            return container
    names = ", ".join(c.name for c in pod.containers)
    raise UsageError(
        f"container {name} not found in pod {pod.namespace}/{pod.name} (it has: {names})"
    )
