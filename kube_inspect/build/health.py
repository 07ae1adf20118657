"""How healthy each object looks, as one word the pictures colour by: ok, warn, bad, done."""

from __future__ import annotations

from typing import Literal

from kube_inspect.model.cluster import Container, Node, Pod

Health = Literal["ok", "warn", "bad", "done"]

HEALTH_ORDER: tuple[Health, ...] = ("bad", "warn", "ok", "done")
HEALTH_WORDS: dict[Health, str] = {
    "ok": "healthy",
    "warn": "starting, waiting or cordoned",
    "bad": "failing",
    "done": "finished",
}
# Fill colours, light enough for black text, told apart by more than hue (see the legend).
HEALTH_COLOURS: dict[Health, str] = {
    "ok": "#d4edda",
    "warn": "#fff3cd",
    "bad": "#f8d7da",
    "done": "#e2e3e5",
}
HEALTH_BORDERS: dict[Health, str] = {
    "ok": "#2e7d32",
    "warn": "#b26a00",
    "bad": "#c62828",
    "done": "#6c757d",
}
_STARTING = frozenset({"ContainerCreating", "PodInitializing"})


def container_health(container: Container) -> Health:
    """Return ok (running and ready), done (exited 0), warn (starting) or bad."""
    state = container.state
    if state.name == "running":
        return "ok" if container.ready else "warn"
    if state.name == "terminated":
        return "done" if state.reason == "Completed" else "bad"
    if state.name == "unknown" or state.reason in _STARTING or state.reason is None:
        return "warn"
    return "bad"


def pod_health(pod: Pod) -> Health:
    """Return the pod's health: its phase, made worse by any failing container."""
    if pod.phase == "Succeeded":
        return "done"
    if pod.phase in ("Failed", "Unknown"):
        return "bad"
    healths = {container_health(c) for c in pod.containers if c.type != "init"}
    healths |= {container_health(c) for c in pod.containers if c.type == "init"} - {"done"}
    if "bad" in healths:
        return "bad"
    if pod.phase == "Pending" or "warn" in healths:
        return "warn"
    return "ok"


def node_health(node: Node) -> Health:
    """Return bad (NotReady or Unknown), warn (cordoned or not listed) or ok."""
    if not node.listed:
        return "warn"
    if node.ready is not True:
        return "bad"
    return "warn" if node.unschedulable else "ok"
