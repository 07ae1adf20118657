"""Run the installed kube-inspect as a process, as a user or a CI job would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kube_inspect.cli import cli

KUBE_INSPECT = Path(sys.executable).parent / "kube-inspect"
GITHUB_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")


def run(
    *args: str, kubeconfig: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``kube-inspect ARGS``; return the finished process with its stdout and stderr."""
    # Not KUBECONFIG, nor GitHub Actions' variables: when the suite itself runs in Actions,
    # `check` would add annotations to stdout and write to the job's summary.
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", *GITHUB_VARIABLES)}
    if kubeconfig is not None:
        env["KUBECONFIG"] = str(kubeconfig)
    return subprocess.run(
        [str(KUBE_INSPECT), *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def invoke(*args: str, kubeconfig: Path) -> subprocess.CompletedProcess[str]:
    """Run ``kube-inspect ARGS`` in this process (CliRunner): the same answer, no start-up.

    For suites of hundreds of runs; a bug's exception is raised here, not hidden in an exit
    code, so the test shows its traceback.
    """
    env: dict[str, str | None] = {"KUBECONFIG": str(kubeconfig)}
    env.update(dict.fromkeys(GITHUB_VARIABLES))
    result = CliRunner().invoke(cli, list(args), env=env, prog_name="kube-inspect")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)
