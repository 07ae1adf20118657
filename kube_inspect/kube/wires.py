"""The encodings kube-inspect may ask the API server for (``--wire``), and their Accept headers."""

from __future__ import annotations

JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
# json: JSON only; protobuf: protobuf only (a kind the server cannot encode so fails with
# 406); auto: JSON, and once a LIST's first page says more than
# AUTO_PROTOBUF_ABOVE items remain, protobuf for the rest, with JSON as the fallback for
# APIs that do not serve it (aggregated APIs such as metrics.k8s.io, custom resources).
# Why by size (docs/performance.md, "Issue 13, last round"): encoding protobuf costs the
# API server about half what JSON does, and on a big list the server is what the read
# waits on; but decoding it costs kube-inspect 1.3x the CPU, and on a small list nothing
# is gained. Not the default (json) yet: the bench has not shown auto faster.
WIRES = ("auto", "json", "protobuf")
ACCEPT = {"auto": f"{PROTOBUF}, {JSON}", "json": JSON, "protobuf": PROTOBUF}
AUTO_PROTOBUF_ABOVE = 10_000
