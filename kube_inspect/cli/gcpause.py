"""Pause Python's cyclic garbage collector while a large model is built.

Reading a big cluster allocates millions of dicts, lists and model objects, none of them
in reference cycles. Each full collection walks every live object, and the collector
runs more often the more objects are created, so at 30,000 pods it costs a large share
of the time (measured in docs/performance.md). Reference counting still frees garbage
immediately; the collector resumes, and catches up, when the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
