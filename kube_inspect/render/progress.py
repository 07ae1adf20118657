"""Progress of long lists on stderr: pages and objects so far, when a person is watching.

The client reports each page to what it is given (kube.progress.Progress, a protocol);
these draw the reports on a stream. Silent for the first second (most runs end before),
silent when stderr is not a terminal or with ``--quiet``; the line is erased when the
lists are done.
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


class ProgressLine:
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
    ) -> ProgressLine:
        """Return a ProgressLine that draws on ``stream`` only when it is a terminal."""
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


class FleetProgressLine(ProgressLine):
    """One progress line for many clusters read at once: how many are done, and the sums.

    Each cluster's client counts into its own ``member()``; the line adds them up
    (``listing 3 clusters, 1 done: nodes: 3 pages, ...``), so it stays one line however
    many clusters there are. Only the fleet's ``done`` erases it.
    """

    def __init__(
        self,
        out: TextIO | None,
        clusters: int,
        clock: Callable[[], float] = time.monotonic,
        delay: float = DELAY,
    ) -> None:
        """Draw on ``out`` (None: count silently) for ``clusters`` clusters."""
        super().__init__(out, clock, delay)
        self._clusters = clusters
        self._finished = 0

    @classmethod
    def for_fleet(
        cls, stream: TextIO, quiet: bool, clusters: int, clock: Callable[[], float] = time.monotonic
    ) -> FleetProgressLine:
        """Return a FleetProgressLine that draws on ``stream`` only when it is a terminal."""
        return cls(stream if not quiet and stream.isatty() else None, clusters, clock)

    def line(self) -> str:
        """Return the fleet's progress line (the caller holds the lock)."""
        head = f"listing {self._clusters} clusters, {self._finished} done"
        if not self._counts:
            return head
        return f"{head}: {progress_line(self._counts).removeprefix('listing ')}"

    def page(self, kind: str, objects: int) -> None:
        """Count one page of one cluster; redraw if it is time."""
        with self._lock:
            pages, total = self._counts.get(kind, (0, 0))
            self._counts[kind] = (pages + 1, total + objects)
            self._redraw()

    def finished_one(self) -> None:
        """Count one cluster as read (or failed); redraw if it is time."""
        with self._lock:
            self._finished += 1
            self._redraw()

    def _redraw(self) -> None:
        now = self._clock()
        if self._out is None or now - self._start < self._delay:
            return
        if self._drawn_at is not None and now - self._drawn_at < REDRAW:
            return
        self._out.write("\r" + self.line() + "\x1b[K")
        self._out.flush()
        self._drawn_at = now

    def member(self) -> ProgressLine:
        """Return the ProgressLine one cluster's client counts into."""
        return _MemberProgress(self)


class _MemberProgress(ProgressLine):
    """One cluster's share of a FleetProgressLine: its pages count there, its end is noted."""

    def __init__(self, fleet: FleetProgressLine) -> None:
        super().__init__(None)
        self._fleet = fleet
        self._ended = False

    def page(self, kind: str, objects: int) -> None:
        """Count the page in the fleet's line."""
        self._fleet.page(kind, objects)

    def done(self) -> None:
        """Note, once, that this cluster is read (or failed); the fleet's line stays."""
        if not self._ended:
            self._ended = True
            self._fleet.finished_one()
