"""CSV: the flat rows, one line each, with a header line."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import TextIO


def write_csv(rows: Sequence[dict[str, str]], out: TextIO) -> None:
    """Write rows (dicts sharing their keys) as CSV to ``out``."""
    if not rows:
        return
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
