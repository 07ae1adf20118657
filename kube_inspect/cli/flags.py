"""The typed objects the shared options fill: which cluster, which selection, which output.

Like cli-runtime's ConfigFlags: each group of flags is parsed once (cli/options.py) into
one frozen object that the command passes down whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from kube_inspect.kube.overrides import NO_OVERRIDES, ConnectionOverrides
from kube_inspect.read.selection import Selection

if TYPE_CHECKING:  # the snapshot reader (and msgspec's schemas) is loaded by --from only
    from kube_inspect.offline.document import FleetSnapshot, Snapshot
    from kube_inspect.render.rows import RowStyle


@dataclass(frozen=True, slots=True)
class ClusterFlags:
    """Which cluster (or clusters) to read, spelt as kubectl spells it.

    ``context`` is the one context to read (None: the current one). ``contexts`` are all
    those named with ``--context`` (repeated or comma-separated, in the order given,
    without repeats); more than one, or ``all_contexts``, make a fleet.
    """

    kubeconfig: str | None
    context: str | None
    request_timeout: float | None
    contexts: tuple[str, ...] = ()
    all_contexts: bool = False
    from_file: str | None = None  # --from: a snapshot or kubectl List instead of a cluster
    wire: str = "json"  # --wire: json, auto or protobuf (kube_inspect.kube.wires.WIRES)
    # what --from's file held, read once when the flags were parsed: (path, what it held)
    loaded: tuple[str, Snapshot | FleetSnapshot] | None = field(
        default=None, compare=False, repr=False
    )
    # kubectl's connection flags (--as, --server, --token...): they win over the context's
    overrides: ConnectionOverrides = NO_OVERRIDES
    at: tuple[datetime, ...] = ()  # --at: the moments of a journal to read (diff: two)

    @property
    def fleet(self) -> bool:
        """Return True when several clusters are asked for (then the output is a fleet's).

        A fleet snapshot given to --from is a fleet too, shown as it was read live.
        """
        return self.all_contexts or len(self.contexts) > 1 or self.fleet_snapshot is not None

    @property
    def fleet_snapshot(self) -> FleetSnapshot | None:
        """Return the fleet snapshot that --from names, if it names one."""
        if self.loaded is None or self.loaded[0] != self.from_file:
            return None
        from kube_inspect.offline.document import FleetSnapshot  # loaded already, by --from

        source = self.loaded[1]
        return source if isinstance(source, FleetSnapshot) else None

    def one(self, context: str) -> ClusterFlags:
        """Return the flags that read only ``context``, with the same kubeconfig and timeout.

        From a fleet snapshot, the flags read that context's snapshot in it.
        """
        flags = replace(self, context=context, contexts=(context,), all_contexts=False)
        recorded = self.fleet_snapshot
        if recorded is not None and self.from_file is not None:
            from kube_inspect.offline.document import Snapshot  # loaded already, by --from

            for member in recorded.clusters:
                if member.context == context and isinstance(member, Snapshot):
                    return replace(
                        flags, context=None, contexts=(), loaded=(self.from_file, member)
                    )
        return flags


@dataclass(frozen=True, slots=True)
class OutputFlags:
    """How to write: the format, the table style and colour."""

    format: str
    fmt: str
    color: str

    def colored(self, out: TextIO) -> bool:
        """Return whether to colour, from --color, NO_COLOR and whether ``out`` is a terminal."""
        if self.color != "auto":
            return self.color == "always"
        # no-color.org: NO_COLOR disables colour when set and not empty; a dumb terminal
        # cannot show it
        if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
            return False
        return out.isatty()

    def row_style(self, out: TextIO) -> RowStyle:
        """Return how -o table/wide/csv rows are written on ``out``: CSV, or --fmt, coloured."""
        from kube_inspect.render.rows import RowStyle  # the row writers load with their views

        return RowStyle(self.format == "csv", self.fmt, self.colored(out))


@dataclass(frozen=True, slots=True)
class SelectionFlags:
    """The selection as typed, and whether progress may be shown."""

    selection: Selection
    quiet: bool
    given: frozenset[str]  # the flags the user gave, for "does not apply" errors


# How each selection flag is spelt, by its parameter name (for "does not apply" errors)
FLAG_SPELLING = {
    "namespace": "-n",
    "all_namespaces": "-A",
    "selector": "-l",
    "field_selector": "--field-selector",
    "node_names": "--node",
    "node_selector": "--node-selector",
    "problems": "--problems",
    "sort": "--sort",
}

# The flags that pick objects, as opposed to those that shape the view (--problems, --sort).
FILTER_FLAGS = frozenset(
    {"namespace", "all_namespaces", "selector", "field_selector", "node_names", "node_selector"}
)
