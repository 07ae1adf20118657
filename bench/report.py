"""The benchmark's outputs: a table with ratios, the targets checked, JSON and a PNG plot."""

from __future__ import annotations

import json
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
        "| command | wall s | spread s | CPU s | peak RSS MB | RSS spread "
        "| time vs kubectl -o wide | time vs wire floor | RSS vs kubectl -o wide |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, s in samples.items():
        lines.append(
            f"| {label} | {s['wall_median']:.2f} | {min(s['walls']):.2f}-{max(s['walls']):.2f} "
            f"| {_cpu(s)} "
            f"| {s['rss_median_mb']:.0f} | {min(s['rss_mb']):.0f}-{max(s['rss_mb']):.0f} "
            f"| {s['wall_median'] / wide['wall_median']:.2f}x "
            f"| {s['wall_median'] / floor:.2f}x "
            f"| {s['rss_median_mb'] / wide['rss_median_mb']:.2f}x |"
        )
    return "\n".join(lines)


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


def _cpu(sample: Mapping[str, Any]) -> str:
    cpu = sample.get("cpu_median")
    return "" if cpu is None else f"{cpu:.2f}"


def targets(points: Sequence[Mapping[str, Any]], at: int = 30_000, base: int = 3_000) -> str:
    """Return the issue's targets, each with its measured ratio and met/missed."""
    by_pods = {p["pods"]: p["samples"] for p in points}
    if at not in by_pods:
        return f"(no {at:,}-pod point: targets not checked)"
    s = by_pods[at]
    if TREE not in s or KUBECTL_WIDE not in s:
        return f"(kube-inspect tree or kubectl -o wide missing at {at:,}: targets not checked)"
    tree, wide = s[TREE], s[KUBECTL_WIDE]
    checks = [
        ("tree wall <= 1.3x wire floor", tree["wall_median"] / floor_wall(s), 1.3),
        ("tree wall <= 0.5x kubectl -o wide", tree["wall_median"] / wide["wall_median"], 0.5),
        ("tree RSS <= 0.5x kubectl -o wide", tree["rss_median_mb"] / wide["rss_median_mb"], 0.5),
    ]
    if base in by_pods:
        per_pod = (tree["wall_median"] / at) / (by_pods[base][TREE]["wall_median"] / base)
        checks.append((f"time per pod at {at:,} <= 1.2x at {base:,}", per_pod, 1.2))
    return "\n".join(
        f"- {name}: {value:.2f} -> {'met' if value <= limit else 'MISSED'}"
        for name, value, limit in checks
    )


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
    labels = list(ordered[-1]["samples"])
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
