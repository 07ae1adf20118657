"""`make bench-startup`: start-up and a small cluster, kube-inspect against kubectl (hyperfine).

    python -m bench.startup [--kubeconfig PATH] [--runs 10] [--compare-with CHECKOUT]
                            [--interleaved]

Times, with hyperfine in one run (medians, each command ``--runs`` times after warm-up):
`kube-inspect --help`, two completion requests (a command name, and a fixed choice) and
`kubectl --help`; then `kube-inspect tree` (on either wire) and `kubectl get pods -A -o
wide` on the sample cluster (started here, and stopped, unless --kubeconfig names one).
Prints the ratios with issue 13's targets, met or missed; writes
bench/results/startup.json (hyperfine's own export). With --interleaved, each round runs
every command once instead (bench/measure.py: load drift on a shared machine hits all
commands alike), and CPU time (user + system) is reported beside wall time.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
HELP, KUBECTL_HELP = "kube-inspect --help", "kubectl --help"
COMPLETE_NAME, COMPLETE_CHOICE = "complete 'kube-inspect tr'", "complete 'kube-inspect tree -o '"
TREE, TREE_OTHER_WIRE = "kube-inspect tree", "kube-inspect tree --wire protobuf"
KUBECTL_WIDE = "kubectl get pods -A -o wide"
# (what, reference, limit): issue 13's targets on the 15-pod sample cluster
TARGETS = (
    (HELP, KUBECTL_HELP, 3.0),
    (COMPLETE_NAME, KUBECTL_HELP, 3.0),
    (COMPLETE_CHOICE, KUBECTL_HELP, 3.0),
    (TREE, KUBECTL_WIDE, 2.0),
)


def _completion(words: str) -> str:
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    return (
        f"env _KUBE_INSPECT_COMPLETE=bash_complete COMP_WORDS={shlex.quote(words)} "
        f"COMP_CWORD={cword} {BIN}/kube-inspect"
    )


def commands(kubeconfig: Path, kubectl: str, before: Path | None) -> dict[str, str]:
    """Return the commands timed, by label (hyperfine runs each without a shell)."""
    kc = shlex.quote(str(kubeconfig))
    timed = {
        HELP: f"{BIN}/kube-inspect --help",
        COMPLETE_NAME: _completion("kube-inspect tr"),
        COMPLETE_CHOICE: _completion("kube-inspect tree -o "),
        KUBECTL_HELP: f"{kubectl} --help",
        TREE: f"{BIN}/kube-inspect tree -q --kubeconfig {kc}",
        TREE_OTHER_WIRE: f"{BIN}/kube-inspect tree -q --wire protobuf --kubeconfig {kc}",
        KUBECTL_WIDE: f"{kubectl} get pods -A -o wide --kubeconfig {kc}",
    }
    if before is not None:  # another checkout's code, run by this interpreter
        entry = (
            "import sys; from kube_inspect.cli import main; sys.argv[0] = 'kube-inspect'; main()"
        )
        # -P: not this checkout (the working directory) ahead of PYTHONPATH
        path = shlex.quote(str(before))
        run = f"env PYTHONPATH={path} {sys.executable} -P -c {shlex.quote(entry)}"
        timed["before: " + HELP] = f"{run} --help"
        timed["before: " + TREE] = f"{run} tree -q --kubeconfig {kc}"
        words = "kube-inspect tree -o "
        timed["before: " + COMPLETE_CHOICE] = (
            f"env _KUBE_INSPECT_COMPLETE=bash_complete COMP_WORDS={shlex.quote(words)} "
            f"COMP_CWORD=3 PYTHONPATH={path} {sys.executable} -P -c {shlex.quote(entry)}"
        )
    return timed


def hyperfine(timed: dict[str, str], runs: int, out: Path) -> dict[str, float]:
    """Run hyperfine on every command; return each one's median seconds."""
    args = ["hyperfine", "-N", "--warmup", "2", "--runs", str(runs), "--export-json", str(out)]
    args += ["--style", "basic"]
    for label, shell in timed.items():
        args += ["--command-name", label, shell]
    subprocess.run(args, check=True, cwd=BENCH.parent)
    results = json.loads(out.read_text())["results"]
    return {r["command"]: float(r["median"]) for r in results}


def report(medians: dict[str, float], cpus: dict[str, float] | None = None) -> str:
    """Return the medians, the ratios and the targets met or missed (wall; CPU if given)."""
    if cpus is None:
        lines = ["| command | median ms |", "|---|---|"]
        lines += [f"| {label} | {seconds * 1000:.0f} |" for label, seconds in medians.items()]
    else:
        lines = ["| command | wall ms | CPU ms |", "|---|---|---|"]
        lines += [
            f"| {label} | {seconds * 1000:.0f} | {cpus[label] * 1000:.0f} |"
            for label, seconds in medians.items()
        ]
    lines += ["", "Targets (15-pod sample cluster):"]
    for what, reference, limit in TARGETS:
        ratio = medians[what] / medians[reference]
        verdict = "met" if ratio <= limit else "MISSED"
        cpu = f" (CPU {cpus[what] / cpus[reference]:.2f}x)" if cpus else ""
        lines.append(f"- {what} <= {limit:g}x {reference}: {ratio:.2f}x{cpu} -> {verdict}")
    return "\n".join(lines)


def interleaved(timed: dict[str, str], runs: int) -> tuple[dict[str, float], dict[str, float]]:
    """Run every command once a round, ``runs`` rounds; return wall and CPU medians."""
    from bench.measure import Command, measure

    samples = measure([Command(label, shell) for label, shell in timed.items()], runs)
    walls = {s.label: s.wall for s in samples}
    cpus = {s.label: statistics.median(s.cpus) for s in samples}
    return walls, cpus


def main() -> int:
    """Time the commands on a sample cluster and print the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", type=Path, help="a running sample cluster to use")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--compare-with", type=Path, help="a checkout of other code")
    parser.add_argument(
        "--interleaved", action="store_true", help="interleaved rounds, wall and CPU time"
    )
    args = parser.parse_args()
    from bench.measure import compile_package
    from tests.clusters.local import LocalCluster, build_binaries, kubectl_path
    from tests.clusters.sample import apply_sample, wait_settled

    cluster = None
    kubeconfig = args.kubeconfig
    if kubeconfig is None:
        cluster = LocalCluster(f"ki-startup-{uuid.uuid4().hex[:8]}", build_binaries())
        kubeconfig = cluster.start()
        apply_sample(cluster.kubectl, simulated_nodes=True)
        wait_settled(cluster.kubectl)
    try:
        RESULTS.mkdir(exist_ok=True)
        timed = commands(kubeconfig, kubectl_path(), args.compare_with)
        for checkout in (None, args.compare_with):
            compile_package(checkout)
        cpus = None
        if args.interleaved:
            medians, cpus = interleaved(timed, args.runs)
        else:
            medians = hyperfine(timed, args.runs, RESULTS / "startup.json")
    finally:
        if cluster is not None:
            cluster.stop()
    text = report(medians, cpus)
    (RESULTS / "startup.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
