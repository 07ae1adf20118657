"""Process-wide tweaks for one-shot commands, kept in the CLI room where they belong."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from kube_inspect.kube.prefetch import quick_handoffs


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after.

    Reading a big cluster allocates millions of dicts, lists and model objects, none of
    them in reference cycles. Each full collection walks every live object, and the
    collector runs more often the more objects are created, so at 30,000 pods it costs a
    large share of the time (docs/performance.md). Reference counting still frees
    garbage immediately; the collector resumes, and catches up, when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def one_shot() -> Iterator[None]:
    """Tune the process for one read and one drawing: no collector, quick thread handoffs.

    Reader threads get the GIL back within 0.5 ms while the main thread builds the model.
    """
    with paused_gc(), quick_handoffs():
        yield
