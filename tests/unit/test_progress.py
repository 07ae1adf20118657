from __future__ import annotations

import io

from kube_inspect.render.progress import FleetProgressLine, ProgressLine, progress_line


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_counts_pages_and_objects_of_each_kind() -> None:
    line = progress_line({"nodes": (1, 200), "pods": (12, 6000)})
    assert line == "listing nodes: 1 page, 200 objects; pods: 12 pages, 6,000 objects"


def test_nothing_is_drawn_in_the_first_second() -> None:
    out, clock = Terminal(), Clock()
    progress = ProgressLine(out, clock=clock)
    clock.now += 0.9
    progress.page("pods", 500)
    progress.done()
    assert out.getvalue() == ""
    assert progress.counts == {"pods": (1, 500)}


def test_a_long_list_draws_one_line_then_erases_it() -> None:
    out, clock = Terminal(), Clock()
    progress = ProgressLine(out, clock=clock)
    clock.now += 1.5
    progress.page("pods", 500)
    clock.now += 0.5
    progress.page("pods", 500)
    assert out.getvalue().count("\r") == 2
    assert out.getvalue().endswith("listing pods: 2 pages, 1,000 objects\x1b[K")
    progress.done()
    assert out.getvalue().endswith("\r\x1b[K")
    assert "\n" not in out.getvalue()  # one line, redrawn in place


def test_progress_is_silent_off_a_terminal_and_when_quiet() -> None:
    for stream, quiet in ((io.StringIO(), False), (Terminal(), True)):
        clock = Clock()
        progress = ProgressLine.for_stream(stream, quiet, clock)
        clock.now += 5
        progress.page("pods", 500)
        progress.done()
        assert stream.getvalue() == ""


def test_a_fleet_draws_one_line_for_every_cluster_and_only_its_end_erases_it() -> None:
    out, clock = Terminal(), Clock()
    fleet = FleetProgressLine(out, 3, clock=clock)
    first, second = fleet.member(), fleet.member()
    clock.now += 1.5
    first.page("pods", 1000)
    clock.now += 0.2
    second.page("pods", 500)
    first.done()
    first.done()  # a cluster ends once, however often its read says so
    clock.now += 0.2
    second.page("nodes", 3)
    drawn = out.getvalue().split("\r")[1:]
    assert drawn[-1] == (
        "listing 3 clusters, 1 done: pods: 2 pages, 1,500 objects; nodes: 1 page, 3 objects\x1b[K"
    )
    assert "\n" not in out.getvalue()  # one line, redrawn in place
    before = out.getvalue()
    second.done()  # a cluster's end leaves the line to the others
    assert "\r\x1b[K" not in out.getvalue()[len(before) :]
    fleet.done()
    assert out.getvalue().endswith("\r\x1b[K")
