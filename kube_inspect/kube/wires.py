"""The encodings kube-inspect may ask the API server for (``--wire``), and their Accept headers."""

from __future__ import annotations

JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
# json: JSON only; protobuf: protobuf only (a kind the server cannot encode so fails with
# 406); auto: protobuf, with JSON as the fallback for APIs that do not serve it
# (aggregated APIs such as metrics.k8s.io, custom resources)
WIRES = ("auto", "json", "protobuf")
ACCEPT = {"auto": f"{PROTOBUF}, {JSON}", "json": JSON, "protobuf": PROTOBUF}
