"""Pipes, closed streams and full disks, through a real process on the real cluster.

A CI gate must not lie: a stdout that fails never turns a failure into a success, and
files asked for are written whatever happens to stdout.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.integration.cli_runner import KUBE_INSPECT, run
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

EXIT_OUTPUT = 5


def environment(kubeconfig: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["KUBECONFIG"] = str(kubeconfig)
    return env


def into_gone_reader(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run kube-inspect with stdout a pipe whose reader has already gone (as `| true` does)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [str(KUBE_INSPECT), *args],
            env=environment(kubeconfig),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)


def in_shell(kubeconfig: Path, redirect: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run kube-inspect under bash with a redirection such as ``>&-`` or ``2>&-``."""
    script = f'exec "$0" "$@" {redirect}'
    return subprocess.run(
        ["bash", "-c", script, str(KUBE_INSPECT), *args],
        env=environment(kubeconfig),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_into_a_gone_reader_still_fails_and_writes_junit(
    cluster: TestCluster, tmp_path: Path
) -> None:
    alone = run("check", kubeconfig=cluster.kubeconfig)
    assert alone.returncode == 1, alone.stderr  # the sample cluster has failing pods
    junit = tmp_path / "report.xml"
    piped = into_gone_reader(cluster.kubeconfig, "check", "--junit", str(junit))
    assert piped.returncode == 1, piped.stderr
    assert "Traceback" not in piped.stderr
    assert piped.stderr.splitlines()[-1] == "error: cannot write output: broken pipe"
    assert "<testsuite" in junit.read_text()


def test_passing_check_into_a_gone_reader_is_the_output_exit_code(cluster: TestCluster) -> None:
    piped = into_gone_reader(cluster.kubeconfig, "check", "--rule", "node-pressure")
    assert run("check", "--rule", "node-pressure", kubeconfig=cluster.kubeconfig).returncode == 0
    assert piped.returncode == EXIT_OUTPUT, piped.stderr
    assert piped.stderr == "error: cannot write output: broken pipe\n"


def first_node(cluster: TestCluster) -> str:
    """Return the name of the cluster's first node, as the API server lists them."""
    return cluster.kubectl("get", "nodes", "-o", "name").split()[0].removeprefix("node/")


def test_tree_with_stderr_closed_still_prints_the_tree(cluster: TestCluster) -> None:
    result = in_shell(cluster.kubeconfig, "2>&-", "tree")
    assert result.returncode == 0
    assert result.stdout.startswith("cluster ")
    assert f"node/{first_node(cluster)}" in result.stdout


def test_tree_with_stdout_closed_is_one_line_and_the_output_code(cluster: TestCluster) -> None:
    result = in_shell(cluster.kubeconfig, ">&-", "tree")
    assert result.returncode == EXIT_OUTPUT
    assert result.stderr == "error: cannot write output: stdout is closed\n"


@pytest.mark.parametrize("output", ["tree", "json", "html"])
def test_tree_into_a_full_disk_is_one_line_and_the_output_code(
    cluster: TestCluster, output: str
) -> None:
    assert os.path.exists("/dev/full"), "the full-disk case needs Linux's /dev/full"
    result = in_shell(cluster.kubeconfig, ">/dev/full", "tree", "-o", output)
    assert result.returncode == EXIT_OUTPUT
    assert result.stderr == "error: cannot write output: no space left on device\n"


def test_failing_check_into_a_full_disk_keeps_exit_1_and_the_junit_file(
    cluster: TestCluster, tmp_path: Path
) -> None:
    junit = tmp_path / "report.xml"
    result = in_shell(cluster.kubeconfig, ">/dev/full", "check", "--junit", str(junit))
    assert result.returncode == 1, result.stderr
    assert "no space left on device" in result.stderr
    assert "<testsuite" in junit.read_text()


def test_tree_under_a_non_utf8_locale_draws_in_ascii(cluster: TestCluster) -> None:
    env = {**environment(cluster.kubeconfig), "LC_ALL": "C", "PYTHONUTF8": "0"}
    env["PYTHONCOERCECLOCALE"] = "0"
    for output in ("tree", "html"):
        result = subprocess.run(
            [str(KUBE_INSPECT), "tree", "-o", output],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        result.stdout.decode("ascii")  # nothing but ASCII reached the C locale
    tree = subprocess.run(
        [str(KUBE_INSPECT), "tree"], env=env, capture_output=True, text=True, timeout=120
    )
    assert f"|-- node/{first_node(cluster)}" in tree.stdout
