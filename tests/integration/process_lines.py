"""A running kube-inspect process, one of its streams read line by line on a thread of its own.

`tree --watch` (its stdout) and `record` (its stderr) are followed the same way: a test waits
for the first line from now on that says what it expects, or fails with what was seen.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

WAIT = 120.0  # how long to wait for a line before failing (not a speed figure)


@dataclass
class ProcessLines:
    """A running process and the lines of its ``stream`` ("stdout" or "stderr")."""

    process: subprocess.Popen[str]
    stream: str = "stdout"
    name: str = "the process"  # as the failure messages say it
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def follow(self) -> None:
        """Start reading the stream on a daemon thread."""
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        stream = getattr(self.process, self.stream)
        assert stream is not None
        for line in stream:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, wanted: Callable[[str], bool], what: str) -> str:
        """Return the first line from now on that ``wanted`` accepts."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            assert line is not None, f"{self.name} ended before {what}:\n" + "\n".join(self.seen)
            self.seen.append(line)
            if wanted(line):
                return line
        raise AssertionError(f"no {what} within {WAIT:g}s:\n" + "\n".join(self.seen[-40:]))
