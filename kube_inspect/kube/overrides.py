"""kubectl's connection flags, laid over a kubeconfig context as kubectl lays them.

``--user`` and ``--cluster`` pick other entries of the kubeconfig; the rest replace one
field each of the context's user or cluster when given (client-go
tools/clientcmd/client_config.go, ``getAuthInfo`` and ``getCluster``): ``--server``
also drops the kubeconfig's ``tls-server-name`` (it names the old server), and
``--certificate-authority`` or ``--insecure-skip-tls-verify`` replace the kubeconfig's
whole choice of CA (file, data and insecure). The flags apply to every context a
command reads, as kubectl applies them to the one it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INSECURE = "insecure-skip-tls-verify"
CA_FILE = "certificate-authority"
CA_DATA = "certificate-authority-data"
TLS_SERVER_NAME = "tls-server-name"


@dataclass(frozen=True, slots=True)
class ConnectionOverrides:
    """kubectl's connection flags as given; None (or empty) where a flag was not given."""

    user: str | None = None  # --user: the users[] entry to use instead of the context's
    cluster: str | None = None  # --cluster: the clusters[] entry
    server: str | None = None  # --server / -s
    token: str | None = field(default=None, repr=False)  # --token
    certificate_authority: str | None = None  # --certificate-authority: an absolute path
    insecure_skip_tls_verify: bool = False  # --insecure-skip-tls-verify
    tls_server_name: str | None = None  # --tls-server-name
    impersonate: str | None = None  # --as
    impersonate_uid: str | None = None  # --as-uid
    impersonate_groups: tuple[str, ...] = ()  # --as-group, repeated

    @property
    def given(self) -> bool:
        """Return True when any flag was given (the kubeconfig alone decides otherwise)."""
        return self != NO_OVERRIDES


NO_OVERRIDES = ConnectionOverrides()


def overridden_user(user: dict[str, Any], overrides: ConnectionOverrides) -> dict[str, Any]:
    """Return a kubeconfig user entry with the flags' values in place of its own."""
    fields = dict(user)
    for key, value in (
        ("token", overrides.token),
        ("as", overrides.impersonate),
        ("as-uid", overrides.impersonate_uid),
        ("as-groups", list(overrides.impersonate_groups) or None),
    ):
        if value:
            fields[key] = value
    return fields


def overridden_cluster(cluster: dict[str, Any], overrides: ConnectionOverrides) -> dict[str, Any]:
    """Return a kubeconfig cluster entry with the flags' values in place of its own."""
    fields = dict(cluster)
    if overrides.server:
        fields["server"] = overrides.server
    if overrides.insecure_skip_tls_verify or overrides.certificate_authority:
        fields[INSECURE] = overrides.insecure_skip_tls_verify
        fields.pop(CA_DATA, None)
        fields.pop(CA_FILE, None)
        if overrides.certificate_authority:
            fields[CA_FILE] = overrides.certificate_authority
    if overrides.tls_server_name or overrides.server:
        fields.pop(TLS_SERVER_NAME, None)
        if overrides.tls_server_name:
            fields[TLS_SERVER_NAME] = overrides.tls_server_name
    return fields
