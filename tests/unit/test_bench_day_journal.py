"""The journal both journal benches write (bench/day_journal.py): its flags and its history."""

from __future__ import annotations

from datetime import timedelta

from bench import day_journal
from bench.seed import pod_object
from kube_inspect.journal.moment import read_moment


def test_the_journal_benches_flags_default_to_a_day_of_ten_thousand_pods() -> None:
    flags = day_journal.parse_flags("x", [])
    assert (flags.pods, flags.nodes, flags.hours, flags.runs) == (10_000, 1_000, 24.0, 5)
    small = day_journal.parse_flags("x", ["--pods", "20", "--hours", "0.5", "--runs", "1"])
    assert (small.pods, small.nodes, small.hours, small.runs) == (20, 1_000, 0.5, 1)


def test_the_journals_last_moment_is_the_snapshot_the_bench_compares_it_with() -> None:
    flags = day_journal.parse_flags("x", ["--pods", "30", "--nodes", "3", "--hours", "0.05"])
    with day_journal.written_journal(flags) as journal:
        read = read_moment(str(journal.path), day_journal.CLUSTER, None)
        assert journal.size > 0
    assert journal.snapshot.taken_at == day_journal.T0 + timedelta(minutes=3)
    assert read.taken_at == journal.snapshot.taken_at
    for resource in ("nodes", "pods"):
        assert read.items[resource] == journal.snapshot.items[resource], resource
    # the pod history times changed in the first minute, and again each time it came round
    name = pod_object(day_journal.changed_pod(1, 0, 30), 3)["metadata"]["name"]
    (pod,) = [p for p in read.items["pods"] if p["metadata"]["name"] == name]
    restarts = [day_journal.changed_pod(m, 0, 30) for m in (1, 2, 3)].count(
        day_journal.changed_pod(1, 0, 30)
    )
    assert pod["status"]["containerStatuses"][0]["restartCount"] == restarts >= 1
