"""Flat tables through tabulate, in any of its formats (``--fmt``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from tabulate import tabulate, tabulate_formats

TABLE_FORMATS: tuple[str, ...] = tuple(sorted(tabulate_formats))


def write_table(rows: Sequence[dict[str, str]], out: TextIO, fmt: str = "plain") -> None:
    """Write rows (dicts sharing their keys) as a table with a header row to ``out``."""
    if not rows:
        return
    headers = list(rows[0])
    body = [[row.get(h, "") for h in headers] for row in rows]
    out.write(tabulate(body, headers=headers, tablefmt=fmt, disable_numparse=True) + "\n")
