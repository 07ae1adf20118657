"""Users of the local backend allowed only some reads: real RBAC, real client certificates.

kwokctl issues each user a kubeconfig (a client certificate, in a group of its own: never
system:masters); the test binds the user to what it may read with kubectl.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.integration.conftest import TestCluster


def issue_user(cluster: TestCluster, user: str, into: Path) -> Path:
    """Write a kubeconfig for ``user`` (in a group of its own: never system:masters)."""
    assert cluster.local is not None, "kwokctl issues the users of the local backend"
    kubeconfig = cluster.local._kwokctl(
        "get", "kubeconfig", "--user", user, "--group", f"{user}-group"
    ).stdout
    into.write_text(kubeconfig)
    return into


@contextmanager
def reader_of(cluster: TestCluster, user: str, resources: str, into: Path) -> Iterator[Path]:
    """Yield the kubeconfig of ``user``, who may get, list and watch ``resources`` only.

    ``resources`` is kubectl's comma-separated list (``pods,deployments.apps``), bound
    in every namespace (a ClusterRole and its ClusterRoleBinding, both named ``user``);
    both are deleted after the block.
    """
    cluster.kubectl(
        "create", "clusterrole", user, "--verb=get,list,watch", f"--resource={resources}"
    )
    try:
        cluster.kubectl(
            "create", "clusterrolebinding", user, f"--clusterrole={user}", f"--user={user}"
        )
        yield issue_user(cluster, user, into)
    finally:
        cluster.kubectl("delete", "clusterrolebinding,clusterrole", user, "--ignore-not-found")
