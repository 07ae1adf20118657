"""Progress of long lists on stderr: pages and objects so far, when a person is watching.

Silent for the first second (most runs end before), silent when stderr is not a terminal
or with ``--quiet``; the line is erased when the lists are done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import TextIO

DELAY = 1.0  # seconds before the first line: short runs stay silent
REDRAW = 0.1  # seconds between redraws


def progress_line(counts: Mapping[str, tuple[int, int]]) -> str:
    """Return the progress line, e.g. ``listing pods: 12 pages, 6,000 objects``."""
    parts = [
        f"{kind}: {pages} page{'s' if pages != 1 else ''}, {objects:,} objects"
        for kind, (pages, objects) in counts.items()
    ]
    return "listing " + "; ".join(parts)


class Progress:
    """Counts the pages and objects of each list and draws them on ``out`` after DELAY."""

    def __init__(
        self,
        out: TextIO | None,
        clock: Callable[[], float] = time.monotonic,
        delay: float = DELAY,
    ) -> None:
        """Draw on ``out`` (None: count silently), once ``delay`` seconds have passed."""
        self._out = out
        self._clock = clock
        self._delay = delay
        self._start = clock()
        self._drawn_at: float | None = None
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_stream(
        cls, stream: TextIO, quiet: bool, clock: Callable[[], float] = time.monotonic
    ) -> Progress:
        """Return a Progress that draws on ``stream`` only when it is a terminal."""
        return cls(stream if not quiet and stream.isatty() else None, clock)

    @property
    def counts(self) -> dict[str, tuple[int, int]]:
        """Return pages and objects read so far, by kind."""
        with self._lock:
            return dict(self._counts)

    def page(self, kind: str, objects: int) -> None:
        """Count one page of ``objects`` objects of ``kind``; redraw if it is time."""
        with self._lock:
            pages, total = self._counts.get(kind, (0, 0))
            self._counts[kind] = (pages + 1, total + objects)
            now = self._clock()
            if self._out is None or now - self._start < self._delay:
                return
            if self._drawn_at is not None and now - self._drawn_at < REDRAW:
                return
            self._out.write("\r" + progress_line(self._counts) + "\x1b[K")
            self._out.flush()
            self._drawn_at = now

    def done(self) -> None:
        """Erase the progress line, if one was drawn."""
        with self._lock:
            if self._out is not None and self._drawn_at is not None:
                self._out.write("\r\x1b[K")
                self._out.flush()
                self._drawn_at = None
