"""The console scripts' entry point: Ctrl-C while the CLI is still loading exits quietly.

Importing the CLI (click, then the command's modules) takes a tenth of a second or more;
a Ctrl-C in that time would otherwise print a KeyboardInterrupt traceback. This module imports
nothing heavy so that the import itself can be interrupted cleanly. It is the one
sys.exit outside cli/: there is no CLI yet to hand the exit to.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130  # kube_inspect.errors.EXIT_INTERRUPTED, kept light here on purpose


def main() -> None:
    """Load the CLI and run it; exit 130 without a traceback when interrupted while loading."""
    try:
        from kube_inspect.cli import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    cli_main()
