"""`history pod/NAME` and `history --problems` on a day-long journal, beside `tree --from`.

    python -m bench.history [--pods 10000] [--nodes 1000] [--hours 24] [--runs 5]

Writes the journal bench/day_journal.py writes (``--pods`` pods, 1% of them restarting
each minute, for ``--hours``), then times, interleaved: `history pod/NAME` of a pod that
changed, `history --problems --since -1h` (the journal's last hour) and `tree --from`
the 15-pod sample snapshot (the issue's yardstick: history is to cost about a start-up,
at most 2x it, whatever the journal's size). Prints the medians and their ratios.
"""

from __future__ import annotations

import os
import statistics
import sys
from datetime import timedelta
from pathlib import Path

from bench.day_journal import changed_pod, parse_flags, timed, written_journal
from bench.seed import pod_object

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sample-snapshot.json"


def main() -> int:
    """Write the journal, time the three commands, print the figures."""
    args = parse_flags(__doc__.splitlines()[0])
    with written_journal(args) as journal:
        meta = pod_object(changed_pod(1, 0, args.pods), args.nodes)["metadata"]
        path = str(journal.path)
        last_hour = (journal.snapshot.taken_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        commands = {
            "tree --from sample": ["tree", "--from", str(SAMPLE)],
            "history pod/NAME": [
                "history", f"pod/{meta['name']}", "-n", meta["namespace"], "--from", path
            ],
            "history --problems --since 1h": [
                "history", "--problems", "--since", last_hour, "--from", path
            ],
        }  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):  # interleaved: the machine's load falls on all
            for name, command in commands.items():
                times[name].append(timed(command)[0])
        size = journal.size
    medians = {name: statistics.median(found) for name, found in times.items()}
    base = medians["tree --from sample"]
    print(f"journal of {args.pods} pods, 1%/min for {args.hours:g}h: {size / 1e6:.0f} MB; "
          f"medians of {args.runs}, {os.cpu_count()} CPUs")  # fmt: skip
    for name, seconds in medians.items():
        target = " (target <= 2)" if name == "history pod/NAME" else ""
        print(f"{name}: {seconds:.2f}s  ratio to tree --from sample {seconds / base:.2f}{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
