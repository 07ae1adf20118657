"""Aligned plain-text columns, as ``tabulate(tablefmt="plain")`` lays them out, faster.

tabulate inspects every cell's type and width through several layers of calls: at 30,000
pods it took most of the time of ``kube-inspect tree`` (docs/performance.md). This does
the one layout the tree needs, byte for byte the same: every column as wide as its
widest cell and at least its header plus two, cells left-aligned and kept as they are
(leading tree indents included), two spaces between columns, no trailing spaces.

The widths are measured over every row first (``measure``); the lines are then made one
at a time (``aligned_lines``), so a caller can write them as they come instead of
holding the whole table as one string (at 30,000 pods that string, its lines and its
encoded bytes were most of the tree's peak memory).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

HEADER_PADDING = 2  # tabulate's MIN_PADDING: a header is never flush with its column
SEPARATOR = "  "
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True, slots=True)
class Layout:
    """The width of each column, and what the cells hold that changes how lines are made.

    ``broken`` is True when some cell holds a line break: the table's lines and its rows
    may then part ways.
    """

    widths: tuple[int, ...]
    coloured: bool = False
    broken: bool = False


def _width(cell: str) -> int:
    """Return how many columns a cell takes on screen: colour codes take none."""
    return len(_ANSI.sub("", cell)) if "\x1b" in cell else len(cell)


def measure(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> Layout:
    """Return the widths of the columns of ``rows`` under ``headers``."""
    widths = [len(h) + HEADER_PADDING for h in headers]
    coloured = broken = False
    for i, column in enumerate(zip(*rows, strict=True)):
        painted, breaks = _holds(column)
        broken = broken or breaks
        if painted:  # measured cell by cell, colour codes left out
            width = max(map(_width, column))
            coloured = True
        else:  # the common case, measured at C speed
            width = max(map(len, column))
        widths[i] = max(widths[i], width)
    return Layout(tuple(widths), coloured, broken)


_SCANNED = 4096  # cells joined at a time: a whole column of 150,000 pods' names is 29 MB


def _holds(column: tuple[str, ...]) -> tuple[bool, bool]:
    """Return whether some cell holds a colour code, and whether some holds a line break."""
    painted = breaks = False
    for start in range(0, len(column), _SCANNED):
        joined = "".join(column[start : start + _SCANNED])
        painted = painted or "\x1b" in joined
        breaks = breaks or "\n" in joined
    return painted, breaks


def aligned_lines(
    rows: Sequence[Sequence[str]], headers: Sequence[str], layout: Layout | None = None
) -> Iterator[str]:
    """Yield the header line, then each row's line, as left-aligned columns.

    ``layout`` is ``measure(rows, headers)``, measured again when not given.
    """
    if layout is None:
        layout = measure(rows, headers)
    widths = layout.widths
    if not layout.coloured:
        line = SEPARATOR.join(f"{{:<{w}}}" for w in widths).format
        yield line(*headers).rstrip()
        for row in rows:
            yield line(*row).rstrip()
        return
    for row in [headers, *rows]:
        yield SEPARATOR.join(
            cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
        ).rstrip()


def align_columns(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """Return the header line and the rows as left-aligned columns, one line each."""
    return "\n".join(aligned_lines(rows, headers))
