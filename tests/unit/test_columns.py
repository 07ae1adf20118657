from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from tabulate import tabulate

from kube_inspect.model.cluster import Cluster
from kube_inspect.render import tree
from kube_inspect.render.columns import align_columns


def tabulated(rows: Sequence[Sequence[str]], headers: tuple[str, ...]) -> str:
    return tabulate(
        rows, headers=headers, tablefmt="plain", disable_numparse=True, preserve_whitespace=True
    )


@pytest.mark.parametrize("ascii_only", [False, True])
def test_the_sample_tree_is_laid_out_exactly_as_tabulate_does(
    sample: Cluster, ascii_only: bool
) -> None:
    options = tree.TreeOptions(now=datetime(2030, 1, 1, tzinfo=UTC), ascii_only=ascii_only)
    rows = list(tree.tree_rows(sample, options))
    headers = (*tree.HEADERS, "INFO")
    assert align_columns(rows, headers) == tabulated(rows, headers)


def test_coloured_cells_align_as_tabulate_aligns_them(sample: Cluster) -> None:
    options = tree.TreeOptions(now=datetime(2030, 1, 1, tzinfo=UTC), color=True)
    rows = list(tree.tree_rows(sample, options))
    assert any("\x1b[" in r[1] for r in rows)
    headers = (*tree.HEADERS, "INFO")
    assert align_columns(rows, headers) == tabulated(rows, headers)


@pytest.mark.parametrize(
    "rows",
    [
        [("a", "bb", ""), ("ccc", "d", "x")],  # empty last cell: no trailing spaces
        [("  indented", "", ""), ("x", "a-much-longer-cell-than-header", "")],
        [("0", "007", "1.5")],  # numbers stay text, unaligned to the right
        [],
    ],
)
def test_edge_cases_match_tabulate(rows: list[tuple[str, ...]]) -> None:
    headers = ("NAME", "STATUS", "INFO")
    assert align_columns(rows, headers) == tabulated(rows, headers)
