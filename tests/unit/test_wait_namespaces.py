"""check --wait over several namespaces: one WATCH each, the first change wakes the wait."""

from __future__ import annotations

import threading

import pytest

from kube_inspect.errors import Forbidden
from kube_inspect.kube.watching import Watching


class Waits(Watching):
    """A Watching whose single-path wait is scripted: path -> changed, or an error."""

    def __init__(self, outcomes: dict[str, bool | Exception], slow: float = 0.0) -> None:
        self.outcomes = outcomes
        self.slow = slow
        self.asked: list[str] = []
        self._lock = threading.Lock()

    def wait_for_change(self, path: str, seconds: float) -> bool:
        with self._lock:
            self.asked.append(path)
        outcome = self.outcomes[path]
        if isinstance(outcome, Exception):
            raise outcome
        if not outcome:
            threading.Event().wait(min(self.slow, seconds))
        return outcome


def test_each_namespace_is_watched_and_a_change_in_one_wakes_the_wait() -> None:
    waits = Waits({"/a": False, "/b": True}, slow=5.0)
    assert waits.wait_for_any_change(["/a", "/b"], 5.0) is True
    assert sorted(waits.asked) == ["/a", "/b"]


def test_no_change_anywhere_is_false() -> None:
    assert Waits({"/a": False, "/b": False}).wait_for_any_change(["/a", "/b"], 1.0) is False


def test_a_namespace_that_cannot_be_watched_leaves_the_others_to_wait_on() -> None:
    refused = Forbidden("pods in b")
    assert Waits({"/a": True, "/b": refused}).wait_for_any_change(["/a", "/b"], 1.0) is True
    assert Waits({"/a": False, "/b": refused}).wait_for_any_change(["/a", "/b"], 1.0) is False


def test_when_no_namespace_can_be_watched_the_failure_is_raised() -> None:
    waits = Waits({"/a": Forbidden("pods in a"), "/b": Forbidden("pods in b")})
    with pytest.raises(Forbidden):
        waits.wait_for_any_change(["/a", "/b"], 1.0)
