"""-o/--output: kubectl's ``-o=json`` spelling, and the one -o of the commands that report.

The views' -o (tree, nodes, pods, containers), with --fmt and --color, is
``output_options`` in cli/options.py. ``check`` and ``history`` write one report, as text
or as one JSON document: they share ``report_output_option``. Every -o reads its value
with ShortFlagChoice, so ``-o=json`` works as in kubectl. Light on purpose: history loads
nothing of the views for it.
"""

from __future__ import annotations

from typing import Any

import click

REPORT_OUTPUTS = ("text", "json")


class ShortFlagChoice(click.Choice[str]):
    """A choice that also reads kubectl's ``-o=json``: click hands it ``=json``."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return the choice, without the ``=`` of the ``-x=value`` spelling."""
        if isinstance(value, str) and value.startswith("="):
            value = value[1:]
        return super().convert(value, param, ctx)


# check's and history's -o: passes ``output``, one of REPORT_OUTPUTS
report_output_option = click.option(
    "-o",
    "--output",
    type=ShortFlagChoice(REPORT_OUTPUTS),
    default="text",
    show_default=True,
    help="Output format.",
)
