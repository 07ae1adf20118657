"""The integration suite on the local backend, once per Kubernetes version (make test-matrix).

    python -m tests.clusters.matrix [--versions v1.35.4,v1.36.3,v1.37.2] [PYTEST ARGS...]

For each version, build.sh builds (or finds cached) that release's kube-apiserver,
kube-controller-manager and kube-scheduler (K8S_VERSION), timed; then pytest runs
tests/integration on a local cluster of that version (tests/integration/test_version.py
checks that the API server says so), timed, with a JUnit report. A table of the figures
ends the run (and is kept beside the reports); the exit status is non-zero if any version
failed. etcd, kwok and metrics-server stay at build.sh's versions for every release.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.clusters.local import BUILD_SCRIPT, REPO, cache_dir

# The newest patch of each of the three newest minor releases the Go module proxy serves
# (`go list -m -versions k8s.io/kubernetes`, pre-releases left out). The workflow's local
# and kind jobs test the same minors (tests/unit/test_packaging.py holds them together).
VERSIONS = ("v1.35.4", "v1.36.3", "v1.37.2")


@dataclass(frozen=True, slots=True)
class VersionRun:
    """What one version's build and suite gave."""

    version: str
    build_seconds: float
    suite_seconds: float
    passed: int
    failed: int
    errors: int
    skipped: int
    exit_code: int


def junit_counts(report: Path) -> tuple[int, int, int, int]:
    """Return (passed, failed, errors, skipped) from a pytest JUnit XML report."""
    if not report.exists():
        return 0, 0, 0, 0
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) for s in suites)
    errors = sum(int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - errors - skipped, failed, errors, skipped


def run_version(version: str, outdir: Path, pytest_args: list[str]) -> VersionRun:
    """Build one version's binaries, run the integration suite on it; return the figures."""
    env = {**os.environ, "K8S_VERSION": version, "KUBE_INSPECT_TEST_BACKEND": "local"}
    start = time.monotonic()
    subprocess.run(["bash", str(BUILD_SCRIPT)], env=env, check=True, stdout=subprocess.DEVNULL)
    build_seconds = time.monotonic() - start
    report = outdir / f"junit-{version}.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/integration",
        "--cluster-backend=local",
        f"--junitxml={report}",
        *pytest_args,
    ]
    print(f"== {version}: {' '.join(command[1:])}", flush=True)
    start = time.monotonic()
    exit_code = subprocess.run(command, env=env, cwd=REPO, check=False).returncode
    suite_seconds = time.monotonic() - start
    return VersionRun(
        version, build_seconds, suite_seconds, *junit_counts(report), exit_code=exit_code
    )


def summary(runs: list[VersionRun]) -> str:
    """Return the figures as a Markdown table, a row per version."""
    lines = [
        "| Kubernetes | build (s) | passed | failed | errors | skipped | suite (s) | exit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.version} | {r.build_seconds:.0f} | {r.passed} | {r.failed} | {r.errors} "
        f"| {r.skipped} | {r.suite_seconds:.0f} | {r.exit_code} |"
        for r in runs
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the matrix; return 0 when every version's suite passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", default=",".join(VERSIONS))
    args, pytest_args = parser.parse_known_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    outdir = cache_dir() / "matrix" / stamp
    outdir.mkdir(parents=True, exist_ok=True)
    runs = []
    for version in args.versions.split(","):
        runs.append(run_version(version, outdir, pytest_args))
        print(summary(runs), flush=True)
    table = summary(runs)
    (outdir / "summary.md").write_text(table + "\n")
    print(f"\n{table}\n\nreports: {outdir}")
    return 0 if all(r.exit_code == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
