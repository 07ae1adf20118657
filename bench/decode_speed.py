"""In-process decode time of a pod page, JSON (msgspec, narrow) against protobuf (upb, narrow).

    python -m bench.decode_speed [--pods 30000] [--page 1000] [--runs 5]

Both encodings are the same real pods (tests/fixtures/recorded/protobuf/, recorded from
the local sample cluster at one resourceVersion), repeated to ``--pods`` and cut into
pages of ``--page`` as the API server would send them. Prints the median of ``--runs``
for each decoder, the bytes on the wire and the ratio. No network, no cluster.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kube_inspect.kube import protobuf
from kube_inspect.kube.decode import decode_pod_list

RECORDED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "recorded" / "protobuf"


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if byte < 0x80:
            return value, at
        shift += 7


def protobuf_items(body: bytes) -> tuple[bytes, list[bytes]]:
    """Return a protobuf PodList's fields before its items, and each item with its tag."""
    raw = protobuf.unwrap(body)
    head, items, at = b"", [], 0
    while at < len(raw):
        start = at
        tag, at = _varint(raw, at)
        length, at = _varint(raw, at)  # every PodList field is length-delimited
        at += length
        if tag >> 3 == 2:
            items.append(raw[start:at])
        else:
            head += raw[start:at]
    return head, items


def _envelope(raw: bytes) -> bytes:
    schema = protobuf._schema()
    unknown = schema.Unknown(raw=raw, contentType="application/vnd.kubernetes.protobuf")
    unknown.typeMeta.apiVersion, unknown.typeMeta.kind = "v1", "PodList"
    return protobuf.MAGIC + bytes(unknown.SerializeToString())


def pages(pods: int, page: int) -> tuple[list[bytes], list[bytes]]:
    """Return the JSON pages and the protobuf pages of ``pods`` pods."""
    whole = json.loads((RECORDED / "pods.json").read_bytes())
    items = whole["items"]
    head, pb_items = protobuf_items((RECORDED / "pods.pb").read_bytes())
    json_pages, pb_pages = [], []
    for first in range(0, pods, page):
        count = min(page, pods - first)
        chosen = [items[(first + i) % len(items)] for i in range(count)]
        doc = {"kind": "PodList", "apiVersion": "v1", "metadata": whole["metadata"]}
        doc["items"] = chosen
        json_pages.append(json.dumps(doc, separators=(",", ":")).encode())
        pb_raw = head + b"".join(pb_items[(first + i) % len(pb_items)] for i in range(count))
        pb_pages.append(_envelope(pb_raw))
    return json_pages, pb_pages


def timed(decode: Callable[[bytes], Any], bodies: list[bytes], runs: int) -> float:
    """Return the median seconds of decoding every page, over ``runs`` runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for body in bodies:
            decode(body)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print the decode times of both encodings and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=30_000)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    json_pages, pb_pages = pages(args.pods, args.page)
    megabytes = sum(map(len, json_pages)) / 1e6, sum(map(len, pb_pages)) / 1e6
    print(f"{args.pods} pods in pages of {args.page}: JSON {megabytes[0]:.1f} MB, ", end="")
    print(f"protobuf {megabytes[1]:.1f} MB")
    gc.disable()  # as kube-inspect runs (kube_inspect.gcpause)
    for with_volumes in (True, False):
        decode = functools.partial(decode_pod_list, with_volumes=with_volumes)
        js = timed(decode, json_pages, args.runs)
        pb = timed(decode, pb_pages, args.runs)
        label = "with volumes" if with_volumes else "lean (tree)"
        print(f"{label}: JSON {js:.3f} s, protobuf {pb:.3f} s, protobuf/JSON {pb / js:.2f}")


if __name__ == "__main__":
    main()
