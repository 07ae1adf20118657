"""The link profiles' tables: one summary row per profile, then every command's medians."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.links import (
    BEFORE,
    GZIP_FLOOR,
    JSON_FLOOR,
    KUBECTL,
    PROFILES,
    TREE,
    TREE_GZIP,
    TREE_JSON,
    TREE_JSON_GZIP,
    TREE_NONE,
    TREE_PROTOBUF_GZIP,
)

NAN = float("nan")
SERVER_COLUMNS = (TREE, KUBECTL, JSON_FLOOR, GZIP_FLOOR)
Samples = Mapping[str, Mapping[str, Any]]


def _wall(samples: Samples, profile: str, command: str) -> float:
    sample = samples.get(f"{profile}: {command}")
    return NAN if sample is None else float(sample["wall_median"])


def _cpu(samples: Samples, profile: str, command: str, key: str = "cpu_median") -> str:
    sample = samples.get(f"{profile}: {command}")
    value = None if sample is None else sample.get(key)
    return "-" if value is None else f"{value:.2f}"


def _ratio(value: float, reference: float) -> str:
    if math.isnan(value) or math.isnan(reference) or not reference:
        return "-"
    return f"{value / reference:.2f}x"


def _seconds(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def profiles_in(point: Mapping[str, Any]) -> list[str]:
    """Return the names of the profiles measured at a point, in PROFILES' order."""
    names = {label.split(": ", 1)[0] for label in point["samples"]}
    return [p.name for p in PROFILES if p.name in names]


def summary(point: Mapping[str, Any]) -> str:
    """Return one row per profile: tree and tree -o json against kubectl and the floors."""
    samples = point["samples"]
    titles = {p.name: p.title for p in PROFILES}
    runs = max(len(s["walls"]) for s in samples.values())
    lines = [
        f"{point['pods']:,} pods ({point.get('running', 0):,} Running) on {point['nodes']:,} "
        f"nodes; medians of up to {runs} shuffled rounds; code {point['code']['after']['commit']}",
        "",
        "| link | tree s | tree / kubectl | tree / gzip floor | tree -o json s "
        "| -o json / gzip floor | kubectl -o wide s | JSON floor s | gzip floor s "
        "| CPU s: tree / kubectl | API server CPU s: tree / kubectl / JSON floor / gzip floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in profiles_in(point):
        tree, as_json = _wall(samples, name, TREE), _wall(samples, name, TREE_JSON)
        kubectl, gzip = _wall(samples, name, KUBECTL), _wall(samples, name, GZIP_FLOOR)
        lines.append(
            f"| {titles[name]} | {_seconds(tree)} | {_ratio(tree, kubectl)} "
            f"| {_ratio(tree, gzip)} | {_seconds(as_json)} | {_ratio(as_json, gzip)} "
            f"| {_seconds(kubectl)} | {_seconds(_wall(samples, name, JSON_FLOOR))} "
            f"| {_seconds(gzip)} | {_cpu(samples, name, TREE)} / {_cpu(samples, name, KUBECTL)} "
            f"| {' / '.join(_cpu(samples, name, c, 'server_cpu_median') for c in SERVER_COLUMNS)} |"
        )
    return "\n".join(lines)


def details(point: Mapping[str, Any]) -> str:
    """Return every command of every profile: medians, spread, CPU, server CPU, ratios."""
    samples = point["samples"]
    lines = [
        "| link: command | wall s | spread s | runs | CPU s | API server CPU s | peak RSS MB "
        "| vs kubectl -o wide | vs gzip floor | vs JSON floor |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in profiles_in(point):
        kubectl, gzip = _wall(samples, name, KUBECTL), _wall(samples, name, GZIP_FLOOR)
        floor = _wall(samples, name, JSON_FLOOR)
        for label, s in samples.items():
            if not label.startswith(f"{name}: "):
                continue
            wall = float(s["wall_median"])
            server = s.get("server_cpu_median")
            lines.append(
                f"| {label} | {wall:.2f} | {min(s['walls']):.2f}-{max(s['walls']):.2f} "
                f"| {len(s['walls'])} | {s['cpu_median']:.2f} "
                f"| {'' if server is None else f'{server:.2f}'} | {s['rss_median_mb']:.0f} "
                f"| {_ratio(wall, kubectl)} | {_ratio(wall, gzip)} | {_ratio(wall, floor)} |"
            )
    return "\n".join(lines)


def compression(point: Mapping[str, Any]) -> str:
    """Return tree with gzip, without, and on protobuf, against the code before, per link."""
    samples = point["samples"]
    rows = []
    for name in profiles_in(point):
        gzip, none = _wall(samples, name, TREE_GZIP), _wall(samples, name, TREE_NONE)
        protobuf = _wall(samples, name, TREE_PROTOBUF_GZIP)
        before = _wall(samples, name, BEFORE + TREE)
        if math.isnan(gzip) and math.isnan(protobuf):
            continue
        rows.append(
            f"| {name} | {_seconds(before)} | {_seconds(none)} | {_seconds(gzip)} "
            f"| {_ratio(gzip, none)} | {_seconds(_wall(samples, name, TREE_JSON_GZIP))} "
            f"| {_seconds(protobuf)} | {_ratio(protobuf, gzip)} "
            f"| {_ratio(gzip, _wall(samples, name, GZIP_FLOOR))} |"
        )
    if not rows:
        return ""
    head = [
        "",
        "",
        "Compression and wire (KUBE_INSPECT_COMPRESSION forced; protobuf with gzip):",
        "",
        "| link | tree before s | tree, none s | tree, gzip s | gzip / none "
        "| -o json, gzip s | protobuf+gzip s | protobuf+gzip / JSON+gzip | gzip / gzip floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    return "\n".join(head + rows)


def report(points: Sequence[Mapping[str, Any]]) -> str:
    """Return the whole Markdown report of a link run."""
    parts = [summary(p) + "\n\n" + details(p) + compression(p) for p in points]
    return "\n\n".join(parts)


def main(argv: Sequence[str]) -> int:
    """Print the report of a link run's JSON (bench/results/NAME.json)."""
    print(report(json.loads(Path(argv[0]).read_text())["points"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
