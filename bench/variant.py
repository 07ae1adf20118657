"""`kube-inspect tree` with one part of the fast path changed, to measure what each buys.

Usage: python -m bench.variant NAME KUBECONFIG   (NAME: see VARIANTS)
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from typing import Any

import orjson

from kube_inspect.cli import main as kube_inspect_main
from kube_inspect.cli import process
from kube_inspect.kube import client, paging
from kube_inspect.kube.decode import decode_json, decode_object_list


def _gzip() -> None:
    original = client.KubeClient.from_kubeconfig.__func__  # type: ignore[attr-defined]

    def compressed(cls: Any, *args: Any) -> client.KubeClient:
        made: client.KubeClient = original(cls, *args)
        made.compress = True
        return made

    client.KubeClient.from_kubeconfig = classmethod(compressed)  # type: ignore[assignment]


def _gc_on() -> None:
    # the one pause, around the whole one-shot command (read and draw)
    setattr(process, "paused_gc", contextlib.nullcontext)  # noqa: B010


def _parse_with(loads: Callable[[bytes], Any]) -> None:
    """Parse the pages of nodes and pods with ``loads``."""

    def pods(body: bytes, **_: Any) -> Any:
        return loads(body)

    def nodes(self: client.KubeClient, label_selector: str | None = None) -> Any:
        return self.stream("/api/v1/nodes", "nodes", client.selectors(label_selector, None), loads)

    # stream_pods looks this name up at each call: replacing it changes how pages are parsed
    setattr(client, "decode_pod_list", pods)  # noqa: B010
    client.KubeClient.stream_nodes = nodes  # type: ignore[method-assign]


def _stdlib_json() -> None:
    _parse_with(json.loads)


def _orjson() -> None:
    _parse_with(orjson.loads)


def _full_objects() -> None:
    """Parse with msgspec, as the fast path does, but keep everything, managedFields too."""
    _parse_with(decode_json)


def _whole_pods() -> None:
    """Keep every field of a pod but managedFields, not only those the aggregator reads."""

    def whole(body: bytes, **_: Any) -> Any:
        return decode_object_list(body)

    setattr(client, "decode_pod_list", whole)  # noqa: B010


class _Closing(list[Any]):
    def close(self) -> None:
        """Nothing to stop: the list is complete."""


def _sequential(loads: Callable[[bytes], Any] | None = None) -> None:
    """Read version, nodes, then pods, each a full list, then build (no read-ahead)."""

    def pods(
        self: client.KubeClient,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        with_volumes: bool = True,
    ) -> _Closing:
        path = "/api/v1/pods" if namespace is None else f"/api/v1/namespaces/{namespace}/pods"
        query = client.selectors(label_selector, field_selector)
        return _Closing(self.paged(path, query, loads or decode_object_list))

    def nodes(self: client.KubeClient, label_selector: str | None = None) -> _Closing:
        query = client.selectors(label_selector, None)
        return _Closing(self.paged("/api/v1/nodes", query, loads or decode_object_list))

    client.KubeClient.stream_pods = pods  # type: ignore[assignment,method-assign]
    client.KubeClient.stream_nodes = nodes  # type: ignore[assignment,method-assign]


def _baseline() -> None:
    """Undo it all: sequential full lists, stdlib json, collector on (the path before)."""
    _sequential(json.loads)
    _gc_on()


def _pages_of_500() -> None:
    """Stream in pages of 500, as kubectl does, instead of STREAM_PAGE_SIZE."""
    setattr(paging, "STREAM_PAGE_SIZE", 500)  # noqa: B010


VARIANTS: dict[str, Callable[[], None]] = {
    "gzip": _gzip,
    "gc-on": _gc_on,
    "stdlib-json": _stdlib_json,
    "orjson": _orjson,
    "full-objects": _full_objects,
    "whole-pods": _whole_pods,
    "sequential": _sequential,
    "baseline": _baseline,
    "pages-500": _pages_of_500,
}


def main(name: str, kubeconfig: str) -> None:
    """Apply variant ``name`` and run `kube-inspect tree -q` on ``kubeconfig``."""
    VARIANTS[name]()
    sys.argv = ["kube-inspect", "tree", "-q", "--kubeconfig", kubeconfig]
    kube_inspect_main()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
