from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from tabulate import tabulate

from kube_inspect.model.cluster import Cluster, Pending, PendingCause, Pod
from kube_inspect.render import tree
from kube_inspect.render.columns import Layout, align_columns, measure


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


def _pending_cluster(reason: str | None = None, owner: str | None = None) -> Cluster:
    pod = Pod(
        namespace="shop",
        name="web",
        node_name=None,
        phase="Pending",
        created=None,
        containers=(),
        owner=owner,
        reason=reason,
        pending=Pending(causes=(PendingCause("insufficient cpu", 2),), nodes=3),
    )
    return Cluster(context="c", server="s", version="v", nodes=(), unscheduled=(pod,))


def _drawn(cluster: Cluster) -> tuple[str, str]:
    """Return the tree as render_tree writes it, and its table as align_columns lays it out."""
    options = tree.TreeOptions(now=datetime(2030, 1, 1, tzinfo=UTC))
    out = io.StringIO()
    tree.render_tree(cluster, out, options=options)
    table = align_columns(list(tree.tree_rows(cluster, options)), (*tree.HEADERS, "INFO"))
    return out.getvalue(), table


def test_the_tree_written_line_by_line_is_the_table_with_notes_under_their_rows() -> None:
    drawn, table = _drawn(_pending_cluster())
    lines = table.split("\n")
    note = "        ↳ pending: 3 nodes: 2 insufficient cpu"
    assert drawn.split("\n")[1:] == [*lines[:3], note, *lines[3:], ""]


def test_a_line_break_inside_a_row_is_escaped_and_keeps_the_notes() -> None:
    drawn, _table = _drawn(_pending_cluster(reason="Unschedulable\nby the scheduler"))
    assert "Pending: Unschedulable\\nby the scheduler" in drawn
    assert "↳ pending: 3 nodes: 2 insufficient cpu" in drawn
    assert len(drawn.splitlines()) == 5  # cluster, header, (unscheduled), pod, its note


def test_a_line_break_at_the_end_of_a_cell_is_escaped_and_keeps_the_notes() -> None:
    drawn, _table = _drawn(_pending_cluster(owner="ReplicaSet/web\n"))
    assert "owner=ReplicaSet/web\\n" in drawn
    assert "↳ pending: 3 nodes: 2 insufficient cpu" in drawn


def test_colour_and_line_breaks_are_found_in_any_row_of_a_long_column() -> None:
    rows = [(f"pod-{i}", "Running") for i in range(10_000)]
    assert measure(rows, ("NAME", "STATUS")) == Layout((8, 8))
    rows[-1] = ("pod-last\nmore", "\x1b[31mFailed\x1b[0m")
    assert measure(rows, ("NAME", "STATUS")) == Layout((13, 8), coloured=True, broken=True)
