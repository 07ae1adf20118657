"""Terminal colours of the health table's verdicts, as ANSI SGR codes (no click in render/)."""

from __future__ import annotations

from kube_inspect.build.health import Verdict

# The codes click.style(fg=...) writes, so coloured output is byte for byte as before.
COLOURS: dict[Verdict, str] = {"failing": "\x1b[31m", "warning": "\x1b[33m", "healthy": "\x1b[32m"}
RESET = "\x1b[0m"


def paint(text: str, verdict: Verdict) -> str:
    """Return ``text`` in the colour of ``verdict``: red failing, yellow warning, green healthy."""
    return f"{COLOURS[verdict]}{text}{RESET}" if text else text
