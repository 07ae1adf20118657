"""In-cluster configuration, as kubectl (client-go's rest.InClusterConfig) reads it.

In a pod with no kubeconfig, the API server is ``KUBERNETES_SERVICE_HOST`` and
``KUBERNETES_SERVICE_PORT``, trusted through the service account's CA, and the requests
carry the service account's token, re-read as the kubelet rotates it (kube/credentials.py
re-reads a token file every minute). A kubeconfig, named or found, always wins.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from kube_inspect.errors import ConfigError
from kube_inspect.kube.connection import Connection, check_server
from kube_inspect.kube.identity import read_impersonation
from kube_inspect.kube.overrides import NO_OVERRIDES, ConnectionOverrides, overridden_user

SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
IN_CLUSTER_CONTEXT = "in-cluster"  # the context name kube-inspect reports for it


def in_cluster_connection(
    environ: Mapping[str, str],
    directory: str = SERVICE_ACCOUNT_DIR,
    overrides: ConnectionOverrides = NO_OVERRIDES,
) -> Connection | None:
    """Return the Connection of the pod's service account, or None outside a pod.

    Outside a pod means ``KUBERNETES_SERVICE_HOST`` or ``_PORT`` is unset. Inside one
    whose token is not mounted (``automountServiceAccountToken: false``), ConfigError.
    The namespace is the pod's own, where kubectl reads by default; kubectl's
    ``--server``, ``--token`` and ``--as...`` flags win as they do over a kubeconfig.
    """
    host = environ.get("KUBERNETES_SERVICE_HOST", "")
    port = environ.get("KUBERNETES_SERVICE_PORT", "")
    if not host or not port:
        return None
    token = os.path.join(directory, "token")
    if not os.path.exists(token):
        raise ConfigError(
            f"no kubeconfig, and this pod has no service account token at {token}: mount "
            "one (automountServiceAccountToken) or pass --kubeconfig"
        )
    check_server(overrides.server, IN_CLUSTER_CONTEXT, None)  # nothing to check without it
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    try:
        impersonation = read_impersonation(overridden_user({}, overrides))
    except ValueError as e:
        raise ConfigError(str(e)) from e
    return Connection(
        context=IN_CLUSTER_CONTEXT,
        server=(overrides.server or f"https://{host}:{port}").rstrip("/"),
        ca_file=overrides.certificate_authority or os.path.join(directory, "ca.crt"),
        insecure=overrides.insecure_skip_tls_verify,
        tls_server_name=overrides.tls_server_name,
        token=overrides.token,
        token_file=None if overrides.token else token,
        impersonation=impersonation,
        namespace=in_cluster_namespace(directory),
    )


def in_cluster_namespace(directory: str = SERVICE_ACCOUNT_DIR) -> str | None:
    """Return the pod's own namespace, as its service account mount names it."""
    try:
        with open(os.path.join(directory, "namespace"), encoding="utf-8") as f:
            return f.read().strip() or None
    except OSError:
        return None
