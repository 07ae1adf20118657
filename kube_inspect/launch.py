"""The console scripts' entry point: Ctrl-C while the CLI loads, or around its run, exits quietly.

Importing the CLI (click, then the command's modules) takes a tenth of a second or more;
a Ctrl-C in that time would otherwise print a KeyboardInterrupt traceback. This module imports
nothing heavy so that the import itself can be interrupted cleanly. It is the one
sys.exit outside cli/: there is no CLI yet to hand the exit to. For the same reason it
pauses the cyclic garbage collector while the CLI loads (cli/process.py pauses it while a
command loads and while it reads).
"""

from __future__ import annotations

import gc
import sys

EXIT_INTERRUPTED = 130  # kube_inspect.errors.EXIT_INTERRUPTED, kept light here on purpose


def main() -> None:
    """Load the CLI and run it; exit 130 without a traceback when interrupted while loading."""
    # Importing creates tens of thousands of objects (functions, classes, the methods
    # dataclasses generate), none of them garbage; every collection the allocations set
    # off walks them all again. Paused, the imports take about 5% less time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from kube_inspect.cli import main as cli_main
    except KeyboardInterrupt:
        _interrupted()
    finally:
        if collecting:
            gc.enable()
    try:
        cli_main()
    except KeyboardInterrupt:
        # the CLI's main catches a Ctrl-C while a command runs; this one landed around it
        # (checking the standard streams first, flushing the output last)
        _interrupted()


def _interrupted() -> None:  # never returns; typing.NoReturn would import typing here
    sys.stderr.write("interrupted\n")
    sys.exit(EXIT_INTERRUPTED)
