"""The sample fixture's judgement of a hog the runtime did not call OOMKilled.

Both pods were recorded on a kind cluster (containerd 2.3.4, cgroup v1), from the same
manifest as the sample's hog: one the runtime reported OOMKilled, one it reported as a
plain ``Error`` with exit code 137 (it missed the OOM event).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.clusters.sample import missed_oom_kill, unsettled

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "kind-hog"


def recorded(name: str) -> dict[str, Any]:
    pod: dict[str, Any] = json.loads((RECORDED / name).read_text())
    pod["metadata"].setdefault("labels", {})["pod-container-running-failed.stage.kwok.x-k8s.io"] = (
        "true"
    )
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
