"""The GitHub Action (action.yml): its steps run as a runner runs them, against the real cluster.

A small runner: each step's ``${{ }}`` expressions are filled from the inputs (their
defaults for the rest), ``github.action_path``, ``runner.temp`` and earlier steps'
outputs; the step runs as ``bash --noprofile --norc -eo pipefail`` with GITHUB_ACTIONS,
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY set, and its outputs are read back from its
GITHUB_OUTPUT file. The install step installs the wheel built from this checkout.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import TestCluster
from tests.integration.test_rbac import wait_ready

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


@dataclass
class Run:
    """What a run of the action left: each step's exit code, outputs and log."""

    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    log: str = ""
    summary: str = ""

    def action_output(self, name: str) -> str:
        """Return an output of the action, as a workflow's ``steps.ID.outputs`` sees it."""
        return self.fill(ACTION["outputs"][name]["value"], {}, Path())

    def fill(self, text: str, inputs: dict[str, str], temp: Path) -> str:
        """Return ``text`` with its ``${{ }}`` expressions evaluated as the runner would."""

        def value(match: re.Match[str]) -> str:
            scope, _, rest = match.group(1).partition(".")
            if scope == "inputs":
                default = ACTION["inputs"][rest].get("default", "")
                return str(inputs.get(rest, default))
            if scope == "github" and rest == "action_path":
                return str(REPO)
            if scope == "runner" and rest == "temp":
                return str(temp)
            if scope == "steps":
                step, _, key = rest.partition(".outputs.")
                return self.outputs.get(step, {}).get(key, "")
            raise AssertionError(f"the test runner does not know {match.group(0)}")

        return EXPRESSION.sub(value, text)


def run_action(
    inputs: dict[str, str], temp: Path, run: Run | None = None, only: str | None = None
) -> Run:
    """Run the action's steps not yet in ``run`` (``only``: that one), stopping at a failure."""
    run = run or Run()
    summary = temp / "summary.md"
    for step in ACTION["runs"]["steps"]:
        if step["id"] in run.codes or only not in (None, step["id"]):
            continue
        output = temp / f"output-{step['id']}"
        output.write_text("")
        env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG",)}
        env.update(
            {k: run.fill(str(v), inputs, temp) for k, v in (step.get("env") or {}).items()},
            GITHUB_ACTIONS="true",
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(summary),
            RUNNER_TEMP=str(temp),
        )
        assert step["shell"] == "bash"
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            env=env, cwd=temp, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        run.codes[step["id"]] = done.returncode
        run.log += done.stdout + done.stderr
        run.outputs[step["id"]] = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
        if done.returncode != 0:
            break
    run.summary = summary.read_text() if summary.exists() else ""
    return run


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Run, Path]]:
    """Yield the run of the install step (the wheel of this checkout) and its temp dir."""
    temp = tmp_path_factory.mktemp("runner-temp")
    dist = tmp_path_factory.mktemp("dist")
    # setuptools writes build/ into the checkout: the two halves of `make test` take turns
    with open(Path(tempfile.gettempdir()) / "kube-inspect-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    (wheel,) = dist.glob("*.whl")
    run = run_action({"python": sys.executable, "package": str(wheel)}, temp, only="install")
    assert run.codes == {"install": 0}, run.log
    yield run, temp


def check_run(installed: tuple[Run, Path], inputs: dict[str, Any], tmp_path: Path) -> Run:
    """Return a run of the check step after the install step, with ``inputs``."""
    done, temp = installed
    run = Run(outputs=dict(done.outputs), codes=dict(done.codes))
    return run_action({"junit": str(tmp_path / "junit.xml"), **inputs}, temp, run)


def test_action_passes_a_healthy_namespace(
    cluster: TestCluster, scratch_namespace: str, installed: tuple[Run, Path], tmp_path: Path
) -> None:
    cluster.kubectl(
        "create", "deployment", "app", "--image=localhost/busybox:1.35", "-n", scratch_namespace,
        "--", "sleep", "3600",
    )  # fmt: skip
    wait_ready(cluster, scratch_namespace, "app")
    run = check_run(
        installed,
        {
            "kubeconfig": str(cluster.kubeconfig),
            "namespace": scratch_namespace,
            "skip-rules": "node-ready,node-pressure",
        },
        tmp_path,
    )
    assert run.codes["check"] == 0, run.log
    assert (run.action_output("failed"), run.action_output("exit-code")) == ("0", "0")
    assert run.action_output("report") == str(tmp_path / "junit.xml")
    assert "<testsuites" in (tmp_path / "junit.xml").read_text()
    assert "## kube-inspect check passed" in run.summary
    assert "::error" not in run.log


def test_action_fails_a_broken_namespace_with_annotations(
    cluster: TestCluster, installed: tuple[Run, Path], tmp_path: Path
) -> None:
    # the sample's batch namespace holds a crash-looping pod and an OOM-killed one. The
    # crash-looping pod's restarts keep climbing while the suite runs, so the rule that
    # counts them could pass in one run and fail in the next: both runs leave it out
    expected = subprocess.run(
        [sys.executable, "-m", "kube_inspect", "check", "-n", "batch", "-o", "json",
         "--skip-rule", "container-restarts", "--kubeconfig", str(cluster.kubeconfig)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert expected.returncode == 1, expected.stderr
    findings = json.loads(expected.stdout)["findings"]
    failures = sorted((f["rule"], f["object"]) for f in findings if not f["passed"])
    run = check_run(
        installed,
        {
            "kubeconfig": str(cluster.kubeconfig),
            "namespace": "batch",
            "skip-rules": "container-restarts",
        },
        tmp_path,
    )
    assert run.codes["check"] == 1, run.log
    assert run.action_output("exit-code") == "1"
    assert int(run.action_output("failed")) == len(failures) > 0
    annotations = [line for line in run.log.splitlines() if line.startswith("::error ")]
    assert len(annotations) == len(failures), run.log
    for rule, obj in failures:
        assert any(f"kube-inspect {rule}::{obj}:" in line for line in annotations), run.log
    assert "## kube-inspect check failed" in run.summary


def test_action_reports_without_failing_when_asked(
    cluster: TestCluster, installed: tuple[Run, Path], tmp_path: Path
) -> None:
    run = check_run(
        installed,
        {"kubeconfig": str(cluster.kubeconfig), "namespace": "batch", "fail": "false"},
        tmp_path,
    )
    assert run.codes["check"] == 0, run.log
    assert run.action_output("exit-code") == "1"
    assert int(run.action_output("failed")) > 0
