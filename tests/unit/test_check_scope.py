"""What `check` judges and refuses: workloads in scope, nodes it may not read, flag mistakes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_check_cli import invoke


@pytest.fixture
def config(tmp_path: Path) -> str:
    from tests.unit.test_cli import kubeconfig

    return str(kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a"))


def workload_objects(result: Any) -> set[str]:
    doc = json.loads(result.stdout)
    return {f["object"] for f in doc["findings"] if f["rule"] == "workload-ready"}


def test_node_filters_judge_only_the_workloads_owning_a_selected_pod(config: str) -> None:
    # kwok-cordoned-1 runs one pod: node-exporter's; web and db run elsewhere
    on_node = invoke(config, "--node", "kwok-cordoned-1", "--rule", "workload-ready", "-o", "json")
    assert workload_objects(on_node) == {"daemonset/monitoring/node-exporter"}
    by_field = invoke(
        config, "--field-selector", "spec.nodeName=kwok-worker-2", "--rule", "workload-ready",
        "-o", "json",
    )  # fmt: skip
    assert workload_objects(by_field) == {
        "daemonset/monitoring/node-exporter", "deployment/shop/web", "statefulset/shop/db",
    }  # fmt: skip
    everything = invoke(config, "--rule", "workload-ready", "-o", "json")
    assert len(workload_objects(everything)) == 3


def test_a_node_the_user_may_not_read_is_not_called_missing(config: str) -> None:
    # kwok-gpu-1 exists and runs no pod of shop: a viewer of shop cannot tell more
    result = invoke(config, "-n", "shop", "--node", "kwok-gpu-1", forbidden=("nodes",))
    assert "no such node" not in result.stdout
    assert result.exit_code == 4, result.output  # partial: the node rules are not checked
    assert "skip  node-ready          not checked" in result.stdout
    assert result.stderr.startswith('warning: user "viewer" may not')
    missing = invoke(config, "--node", "kwok-no-such-node")  # an admin is told it is not there
    assert "node/kwok-no-such-node: no such node" in missing.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "20s"], "error: --timeout says how long --wait waits"),
        (["--rule", "node-ready", "--skip-rule", "node-ready"],
         "error: rule 'node-ready' is given to both --rule and --skip-rule"),
        ([f"--skip-rule={r}" for r in ("node-ready", "node-pressure", "pod-pending",
          "pod-claims", "container-state", "container-restarts", "workload-ready")],
         "error: no rule left to run"),
    ],
)  # fmt: skip
def test_flags_that_would_check_nothing_are_refused(
    config: str, args: list[str], message: str
) -> None:
    result = invoke(config, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_workloads_are_not_checked_when_the_pods_picking_them_are_unread(config: str) -> None:
    result = invoke(
        config, "--node", "kwok-worker-1", "--rule", "workload-ready", forbidden=("pods",)
    )
    assert "skip  workload-ready      not checked" in result.stdout, result.stdout
    assert result.exit_code == 4, result.output
