"""Whether requests ask for gzip: as client-go does, unless the kubeconfig or the server says no.

client-go (kubectl) sends ``Accept-Encoding: gzip`` on every request unless the cluster's
kubeconfig entry says ``disable-compression: true``. The API server gzips answers over
128 KiB: a LIST of 10,000 pods is 73.8 MB of JSON and 4.1 MB gzipped, so on any real link
gzip wins by far. On loopback the bytes cost nothing and the server's compressing and our
inflating share the same cores: there the default is plain JSON (figures in
docs/performance.md). ``KUBE_INSPECT_COMPRESSION=gzip|none`` overrides that default, for
benchmarks; ``disable-compression: true`` in the kubeconfig always wins.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from kube_inspect.errors import ConfigError

COMPRESSION_ENV = "KUBE_INSPECT_COMPRESSION"
Compression = Literal["gzip", "none"]


def on_loopback(server: str) -> bool:
    """Return True when ``server`` (a URL) names this machine: localhost or a loopback IP."""
    host = (urlsplit(server).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def asks_gzip(server: str, disabled: bool, environ: Mapping[str, str]) -> bool:
    """Return True when requests to ``server`` should ask for gzip.

    ``disabled`` is the kubeconfig's disable-compression. Raises ConfigError when
    $KUBE_INSPECT_COMPRESSION holds neither ``gzip`` nor ``none``.
    """
    if disabled:
        return False
    chosen = environ.get(COMPRESSION_ENV, "").strip().lower()
    if chosen == "gzip":
        return True
    if chosen == "none":
        return False
    if chosen:
        raise ConfigError(
            f"{COMPRESSION_ENV}={environ[COMPRESSION_ENV]!r} is neither gzip nor none: "
            "unset it for the default"
        )
    return not on_loopback(server)
