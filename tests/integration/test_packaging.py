"""kube-inspect as users install it: build, twine check, pip and uv installs, kubectl's plugin
and completion lookup, each run against the real test cluster and compared with kubectl."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kube_inspect import __version__
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
DEV_BIN = Path(sys.executable).parent
SCRIPTS = ("kube-inspect", "kubectl-inspect", "kubectl_complete-inspect")


def run(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    """Run a command that must succeed; return its stdout and stderr together."""
    result = subprocess.run(
        [str(a) for a in args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """Build the sdist, and the wheel from it, as `python -m build` does for a release."""
    out = tmp_path_factory.mktemp("dist")
    # setuptools writes build/ and the egg-info into the checkout: the two halves of
    # `make test` (tests/suite.py) take turns
    with open(Path(tempfile.gettempdir()) / "kube-inspect-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        run(sys.executable, "-m", "build", "--outdir", out, REPO)
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    return Dist(wheels[0], sdists[0])


@pytest.fixture(scope="module")
def pip_venv(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the bin directory of a fresh venv with the wheel pip-installed in it."""
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", venv)
    output = run(venv / "bin" / "python", "-m", "pip", "install", dist.wheel)
    assert "deprecat" not in output.lower(), output
    return venv / "bin"


@pytest.fixture(scope="module")
def uv_tool_bin(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Return the bin directory `uv tool install WHEEL` put kube-inspect's commands in."""
    home = tmp_path_factory.mktemp("uv")
    env = {
        **os.environ,
        "UV_TOOL_DIR": str(home / "tools"),
        "UV_TOOL_BIN_DIR": str(home / "bin"),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    run(DEV_BIN / "uv", "tool", "install", "--python", sys.executable, dist.wheel, env=env)
    yield home / "bin"
    run(DEV_BIN / "uv", "tool", "uninstall", "kube-inspect", env=env)


def user_env(cluster: TestCluster, *path: Path) -> dict[str, str]:
    """Return an environment with KUBECONFIG on the cluster and only PATH's named dirs."""
    return {
        "HOME": os.environ.get("HOME", "/root"),
        "KUBECONFIG": str(cluster.kubeconfig),
        "PATH": os.pathsep.join([*(str(p) for p in path), "/usr/bin", "/bin"]),
    }


PodRef = tuple[str, str]  # namespace, name


def kubectl_pods(cluster: TestCluster) -> list[PodRef]:
    items = json.loads(cluster.kubectl("get", "pods", "-A", "-o", "json"))["items"]
    return sorted((p["metadata"]["namespace"], p["metadata"]["name"]) for p in items)


def tree_pods(document: str) -> list[PodRef]:
    doc = json.loads(document)["cluster"]
    pods = [p for n in doc["nodes"] for p in n["pods"]] + doc["unscheduled"]
    return sorted((p["namespace"], p["name"]) for p in pods)


def assert_between(found: list[PodRef], before: list[PodRef], after: list[PodRef]) -> None:
    """Assert ``found`` holds each pod once: every pod both listings hold, none neither holds.

    kubectl lists before and after the read compared: a pod of an earlier test's
    namespace may still be going away (a real kubelet takes its grace period).
    """
    both, either = set(before) & set(after), set(before) | set(after)
    assert both  # the sample cluster has pods
    assert len(found) == len(set(found)), found
    assert both <= set(found) <= either, (either - both, found)


def assert_tree_matches_kubectl(command: Path, cluster: TestCluster, env: dict[str, str]) -> None:
    # a crash loop restarts, never renames; pods of other tests' namespaces may go away
    before = kubectl_pods(cluster)
    result = subprocess.run(
        [str(command), "tree", "-o", "json"], env=env, capture_output=True, text=True, timeout=120
    )
    after = kubectl_pods(cluster)
    assert result.returncode == 0, result.stderr
    assert_between(tree_pods(result.stdout), before, after)


def test_wheel_and_sdist_pass_twine_check(dist: Dist) -> None:
    output = run(DEV_BIN / "twine", "check", "--strict", dist.wheel, dist.sdist)
    assert output.count("PASSED") == 2, output


def test_wheel_carries_licence_types_schema_and_the_three_commands(dist: Dist) -> None:
    assert dist.wheel.name == f"kube_inspect-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = set(wheel.namelist())
        info = f"kube_inspect-{__version__}.dist-info"
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
        meta = wheel.read(f"{info}/METADATA").decode()
    assert {"kube_inspect/py.typed", "kube_inspect/schema/v1.json"} <= names
    assert f"{info}/licenses/LICENSE" in names
    assert "License-Expression: Apache-2.0" in meta
    # the test and lint tools are dependency groups; the extras are the MCP server's SDK
    # and the PostgreSQL journal's driver
    extras = [line for line in meta.splitlines() if line.startswith("Provides-Extra")]
    assert extras == ["Provides-Extra: mcp", "Provides-Extra: postgresql"]
    assert 'Requires-Dist: mcp>=2.3; extra == "mcp"' in meta
    assert 'Requires-Dist: psycopg[binary]>=3.1; extra == "postgresql"' in meta
    for script in SCRIPTS:
        # the two commands start at kube_inspect.launch (Ctrl-C while loading is quiet)
        module = "cli" if script.startswith("kubectl_complete") else "launch"
        assert f"\n{script} = kube_inspect.{module}:" in entry_points


def test_pip_installed_wheel_runs_tree_against_the_cluster(
    pip_venv: Path, cluster: TestCluster
) -> None:
    env = user_env(cluster, pip_venv)
    assert run(pip_venv / "kube-inspect", "--version", env=env).strip().endswith(__version__)
    assert all((pip_venv / s).exists() for s in SCRIPTS)
    assert_tree_matches_kubectl(pip_venv / "kube-inspect", cluster, env)


def test_uv_tool_installed_wheel_runs_tree_against_the_cluster(
    uv_tool_bin: Path, cluster: TestCluster
) -> None:
    env = user_env(cluster, uv_tool_bin)
    assert all((uv_tool_bin / s).exists() for s in SCRIPTS)
    assert_tree_matches_kubectl(uv_tool_bin / "kube-inspect", cluster, env)


@pytest.fixture
def kubectl_dir(cluster: TestCluster, tmp_path: Path) -> Path:
    """Return a directory holding only kubectl (the dev venv's bin has our scripts too)."""
    only = tmp_path / "kubectl-only"
    only.mkdir()
    (only / "kubectl").symlink_to(shutil.which(cluster.kubectl_bin) or cluster.kubectl_bin)
    return only


def test_kubectl_finds_the_plugin_and_runs_tree(
    pip_venv: Path, kubectl_dir: Path, cluster: TestCluster
) -> None:
    env = user_env(cluster, kubectl_dir, pip_venv)
    plugins = run("kubectl", "plugin", "list", "--name-only", env=env)
    assert "kubectl-inspect" in plugins.split()
    before = kubectl_pods(cluster)
    result = subprocess.run(
        ["kubectl", "inspect", "tree", "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    after = kubectl_pods(cluster)
    assert result.returncode == 0, result.stderr
    assert_between(tree_pods(result.stdout), before, after)


def kubectl_complete(env: dict[str, str], *words: str) -> list[str]:
    """Return what `kubectl __complete inspect WORDS...` offers (the shell scripts' call)."""
    result = subprocess.run(
        ["kubectl", "__complete", "inspect", *words],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


def test_kubectl_completes_inspect_commands_through_the_installed_script(
    pip_venv: Path, kubectl_dir: Path, cluster: TestCluster
) -> None:
    env = user_env(cluster, kubectl_dir, pip_venv)
    offered = kubectl_complete(env, "tr")
    assert offered[:2] == ["tree", ":4"]


def test_kubectl_completes_namespaces_read_from_the_cluster(
    pip_venv: Path, kubectl_dir: Path, cluster: TestCluster
) -> None:
    env = user_env(cluster, kubectl_dir, pip_venv)

    def listed() -> set[str]:
        names = cluster.kubectl("get", "namespaces", "-o", "name").split()
        return {n.removeprefix("namespace/") for n in names}

    # listed before and after: an earlier test's namespace may still be going away
    before = listed()
    offered = kubectl_complete(env, "pods", "-n", "")
    after = listed()
    names = offered[: offered.index(":4")]
    assert names == sorted(set(names))  # each once, in order
    assert before & after <= set(names) <= before | after, (before ^ after, names)
