"""Run the installed kube-inspect as a process, as a user or a CI job would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
