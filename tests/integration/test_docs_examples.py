"""The docs' live examples, run as shown against the live sample cluster.

The blocks of README.md and docs/*.md marked ``<!-- examples: live -->`` (tests/docs/
examples.py) hold commands that need a cluster: a snapshot, ``--watch``, several contexts,
``check --wait``, ``diff`` against the cluster now. Each runs here, in a directory holding
the files the docs name, with a kubeconfig whose contexts are the sample cluster's own and
``prod`` and ``staging`` (the same cluster, as the docs' several-cluster examples name
them), and must end with the exit code the docs show.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
from pathlib import Path

import pytest
import yaml

from tests.docs.examples import Example, all_examples, write_example_files
from tests.integration.cli_runner import KUBE_INSPECT, invoke
from tests.integration.conftest import TestCluster

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]

LIVE = [e for e in all_examples() if e.mode == "live"]
FIRST_FRAME = 120.0  # seconds to wait for the watch's first frame (not a speed figure)


@pytest.fixture(scope="module")
def docs_kubeconfig(cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a kubeconfig of the sample cluster with two more contexts: prod and staging."""
    config = yaml.safe_load(cluster.kubeconfig.read_text())
    current = next(c for c in config["contexts"] if c["name"] == config["current-context"])
    for name in ("prod", "staging"):
        config["contexts"].append({"name": name, "context": dict(current["context"])})
    path = tmp_path_factory.mktemp("docs-kubeconfig") / "config"
    path.write_text(yaml.safe_dump(config))
    return path


def accepted_codes(example: Example) -> set[int]:
    """Return the exit codes a live example may end with, as the docs describe it.

    ``diff`` and ``check --baseline`` against the cluster now say whether something
    changed since the file was written (0 or 1); the sample's crasher keeps restarting,
    so either is the command working as shown, unless the docs write ``# exit N``.
    """
    if "# exit" in example.shown:
        return {example.exit_code}
    if example.args[:1] == ("diff",) or "--baseline" in example.args:
        return {0, 1}
    return {example.exit_code}


def watch_until_first_frame(args: list[str], kubeconfig: Path, where: Path) -> tuple[int, str]:
    """Run a ``--watch`` command until its first frame, then Ctrl-C; return code and stdout."""
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["KUBECONFIG"] = str(kubeconfig)
    process = subprocess.Popen(
        [str(KUBE_INSPECT), *args],
        cwd=where,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    try:
        # each frame's rows stand behind a gutter of change marks: "  cluster ..."
        while not any(line.lstrip("+~ ").startswith("cluster ") for line in seen):
            line = lines.get(timeout=FIRST_FRAME)
            assert line is not None, "the watch ended before its first frame:\n" + "".join(seen)
            seen.append(line)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    return process.returncode, "".join(seen)


@pytest.mark.parametrize("example", LIVE, ids=lambda e: f"{e.where} {e.shown}")
def test_every_live_example_runs_as_shown(
    example: Example,
    cluster: TestCluster,
    docs_kubeconfig: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_example_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = list(example.args)
    if "--watch" in args or "-w" in args:
        code, printed = watch_until_first_frame(args, docs_kubeconfig, tmp_path)
    else:
        result = invoke(*args, kubeconfig=docs_kubeconfig)
        code, printed = result.returncode, result.stdout + result.stderr
    assert code in accepted_codes(example), (
        f"{example.where}: `{example.shown}` exited {code}:\n{printed}"
    )


def test_the_docs_show_live_examples_of_what_needs_a_cluster() -> None:
    shown = [" ".join(e.args) for e in LIVE]
    for needs_a_cluster in ("snapshot", "--watch", "--context prod,staging", "--wait"):
        assert any(needs_a_cluster in s for s in shown), needs_a_cluster
