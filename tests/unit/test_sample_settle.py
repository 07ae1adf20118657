"""The sample fixture's judgement of a hog the runtime did not call OOMKilled.

Both pods were recorded on a kind cluster (containerd 2.3.4, cgroup v1), from the same
manifest as the sample's hog: one the runtime reported OOMKilled, one it reported as a
plain ``Error`` with exit code 137 (it missed the OOM event).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.clusters.sample import OOM_LABEL, missed_oom_kill, unsettled, wait_settled

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "kind-hog"


def recorded(name: str) -> dict[str, Any]:
    pod: dict[str, Any] = json.loads((RECORDED / name).read_text())
    pod["metadata"].setdefault("labels", {})[OOM_LABEL] = "true"
    return pod


def test_an_exit_137_the_runtime_called_error_is_a_missed_oom_kill() -> None:
    pod = recorded("exit-137-reason-error.json")
    assert missed_oom_kill(pod["status"])
    assert unsettled([pod]) == ["hogs/hog-12 not yet OOMKilled (Failed, Error)"]


def test_an_oomkilled_hog_is_settled_and_not_missed() -> None:
    pod = recorded("oomkilled.json")
    assert not missed_oom_kill(pod["status"])
    assert unsettled([pod]) == []


def test_a_running_hog_is_not_a_missed_oom_kill() -> None:
    pod = recorded("exit-137-reason-error.json")
    pod["status"]["phase"] = "Running"
    assert not missed_oom_kill(pod["status"])


def test_a_plain_exit_1_is_not_a_missed_oom_kill() -> None:
    pod = recorded("exit-137-reason-error.json")
    pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] = 1
    assert not missed_oom_kill(pod["status"])


def test_wait_settled_creates_a_missed_hog_again_and_says_so() -> None:
    """The fixture's own loop, with kubectl answering from the recorded pods: the first
    read shows the missed kill, the read after the hog was created again its OOMKill."""
    answers = [recorded("exit-137-reason-error.json"), recorded("oomkilled.json")]
    calls: list[tuple[str, ...]] = []
    said: list[str] = []

    def kubectl(*args: str, timeout: float = 0) -> str:
        calls.append(args)
        if args[:2] == ("get", "pods"):
            return json.dumps({"items": [answers[0]]})
        if args[0] == "apply":
            answers.pop(0)
        return ""

    wait_settled(kubectl, timeout=30, say=said.append)
    assert ("delete", "pod", "-n", "hogs", "hog-12", "--wait=true") in calls
    assert said == [
        "sample: hogs/hog-12 exited 137 without OOMKilled (the runtime missed the OOM event); "
        "created again (1 of 5)"
    ]
