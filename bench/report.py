"""The benchmark's outputs: a table with ratios, the targets checked, JSON and a PNG plot."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

NAN = float("nan")
TREE = "kube-inspect tree"
KUBECTL_WIDE = "kubectl get pods -A -o wide"
FLOORS = ("curl unpaged (nodes + pods)", "curl pages of 500 (nodes + pods)")


def floor_wall(samples: Mapping[str, Mapping[str, Any]]) -> float:
    """Return the wire floor: the faster of the curl medians (NaN when none ran)."""
    return min((float(samples[f]["wall_median"]) for f in FLOORS if f in samples), default=NAN)


def table(point: Mapping[str, Any]) -> str:
    """Return the Markdown table of one pod count: medians, spread, ratios."""
    samples = point["samples"]
    floor = floor_wall(samples)
    missing = {"wall_median": NAN, "rss_median_mb": NAN, "walls": [NAN]}
    wide = samples.get(KUBECTL_WIDE, missing)  # skipped in the stretch
    lines = [
        f"{point['pods']:,} pods ({point.get('running', 0):,} Running) on {point['nodes']:,} nodes "
        f"(median of {max(len(s['walls']) for s in samples.values())}; spread = min-max)",
        "",
        "| command | wall s | spread s | CPU s | server CPU s | peak RSS MB | RSS spread "
        "| time vs kubectl -o wide | time vs wire floor | RSS vs kubectl -o wide |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, s in samples.items():
        lines.append(
            f"| {label} | {s['wall_median']:.2f} | {min(s['walls']):.2f}-{max(s['walls']):.2f} "
            f"| {_cpu(s)} | {_cpu(s, 'server_cpu_median')} "
            f"| {s['rss_median_mb']:.0f} | {min(s['rss_mb']):.0f}-{max(s['rss_mb']):.0f} "
            f"| {_times(s['wall_median'], wide['wall_median'])} "
            f"| {s['wall_median'] / floor:.2f}x "
            f"| {_times(s['rss_median_mb'], wide['rss_median_mb'])} |"
        )
    size = point.get("snapshot_gzip_mb")
    if size is not None:
        lines += ["", f"snapshot file (gzip): {size:.2f} MB ({snapshot_verdict(point)})"]
    return "\n".join(lines)


def _times(value: float, reference: float) -> str:
    """Return value / reference as "1.23x", or "-" when the reference was not measured."""
    return "-" if math.isnan(reference) else f"{value / reference:.2f}x"


# Issue 15's target: the gzipped snapshot file at 30,000 pods, in MB of 10^6 bytes.
SNAPSHOT_PODS = 30_000
SNAPSHOT_MAX_MB = 10.0


def snapshot_verdict(point: Mapping[str, Any]) -> str:
    """Return the snapshot file's size against issue 15's target, when the point is for it."""
    size = point.get("snapshot_gzip_mb")
    target = f"target <= {SNAPSHOT_MAX_MB:g} MB at {SNAPSHOT_PODS:,} pods"
    if size is None or abs(point["pods"] - SNAPSHOT_PODS) > 0.1 * SNAPSHOT_PODS:
        return target
    return f"{target}: {'met' if size <= SNAPSHOT_MAX_MB else 'MISSED'}"


def compared(point: Mapping[str, Any], before: str = "before: ") -> str:
    """Return after/before ratios of the commands also run from another checkout, if any."""
    samples = point["samples"]
    floor = floor_wall(samples)
    wall = {label: float(s["wall_median"]) for label, s in samples.items()}
    pairs = [(label[len(before) :], label) for label in samples if label.startswith(before)]
    lines = [
        f"| {new} | {wall[new] / wall[old]:.2f}x "
        f"| {_ratio(samples[new], samples[old], 'cpu_median')} "
        f"| {samples[new]['rss_median_mb'] / samples[old]['rss_median_mb']:.2f}x "
        f"| {wall[old] / floor:.2f}x | {wall[new] / floor:.2f}x |"
        for new, old in pairs
        if new in samples
    ]
    if not lines:
        return ""
    head = [
        "",
        "",
        "After / before (medians of the same rounds):",
        "",
        "| command | wall after/before | CPU after/before | RSS after/before "
        "| before vs wire floor | after vs wire floor |",
        "|---|---|---|---|---|---|",
    ]
    return "\n".join(head + lines)


def _ratio(new: Mapping[str, Any], old: Mapping[str, Any], key: str) -> str:
    if new.get(key) is None or not old.get(key):
        return ""
    return f"{new[key] / old[key]:.2f}x"


def _cpu(sample: Mapping[str, Any], key: str = "cpu_median") -> str:
    cpu = sample.get(key)
    return "" if cpu is None else f"{cpu:.2f}"


# Issue 13's targets: (pods, what, measured command, reference, limit). A reference is a
# command label, JSON_FLOOR (the faster curl of JSON) or RSS_MB (a bound in MB).
JSON_FLOOR = "JSON wire floor"
PROTOBUF_FLOOR = "curl protobuf unpaged (nodes + pods)"
RSS_MB = "peak RSS MB"
TREE_JSON = "kube-inspect tree -o json"
TARGETS: tuple[tuple[int, str, str, float], ...] = (
    (3_000, TREE, JSON_FLOOR, 1.3),
    (30_000, TREE, JSON_FLOOR, 0.8),
    (30_000, TREE, PROTOBUF_FLOOR, 1.2),
    (30_000, TREE_JSON, JSON_FLOOR, 1.0),
    (30_000, TREE, RSS_MB, 150),
    (150_000, TREE, JSON_FLOOR, 0.8),
    (150_000, TREE, RSS_MB, 400),
)
# Issue 13: at 150,000 pods, the whole table in one run.
WHOLE_TABLE_PODS = 150_000
WHOLE_TABLE = (TREE, TREE_JSON, KUBECTL_WIDE, FLOORS[0], PROTOBUF_FLOOR)


def targets(points: Sequence[Mapping[str, Any]], slack: float = 0.1) -> str:
    """Return issue 13's targets and issue 15's snapshot size, each with met/missed.

    A point counts for a target's pod count when within ``slack`` of it (a seeded
    cluster holds a few pods more or less than asked for).
    """
    lines = []
    for pods, label, reference, limit in TARGETS:
        point = _point_at(points, pods, slack)
        what = f"{pods:,} pods: {label} <= " + (
            f"{limit:g} MB" if reference == RSS_MB else f"{limit:g}x {reference}"
        )
        value = None if point is None else _target_value(point["samples"], label, reference)
        if value is None:
            lines.append(f"- {what}: not measured")
        else:
            verdict = "met" if value <= limit else "MISSED"
            unit = " MB" if reference == RSS_MB else "x"
            bound = "" if reference == RSS_MB or not point else _cpu_bound(point, label, reference)
            lines.append(f"- {what}: {value:.2f}{unit} -> {verdict}{bound}")
    point = _point_at(points, WHOLE_TABLE_PODS, slack)
    what = f"{WHOLE_TABLE_PODS:,} pods: every figure of the table measured"
    if point is None:
        lines.append(f"- {what}: not measured")
    else:
        missing = [label for label in WHOLE_TABLE if label not in point["samples"]]
        verdict = f"MISSED (no {', '.join(missing)})" if missing else "met"
        lines.append(f"- {what}: {verdict}")
    point = _point_at(points, SNAPSHOT_PODS, slack)
    what = f"{SNAPSHOT_PODS:,} pods: snapshot file (gzip) <= {SNAPSHOT_MAX_MB:g} MB"
    size = None if point is None else point.get("snapshot_gzip_mb")
    if size is None:
        lines.append(f"- {what}: not measured")
    else:
        verdict = "met" if size <= SNAPSHOT_MAX_MB else "MISSED"
        lines.append(f"- {what}: {size:.2f} MB -> {verdict}")
    return "\n".join(lines)


def _cpu_bound(point: Mapping[str, Any], label: str, reference: str) -> str:
    """Return what the CPU allows, as ratios to the reference.

    The command and the cluster share this machine's cores: no run can be shorter than
    the CPU seconds both spend on it spread over every core; and a command that is mostly
    one Python thread takes about its own CPU seconds at least.
    """
    sample = point["samples"][label]
    cpu, server = sample.get("cpu_median"), sample.get("server_cpu_median")
    ratio = _target_value(point["samples"], label, reference)
    if cpu is None or server is None or not ratio:
        return ""
    cores = point.get("cores") or 1
    base = float(sample["wall_median"]) / ratio
    return (
        f" (its CPU {cpu:.2f} s = {cpu / base:.2f}x; with the server's {server:.2f} s over "
        f"{cores} cores: no run under {(cpu + server) / cores / base:.2f}x)"
    )


def _point_at(
    points: Sequence[Mapping[str, Any]], pods: int, slack: float
) -> Mapping[str, Any] | None:
    """Return the point within ``slack`` (a fraction) of ``pods``, if any."""
    return next((p for p in points if abs(p["pods"] - pods) <= slack * pods), None)


def _target_value(
    samples: Mapping[str, Mapping[str, Any]], label: str, reference: str
) -> float | None:
    if label not in samples:
        return None
    if reference == RSS_MB:
        return float(samples[label]["rss_median_mb"])
    if reference == JSON_FLOOR:
        base = floor_wall(samples)
    elif reference in samples:
        base = float(samples[reference]["wall_median"])
    else:
        return None
    return None if base != base else float(samples[label]["wall_median"]) / base  # NaN


def write_json(points: Sequence[Mapping[str, Any]], path: Path) -> None:
    """Write every point's runs and medians."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"points": list(points)}, indent=1) + "\n")


def plot(points: Sequence[Mapping[str, Any]], path: Path) -> None:
    """Draw time and peak RSS against pod count, one line per command."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = sorted(points, key=lambda p: p["pods"])
    labels = list(dict.fromkeys(label for p in ordered for label in p["samples"]))
    fig, (ax_time, ax_rss) = plt.subplots(1, 2, figsize=(13, 5))
    for label in labels:
        have = [p for p in ordered if label in p["samples"]]
        xs = [p["pods"] for p in have]
        style = "--" if label.startswith("variant") else "-"
        walls = [p["samples"][label]["wall_median"] for p in have]
        rss = [p["samples"][label]["rss_median_mb"] for p in have]
        ax_time.plot(xs, walls, linestyle=style, marker="o", label=label)
        ax_rss.plot(xs, rss, linestyle=style, marker="o", label=label)
    for ax, title in ((ax_time, "wall time (s, median)"), (ax_rss, "peak RSS (MB, median)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("pods")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    ax_time.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
