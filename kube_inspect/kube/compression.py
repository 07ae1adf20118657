"""Whether requests ask for gzip: as client-go does, unless the kubeconfig or the server says no.

client-go (kubectl) sends ``Accept-Encoding: gzip`` on every request unless the cluster's
kubeconfig entry says ``disable-compression: true``. The API server gzips answers over
128 KiB: a LIST of 10,000 pods is 73.8 MB of JSON and 4.1 MB gzipped, so on any real link
gzip wins by far. On loopback the bytes cost nothing and the server's compressing and our
inflating share the same cores: there the default is plain JSON (figures in
docs/performance.md). ``KUBE_INSPECT_COMPRESSION=gzip|none`` overrides that default, for
benchmarks; ``disable-compression: true`` in the kubeconfig always wins.

Gzipped answers are read as they came and inflated where they are decoded (GzipBody):
a streamed page waits for its turn at its wire size, not its inflated size.
"""

from __future__ import annotations

import ipaddress
import zlib
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from kube_inspect.errors import ConfigError

COMPRESSION_ENV = "KUBE_INSPECT_COMPRESSION"
Compression = Literal["gzip", "none"]
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around deflate
GZIP_MINIMUM = 18  # bytes: a 10-byte header and an 8-byte trailer (CRC, size)


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


class GzipBody(bytes):
    """An answer's body as it came, gzipped: inflated only where it is decoded.

    A page read ahead waits in the queue at its wire size (a page of 1,000 pods: 0.45 MB
    gzipped, 7 MB inflated), and is inflated in one buffer of its final size instead of
    urllib3's growing bytearray and its copy (twice the page, at the peak).
    """


class KeepsGzip:
    """A decoder that takes a gzipped answer as it came (a GzipBody), to inflate it later."""

    def __init__(self, decode: Callable[[bytes], Any]) -> None:
        """Wrap ``decode``, which must read a GzipBody as well as plain bytes."""
        self.decode = decode

    def __call__(self, body: bytes) -> Any:
        """Return what the wrapped decoder makes of ``body``."""
        return self.decode(body)


def inflate(body: bytes) -> bytes:
    """Return a gzipped body inflated (plain bytes are returned as they are).

    Raises ValueError when it is not valid gzip.
    """
    if not isinstance(body, GzipBody):
        return body
    # gzip's trailer ends with the inflated size (mod 4 GiB): given as the buffer's size,
    # zlib inflates into one buffer of that size. Without it, zlib gathers blocks and
    # joins them: 3.4x the page at the peak, and 3.5x the time (a 5.9 MB page: 20 MB, 29
    # ms against 6 MB, 8 ms). A wrong size (several members) only costs the growing.
    size = int.from_bytes(body[-4:], "little") if len(body) >= GZIP_MINIMUM else 0
    try:
        return zlib.decompress(body, GZIP_WBITS, max(size, zlib.DEF_BUF_SIZE))
    except zlib.error as e:
        raise ValueError(f"malformed gzip: {e}") from e


def inflated_head(body: bytes, size: int) -> bytes:
    """Return the first ``size`` bytes of a body, inflated if gzipped (for its metadata)."""
    if not isinstance(body, GzipBody):
        return body[:size]
    try:
        return zlib.decompressobj(wbits=GZIP_WBITS).decompress(body, size)
    except zlib.error as e:
        raise ValueError(f"malformed gzip: {e}") from e
