"""`make test`'s pytest run: where both backends run, their halves run at once.

    python -m tests.suite [PYTEST ARGS...]

Each backend's integration tests use their own throwaway cluster and spend much of their
time waiting on it (a kubelet restarting a container, a pod being scheduled, a cluster
starting), so on two cores the kind half and the local half overlap well. Where both
backends run (``--cluster-backend`` auto or both, and a Docker engine answers or can be
started here), this starts two pytest processes: ``kind`` (the integration tests on kind)
and ``local`` (the unit tests, then the integration tests on the local backend), and
prints every line of each as it comes, prefixed by its half. Each half's cluster is
started, checked and stopped by its own fixture, as in a one-process run. The exit status
is the first half's that failed, else 0. Ctrl-C, a CI cancel and `timeout` signal the
whole process group, so each half gets the signal once, stops its clusters and exits;
this process waits for them (it does not signal them again).

Otherwise (no engine, or one backend named, or test paths given) it is one plain pytest
run with the arguments given, as `make test` was before.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType
from typing import TextIO

from tests.clusters.docker_engine import can_start_engine


@dataclass(frozen=True, slots=True)
class Half:
    """One pytest process of a split run: its name (the line prefix) and its arguments."""

    name: str
    args: tuple[str, ...]


def halves(args: Sequence[str], engine: bool, environ: dict[str, str]) -> list[Half]:
    """Return the pytest processes to run for ``args``: two where both backends run, else one.

    A run is split only when it is the whole suite on both backends: no ``--cluster-backend``
    other than auto/both (flag or KUBE_INSPECT_TEST_BACKEND), no test paths named.
    """
    named = _backend_named(args) or environ.get("KUBE_INSPECT_TEST_BACKEND", "auto")
    paths = [a for a in args if not a.startswith("-") and os.path.exists(a.split("::")[0])]
    both = named == "both" or (named == "auto" and engine)
    if not both or paths:
        return [Half("pytest", tuple(args))]
    rest = tuple(_without_backend(args))
    return [
        # the kind half keeps pytest's cache out of the local half's way
        Half(
            "kind", ("tests/integration", "--cluster-backend=kind", "-p", "no:cacheprovider", *rest)
        ),
        Half("local", ("tests/unit", "tests/integration", "--cluster-backend=local", *rest)),
    ]


def _backend_named(args: Sequence[str]) -> str | None:
    for i, arg in enumerate(args):
        if arg.startswith("--cluster-backend="):
            return arg.split("=", 1)[1]
        if arg == "--cluster-backend" and i + 1 < len(args):
            return args[i + 1]
    return None


def _without_backend(args: Sequence[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--cluster-backend":
            skip = True
        elif not arg.startswith("--cluster-backend="):
            kept.append(arg)
    return kept


#: how many of a failed half's failure lines are repeated after both halves end
FAILURE_LINES = 40


def failure_lines(lines: Sequence[str]) -> list[str]:
    """Return what names a half's failures: its FAILED/ERROR lines and its summary lines.

    Both halves' lines are interleaved as they come, so a CI log that keeps only its tail
    would show the half that ended last; these lines are printed again at the very end.
    """
    kept: list[str] = []
    in_summary = False
    for line in lines:
        text = line.rstrip("\n")
        if "short test summary info" in text:
            in_summary = True
        if (
            in_summary
            or text.startswith(("FAILED ", "ERROR "))
            or text.endswith((" FAILED", " ERROR"))
            or " FAILED [" in text
            or " ERROR [" in text
        ):
            kept.append(text)
    return list(dict.fromkeys(kept))[-FAILURE_LINES:]


def _relay(prefix: str, stream: TextIO, lock: threading.Lock, kept: list[str]) -> None:
    for line in stream:
        kept.append(line)
        with lock:
            sys.stdout.write(f"{prefix}{line}")
            sys.stdout.flush()


def run_halves(parts: list[Half]) -> int:
    """Run the halves at once, relaying their lines; return the first failing exit status."""
    width = max(len(p.name) for p in parts)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    lock = threading.Lock()
    started = time.monotonic()
    procs: list[subprocess.Popen[str]] = []
    relays: list[threading.Thread] = []
    outputs: list[list[str]] = [[] for _ in parts]
    for part, kept in zip(parts, outputs, strict=True):
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", *part.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        procs.append(proc)
        assert proc.stdout is not None
        relay = threading.Thread(
            target=_relay, args=(f"{part.name:<{width}} | ", proc.stdout, lock, kept), daemon=True
        )
        relay.start()
        relays.append(relay)

    def wait_for_halves(signum: int, _frame: FrameType | None) -> None:
        # Ctrl-C, a CI cancel and `timeout` signal the whole process group: each half has
        # its own signal already, and a second one could cut its clusters' teardown short
        with lock:
            sys.stdout.write(f"{signal.Signals(signum).name}: waiting for both halves to stop\n")
            sys.stdout.flush()

    signal.signal(signal.SIGINT, wait_for_halves)
    signal.signal(signal.SIGTERM, wait_for_halves)
    codes = [proc.wait() for proc in procs]
    for relay in relays:
        relay.join()
    elapsed = time.monotonic() - started
    for part, code, kept in zip(parts, codes, outputs, strict=True):
        if code != 0:
            print(f"--- {part.name}: what failed ---")
            for text in failure_lines(kept) or [t.rstrip("\n") for t in kept[-FAILURE_LINES:]]:
                print(f"{part.name} | {text}")
    for part, code in zip(parts, codes, strict=True):
        print(f"{part.name}: pytest exited {code}")
    print(f"both halves done in {elapsed:.0f} s (at once)")
    return next((code for code in codes if code != 0), 0)


def main(argv: list[str]) -> int:
    """Run the suite as `make test` does (see the module's docstring)."""
    environ = dict(os.environ)
    named = _backend_named(argv) or environ.get("KUBE_INSPECT_TEST_BACKEND", "auto")
    engine = named in ("auto", "both") and can_start_engine()
    parts = halves(argv, engine, environ)
    if len(parts) == 1:
        return subprocess.call([sys.executable, "-m", "pytest", *parts[0].args])
    return run_halves(parts)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
