"""What the client reports its reading to: each page of a LIST, and the end of the read.

The client only reports; whoever gave it the Progress decides what to make of the
reports (render/progress.py draws them on stderr for the CLI; tests count them).
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Told of each page the client reads, and once the read is over."""

    def page(self, kind: str, objects: int) -> None:
        """Take note of one page of ``objects`` objects of ``kind`` (pods, nodes...)."""

    def done(self) -> None:
        """Take note that the read is over (done or failed)."""
