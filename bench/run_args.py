"""The flags of `python -m bench.run` (bench/run.py): which points, how, and against what."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import fleet, link_run, links


def bench_parser(description: str) -> argparse.ArgumentParser:
    """Return the parser of bench/run.py's flags."""
    parser = argparse.ArgumentParser(description=description)
    _point_arguments(parser)
    _comparison_arguments(parser)
    return parser


def _point_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags that say which points are seeded and measured, and how often."""
    parser.add_argument("--points", default="3000,10000,30000", help="pod counts, growing")
    parser.add_argument("--nodes", type=int, help="nodes to seed (default 1,000; --fleet: 100)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--stretch-above",
        type=int,
        default=30000,
        help="points above this: --stretch-runs runs, no variants, bounded wait for Running",
    )
    parser.add_argument("--stretch-runs", type=int, default=5)
    parser.add_argument(
        "--stretch-wait", type=float, default=2400, help="seconds to wait for Running pods"
    )
    parser.add_argument(
        "--measure-when",
        type=Path,
        metavar="FILE",
        help="seed each point, then wait until FILE exists before measuring (a quiet machine)",
    )
    parser.add_argument(
        "--server-memory-limit",
        metavar="SIZE",
        help="GOMEMLIMIT of the cluster's components, e.g. 10GiB (Go's soft limit: the API "
        "server collects garbage sooner rather than take the memory a 150,000-pod run needs)",
    )


def _comparison_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags that say which cluster, which code and which links are compared."""
    parser.add_argument("--kubeconfig", type=Path, help="measure this cluster as it is")
    parser.add_argument("--name", default="bench", help="results file stem")
    parser.add_argument(
        "--adopt",
        metavar="CLUSTER",
        help="grow this bench cluster (left by a killed run) from --start pods, and own it",
    )
    parser.add_argument("--start", type=int, default=0, help="pods the adopted cluster has")
    parser.add_argument("--previous", type=Path, help="results JSON whose points to keep")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated command labels (prefixes) to leave out; with --profiles, "
        "whole command names, e.g. 'curl JSON floor,before: kube-inspect tree'",
    )
    parser.add_argument(
        "--compare-with",
        type=Path,
        metavar="DIR",
        help="a checkout of other code: time its tree and tree -o json in the same rounds",
    )
    parser.add_argument(
        "--fleet",
        action="store_true",
        help="the fleet point instead: 6 clusters of 1,000-3,000 pods (bench/fleet.py)",
    )
    parser.add_argument(
        "--fleet-sizes",
        default=fleet.DEFAULT_PODS,
        metavar="PODS,PODS,...",
        help="with --fleet: one cluster per pod count (default %(default)s)",
    )
    parser.add_argument(
        "--profiles",
        metavar="NAME,NAME,...",
        help="link profiles instead of the loopback comparison: all, or some of "
        + ",".join(p.name for p in links.PROFILES),
    )
    parser.add_argument(
        "--extras",
        default="",
        help="with --profiles: compression (KUBE_INSPECT_COMPRESSION=gzip/none), protobuf",
    )
    parser.add_argument(
        "--slow",
        default="40,3",
        metavar="SECONDS,RUNS",
        help="a command whose median is above SECONDS stops after RUNS runs (default %(default)s)",
    )
    parser.add_argument(
        "--keep-cluster", action="store_true", help="leave the cluster running, for --adopt"
    )


def link_settings(args: argparse.Namespace) -> link_run.LinkSettings:
    """Return the link bench's settings from the flags (--profiles, --extras, --slow...)."""
    seconds, runs = args.slow.split(",")
    return link_run.LinkSettings(
        links.parse_profiles(args.profiles),
        links.parse_extras(args.extras),
        args.runs,
        (float(seconds), int(runs)),
        args.compare_with,
        tuple(filter(None, args.skip.split(","))),
    )
