"""kube-inspect's image (the Dockerfile at the root), built here with nothing pulled.

No registry answers on the test machines, so the Dockerfile's BASE is built from
Debian's packages: a minbase debootstrap with python3 and its venv module (cached by
suite and package list), imported into Docker. The wheels (kube-inspect's, built from
this checkout, and its dependencies' from the package index) are the build context.

    python -m tests.clusters.image      # build it through the Docker engine DOCKER_HOST names
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.clusters.local import cache_dir

REPO = Path(__file__).resolve().parents[2]
DEBIAN_SUITE = "bookworm"
PACKAGES = "python3,python3-venv,ca-certificates"
BASE_TAG = "localhost/kube-inspect-base:bookworm-python3"
IMAGE_TAG = "localhost/kube-inspect:test"


def _run(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    done = subprocess.run(
        [str(a) for a in args], env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def base_rootfs() -> Path:
    """Return the tarball of the base's root filesystem, debootstrapped once and cached."""
    key = hashlib.sha256(f"{DEBIAN_SUITE} {PACKAGES}".encode()).hexdigest()[:12]
    tarball = cache_dir() / "image-rootfs" / f"{DEBIAN_SUITE}-{key}.tar"
    if tarball.exists():
        return tarball
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "rootfs"
        _run(
            "debootstrap", "--variant=minbase", f"--include={PACKAGES}", DEBIAN_SUITE, root,
            "http://deb.debian.org/debian",
        )  # fmt: skip
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for item in (root / cache).glob("*"):
                if item.is_file():
                    item.unlink()
        _run("tar", "-C", root, "-cf", f"{tarball}.partial", ".")
    Path(f"{tarball}.partial").rename(tarball)
    return tarball


def wheels(into: Path) -> None:
    """Write kube-inspect's wheel, built from this checkout, and its dependencies' into ``into``."""
    # setuptools writes build/ into the checkout: the two halves of `make test` take turns
    with open(Path(tempfile.gettempdir()) / "kube-inspect-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _run(sys.executable, "-m", "build", "--wheel", "--outdir", into, REPO)
    (wheel,) = into.glob("kube_inspect-*.whl")
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", into, wheel)


def build_image(env: dict[str, str]) -> str:
    """Build the image through the Docker engine of ``env``; return its tag."""
    have = subprocess.run(
        ["docker", "image", "inspect", BASE_TAG], env=env, capture_output=True, check=False
    )
    if have.returncode != 0:
        with open(base_rootfs(), "rb") as tar:
            subprocess.run(
                ["docker", "import", "-", BASE_TAG], stdin=tar, env=env, check=True,
                capture_output=True, timeout=600,
            )  # fmt: skip
    with tempfile.TemporaryDirectory() as context:
        wheels(Path(context) / "wheels")
        shutil.copy(REPO / "Dockerfile", Path(context) / "Dockerfile")
        # the classic builder uses a local FROM image as it is; BuildKit would look it up
        _run(
            "docker", "build", "--quiet", "--build-arg", f"BASE={BASE_TAG}", "-t", IMAGE_TAG,
            context, env={**env, "DOCKER_BUILDKIT": "0"},
        )  # fmt: skip
    return IMAGE_TAG


if __name__ == "__main__":
    import os

    print(build_image(dict(os.environ)))
