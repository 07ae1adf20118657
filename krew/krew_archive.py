"""Build the archive krew installs (kubectl-inspect launcher + LICENSE), byte for byte.

    python -m krew.krew_archive dist/     # writes the .tar.gz, prints its sha256

The archive is reproducible (fixed order, owner, mode and time; gzip without a name or
time), so ``krew/inspect.yaml`` can carry its sha256 and a test can check it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAUNCHER = REPO / "krew" / "krew" / "kubectl-inspect"
MEMBERS = ((LAUNCHER, "kubectl-inspect", 0o755), (REPO / "LICENSE", "LICENSE", 0o644))


def archive_name(version: str) -> str:
    """Return the archive's file name for a release, as the manifest's uri names it."""
    return f"kubectl-inspect-krew-v{version}.tar.gz"


def archive_bytes() -> bytes:
    """Return the .tar.gz krew downloads: the same bytes on every machine."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, name, mode in MEMBERS:
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, 0
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def main(outdir: str) -> None:
    """Write the archive into OUTDIR and print its path and sha256."""
    from kube_inspect import __version__

    data = archive_bytes()
    path = Path(outdir) / archive_name(__version__)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"{path} sha256:{hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dist")
