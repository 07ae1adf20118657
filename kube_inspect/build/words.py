"""Plain-word helpers shared by the explanations and the renderers."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """Return ``1 pod`` or ``3 pods``."""
    return f"{count} {word}{'' if count == 1 else 's'}"
