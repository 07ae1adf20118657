"""Plain-word helpers shared by the explanations and the renderers."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """Return ``1 pod`` or ``3 pods``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def printable(text: str) -> str:
    """Return ``text`` with each character a terminal would act on escaped, as repr() does.

    Cluster text (a reason, a message, an image, an event) may hold ESC sequences or line
    breaks: printed raw they would recolour or rewrite the terminal, or start a line of
    their own (which a CI runner may read as a command, e.g. GitHub's ``::warning``).
    Every text output shows such text through this one function: ``\\x1b``, ``\\n``,
    ``\\u2028`` instead of the characters. Printable text (nearly all) is returned as is.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
