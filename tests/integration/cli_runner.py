"""Run the installed kube-inspect as a process, as a user or a CI job would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KUBE_INSPECT = Path(sys.executable).parent / "kube-inspect"


def run(
    *args: str, kubeconfig: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``kube-inspect ARGS``; return the finished process with its stdout and stderr."""
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    if kubeconfig is not None:
        env["KUBECONFIG"] = str(kubeconfig)
    return subprocess.run(
        [str(KUBE_INSPECT), *args], env=env, capture_output=True, text=True, timeout=timeout
    )
