"""Flat tables through tabulate, in any of its formats (``--fmt``).

tabulate is imported when a table is written: loading it costs 30 ms or more, which
every command that merely offers ``--fmt`` (and each TAB on it) would otherwise pay.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

# tabulate's formats (tabulate_formats, sorted; a unit test holds it to the installed one)
TABLE_FORMATS: tuple[str, ...] = (
    *("asciidoc", "colon_grid", "double_grid", "double_outline", "fancy_grid"),
    *("fancy_outline", "github", "grid", "heavy_grid", "heavy_outline", "html", "jira"),
    *("latex", "latex_booktabs", "latex_longtable", "latex_raw", "mediawiki", "mixed_grid"),
    *("mixed_outline", "moinmoin", "orgtbl", "outline", "pipe", "plain", "presto", "pretty"),
    *("psql", "rounded_grid", "rounded_outline", "rst", "simple", "simple_grid"),
    *("simple_outline", "textile", "tsv", "unsafehtml", "youtrack"),
)


def write_table(rows: Sequence[dict[str, str]], out: TextIO, fmt: str = "plain") -> None:
    """Write rows (dicts sharing their keys) as a table with a header row to ``out``."""
    if not rows:
        return
    from tabulate import tabulate

    headers = list(rows[0])
    body = [[row.get(h, "") for h in headers] for row in rows]
    out.write(tabulate(body, headers=headers, tablefmt=fmt, disable_numparse=True) + "\n")
