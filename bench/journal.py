"""The journal: `--from JOURNAL --at T` against `--from SNAPSHOT` of the same state, and size.

    python -m bench.journal [--pods 10000] [--nodes 1000] [--hours 24] [--runs 5]

Writes the journal bench/day_journal.py writes (``--pods`` pods, bench/seed.py's, 1% of
them changing each minute, for ``--hours``) and the snapshot of the last moment. Then
times `tree -o json` from each (the same bytes must come out: the same read path),
interleaved, and prints the medians, their ratio (the target is at most 1.5), the
journal's bytes per day and the seconds the store spent writing an hour. No cluster:
what is timed is the reading. The recorder's own CPU, RSS and the API server's extra
CPU need a live cluster and are not measured here.
"""

from __future__ import annotations

import os
import statistics
import sys

from bench.day_journal import parse_flags, timed, written_journal
from kube_inspect.offline.document import write_snapshot


def main() -> int:
    """Write the journal and the snapshot, time both reads, print the figures."""
    args = parse_flags(__doc__.splitlines()[0])
    with written_journal(args) as journal:
        snapshot_file = journal.path.parent / "s.json"
        with open(snapshot_file, "wb") as file:
            write_snapshot(journal.snapshot, file, compress=False)
        size, writing = journal.size, journal.writing_seconds
        at = journal.snapshot.taken_at.isoformat()
        from_journal = ["tree", "--from", str(journal.path), "--at", at, "-o", "json"]
        from_snapshot = ["tree", "--from", str(snapshot_file), "-o", "json"]
        times: dict[str, list[float]] = {"journal": [], "snapshot": []}
        outputs = set()
        for _ in range(args.runs):  # interleaved: the machine's load falls on both
            for name, command in (("snapshot", from_snapshot), ("journal", from_journal)):
                seconds, out = timed(command)
                times[name].append(seconds)
                outputs.add(out)
        same = "the same bytes" if len(outputs) == 1 else "DIFFERENT outputs"
        journal_s, snapshot_s = (statistics.median(times[n]) for n in ("journal", "snapshot"))
        per_day = size / args.hours * 24
        print(f"journal of {args.pods} pods, {args.nodes} nodes, 1%/min for {args.hours:g}h: "
              f"{size / 1e6:.1f} MB ({per_day / 1e6:.0f} MB/day), written in {writing:.1f} "
              f"CPU s ({writing / args.hours:.1f} s/hour)")  # fmt: skip
        print(f"tree -o json --from SNAPSHOT: {snapshot_s:.2f}s  --from JOURNAL --at T: "
              f"{journal_s:.2f}s  ratio {journal_s / snapshot_s:.2f} (target <= 1.5); "
              f"{same}; medians of {args.runs}, {os.cpu_count()} CPUs")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
