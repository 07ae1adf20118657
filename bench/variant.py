"""`kube-inspect tree` with one part of the fast path changed, to measure what each buys.

Usage: python -m bench.variant NAME KUBECONFIG   (NAME: see VARIANTS)
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import msgspec

from kube_inspect import cli, client


def _gzip() -> None:
    original = client.KubeClient.from_kubeconfig.__func__  # type: ignore[attr-defined]

    def compressed(cls: Any, *args: Any) -> client.KubeClient:
        made: client.KubeClient = original(cls, *args)
        made.compress = True
        return made

    client.KubeClient.from_kubeconfig = classmethod(compressed)  # type: ignore[assignment]


def _gc_on() -> None:
    setattr(cli, "paused_gc", contextlib.nullcontext)  # noqa: B010


def _stdlib_json() -> None:
    setattr(client, "orjson", SimpleNamespace(loads=json.loads))  # noqa: B010


def _msgspec() -> None:
    setattr(client, "orjson", SimpleNamespace(loads=msgspec.json.decode))  # noqa: B010


class _Closing(list[Any]):
    def close(self) -> None:
        """Nothing to stop: the list is complete."""


def _sequential() -> None:
    """Read version, nodes, then pods, each a full list, then build (no read-ahead)."""

    def pods(self: client.KubeClient, namespace: str | None = None) -> _Closing:
        return _Closing(self.list_pods(namespace))

    def nodes(self: client.KubeClient) -> _Closing:
        return _Closing(self.list_nodes())

    client.KubeClient.stream_pods = pods  # type: ignore[assignment,method-assign]
    client.KubeClient.stream_nodes = nodes  # type: ignore[assignment,method-assign]


def _baseline() -> None:
    """Undo it all: sequential full lists, stdlib json, collector on (the path before)."""
    _sequential()
    _stdlib_json()
    _gc_on()


VARIANTS: dict[str, Callable[[], None]] = {
    "gzip": _gzip,
    "gc-on": _gc_on,
    "stdlib-json": _stdlib_json,
    "msgspec": _msgspec,
    "sequential": _sequential,
    "baseline": _baseline,
}


def main(name: str, kubeconfig: str) -> None:
    """Apply variant ``name`` and run `kube-inspect tree -q` on ``kubeconfig``."""
    VARIANTS[name]()
    sys.argv = ["kube-inspect", "tree", "-q", "--kubeconfig", kubeconfig]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
