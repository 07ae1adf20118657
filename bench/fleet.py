"""The fleet point of `make bench`: many local clusters read at once, against each alone.

    python -m bench.run --fleet                                   # 6 clusters, 1,000-3,000 pods
    python -m bench.run --fleet --fleet-sizes 100,150,200 --nodes 10 --runs 3  # a smoke run
    python -m bench.fleet --pods 200,200,200 --nodes 20 --runs 3  # the same, directly

Starts one local cluster per pod count, seeds each, merges their kubeconfigs into one
file of N contexts, then times, interleaved, `kube-inspect tree --all-contexts` and
`kube-inspect tree --context C` for each cluster alone. The targets: the fleet's wall
time at most 1.3x the slowest single tree's (the clusters are read at the same time),
its peak RSS at most the sum of the singles'.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import yaml

from bench.measure import Command, measure
from bench.seed import seed
from tests.clusters.kubeconfigs import merge
from tests.clusters.local import LocalCluster, build_binaries

RESULTS = Path(__file__).resolve().parent / "results"
FLEET = "kube-inspect tree --all-contexts"
DEFAULT_PODS = "1000,1400,1800,2200,2600,3000"
MAX_TIME_RATIO = 1.3


def log(message: str) -> None:
    """Print a timestamped progress line."""
    print(time.strftime("%H:%M:%S"), message, flush=True)


def fleet_commands(kubeconfig: Path, contexts: list[str]) -> list[Command]:
    """Return the fleet's tree and each cluster's own tree, all from the merged kubeconfig."""
    tree = f"{Path(sys.executable).parent}/kube-inspect tree -q --kubeconfig "
    tree += shlex.quote(str(kubeconfig))
    singles = [
        Command(f"kube-inspect tree --context {c}", f"{tree} --context {c}") for c in contexts
    ]
    return [Command(FLEET, f"{tree} --all-contexts"), *singles]


def summary(samples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return the fleet's time against the slowest single, its RSS against their sum."""
    singles = {k: v for k, v in samples.items() if k != FLEET}
    slowest = max(float(s["wall_median"]) for s in singles.values())
    rss_sum = sum(float(s["rss_median_mb"]) for s in singles.values())
    fleet = samples[FLEET]
    return {
        "fleet_wall": fleet["wall_median"],
        "slowest_single_wall": slowest,
        "sum_of_single_walls": sum(float(s["wall_median"]) for s in singles.values()),
        "time_ratio": fleet["wall_median"] / slowest,
        "fleet_rss_mb": fleet["rss_median_mb"],
        "sum_of_single_rss_mb": rss_sum,
        "rss_ratio": fleet["rss_median_mb"] / rss_sum,
    }


def table(point: dict[str, Any]) -> str:
    """Return the Markdown table of the fleet point, and its targets."""
    lines = [
        f"fleet of {len(point['clusters'])} clusters ({', '.join(f'{p:,}' for p in point['pods'])}"
        f" pods; median of {point['runs']})",
        "",
        "| command | wall s | spread s | peak RSS MB |",
        "|---|---|---|---|",
    ]
    for label, s in point["samples"].items():
        lines.append(
            f"| {label} | {s['wall_median']:.2f} | {min(s['walls']):.2f}-{max(s['walls']):.2f} "
            f"| {s['rss_median_mb']:.0f} |"
        )
    t = point["summary"]
    time_ok = "met" if t["time_ratio"] <= MAX_TIME_RATIO else "MISSED"  # as report.targets
    rss_ok = "met" if t["rss_ratio"] <= 1 else "MISSED"
    lines += [
        "",
        f"- fleet {t['fleet_wall']:.2f} s vs slowest single {t['slowest_single_wall']:.2f} s: "
        f"{t['time_ratio']:.2f}x (target <= {MAX_TIME_RATIO}x: {time_ok}); "
        f"the singles one after another: {t['sum_of_single_walls']:.2f} s",
        f"- fleet peak RSS {t['fleet_rss_mb']:.0f} MB vs the singles' sum "
        f"{t['sum_of_single_rss_mb']:.0f} MB: {t['rss_ratio']:.2f}x (target <= 1x: {rss_ok})",
    ]
    return "\n".join(lines)


def run_fleet(pods: list[int], nodes: int, runs: int, name: str) -> dict[str, Any]:
    """Start, seed and measure the fleet; stop every cluster; return the point."""
    suffix = uuid.uuid4().hex[:6]
    clusters = [
        LocalCluster(
            f"ki-fleet-{suffix}-{i}", build_binaries(), disable_qps_limits=True, audit=False
        )
        for i in range(len(pods))
    ]
    try:
        for cluster, count in zip(clusters, pods, strict=True):
            log(f"starting {cluster.name} and seeding it to {count:,} pods on {nodes} nodes")
            seed(cluster.start(), nodes, count, log=log)
        contexts = [f"c{i}-{count}" for i, count in enumerate(pods)]
        texts = [c.kubeconfig.read_text() for c in clusters]
        kubeconfig = RESULTS / f"{name}.kubeconfig"
        kubeconfig.write_text(yaml.safe_dump(merge(dict(zip(contexts, texts, strict=True)))))
        try:
            samples = measure(fleet_commands(kubeconfig, contexts), runs, log=log)
        finally:
            kubeconfig.unlink()
    finally:
        for cluster in clusters:
            cluster.stop()
    by_label = {s.label: s.to_json() for s in samples}
    return {
        "clusters": contexts,
        "pods": pods,
        "nodes": nodes,
        "runs": runs,
        "samples": by_label,
        "summary": summary(by_label),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the fleet point the flags describe; write bench/results/NAME.json and .md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pods",
        "--fleet-sizes",
        dest="pods",
        default=DEFAULT_PODS,
        help="one cluster per pod count: their number is the fleet's size",
    )
    parser.add_argument("--nodes", type=int, default=100, help="nodes in each cluster")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--name", default="fleet", help="results file stem")
    args = parser.parse_args(argv)
    pods = [int(p) for p in args.pods.split(",")]
    point = run_fleet(pods, args.nodes, args.runs, args.name)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(point, indent=2) + "\n")
    text = table(point)
    (RESULTS / f"{args.name}.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
