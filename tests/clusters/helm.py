"""Helm, built from its Go module (helm.sh/helm/v4) once and cached by version.

python -m tests.clusters.helm           # build (or find cached) helm; print its path
python -m tests.clusters.helm ARGS...   # run helm ARGS (`make lint` runs `lint deploy/chart`)
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HELM_MODULE = "helm.sh/helm/v4/cmd/helm@v4.3.2"
CHART = REPO / "deploy" / "chart"


@functools.cache
def helm_path() -> Path:
    """Return the helm binary's path, built by .ci/go-tool.sh the first time."""
    done = subprocess.run(
        ["bash", str(REPO / ".ci" / "go-tool.sh"), "helm", HELM_MODULE],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        timeout=3600,
    )
    return Path(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    """Print helm's path, or run helm with ``argv``; return its exit status."""
    if not argv:
        print(helm_path())
        return 0
    return subprocess.run([str(helm_path()), *argv], check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
