"""The colours of the health table's verdicts: ANSI codes for terminals, fills for pictures.

The verdicts themselves live in interpret/health.py; here only how each is painted. No click
in render/: the terminal codes are written as click.style wrote them.
"""

from __future__ import annotations

from typing import Literal

from kube_inspect.interpret.health import (
    Judgement,
    Verdict,
    judge_container,
    judge_node,
    judge_pod,
)
from kube_inspect.model.cluster import Container, Node, Pod

# The codes click.style(fg=...) writes, so coloured output is byte for byte as before.
COLOURS: dict[Verdict, str] = {"failing": "\x1b[31m", "warning": "\x1b[33m", "healthy": "\x1b[32m"}
RESET = "\x1b[0m"


def paint(text: str, verdict: Verdict) -> str:
    """Return ``text`` in the colour of ``verdict``: red failing, yellow warning, green healthy."""
    return f"{COLOURS[verdict]}{text}{RESET}" if text else text


# The pictures (html, dot, mermaid) fill by these words: a verdict, with finished greyed.
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
VERDICT_HEALTH: dict[Verdict, Health] = {"healthy": "ok", "warning": "warn", "failing": "bad"}


def shade(judgement: Judgement) -> Health:
    """Return the fill word of a verdict: ok, warn or bad, and done when finished."""
    return "done" if judgement.finished else VERDICT_HEALTH[judgement.verdict]


def container_health(container: Container) -> Health:
    """Return the container's fill word: ok, warn, bad or done (exited 0)."""
    return shade(judge_container(container))


def pod_health(pod: Pod) -> Health:
    """Return the pod's fill word: its phase's, made worse by any worse container."""
    return shade(judge_pod(pod))


def node_health(node: Node) -> Health:
    """Return the node's fill word: bad (NotReady, Unknown, pressure), warn (cordoned) or ok."""
    return shade(judge_node(node))
