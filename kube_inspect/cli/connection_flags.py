"""kubectl's connection flags (--as, --server, --token...), parsed once into ConnectionOverrides.

The same names, spellings and precedence as kubectl's (cli-runtime genericclioptions
ConfigFlags): a flag given wins over the kubeconfig context's value. In a fleet
(--all-contexts, several --context) the identity flags (--as, --as-group, --as-uid) and
--insecure-skip-tls-verify apply to every context, as one kubectl command per context
would take them; the flags that name one cluster's server, CA or credentials do not.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from kube_inspect.cli.completion import complete_file
from kube_inspect.errors import UsageError
from kube_inspect.kube.overrides import NO_OVERRIDES, ConnectionOverrides

# click parameter name -> kubectl's spelling
CONNECTION_FLAGS = {
    "as_user": "--as",
    "as_groups": "--as-group",
    "as_uid": "--as-uid",
    "user": "--user",
    "cluster_name": "--cluster",
    "server": "--server",
    "token": "--token",
    "certificate_authority": "--certificate-authority",
    "insecure_skip_tls_verify": "--insecure-skip-tls-verify",
    "tls_server_name": "--tls-server-name",
}
# the flags that name one cluster's server, CA or credentials: meaningless for a fleet
ONE_CLUSTER_FLAGS = (
    "user",
    "cluster_name",
    "server",
    "token",
    "certificate_authority",
    "tls_server_name",
)

CONNECTION_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--as",
        "as_user",
        metavar="USER",
        help="Username to impersonate for the requests (a user or a "
        "system:serviceaccount:NS:NAME), as kubectl --as.",
    ),
    click.option(
        "--as-group",
        "as_groups",
        multiple=True,
        metavar="GROUP",
        help="Group to impersonate (repeatable), as kubectl --as-group.",
    ),
    click.option("--as-uid", metavar="UID", help="UID to impersonate, as kubectl --as-uid."),
    click.option("--user", metavar="NAME", help="The kubeconfig user to use."),
    click.option(
        "--cluster", "cluster_name", metavar="NAME", help="The kubeconfig cluster to use."
    ),
    click.option(
        "-s", "--server", metavar="URL", help="The address and port of the Kubernetes API server."
    ),
    click.option(
        "--token", metavar="TOKEN", help="Bearer token for authentication to the API server."
    ),
    click.option(
        "--certificate-authority",
        metavar="PATH",
        shell_complete=complete_file,
        help="Path to a cert file for the certificate authority.",
    ),
    click.option(
        "--insecure-skip-tls-verify",
        is_flag=True,
        help="Do not check the server's certificate (insecure: HTTPS open to anyone between).",
    ),
    click.option(
        "--tls-server-name",
        metavar="NAME",
        help="Server name to use for server certificate validation.",
    ),
]


def given_connection_flags(p: dict[str, Any]) -> list[str]:
    """Return kubectl's spelling of each connection flag given, in CONNECTION_FLAGS order."""
    return [flag for name, flag in CONNECTION_FLAGS.items() if p[name] not in (None, "", False, ())]


def connection_overrides(p: dict[str, Any], fleet: bool) -> ConnectionOverrides:
    """Return the connection flags as ConnectionOverrides; UsageError when they conflict.

    ``fleet``: several contexts are read, which the one-cluster flags cannot all mean.
    """
    if fleet:
        for name in ONE_CLUSTER_FLAGS:
            if p[name] not in (None, ""):
                raise UsageError(
                    f"{CONNECTION_FLAGS[name]} names one cluster's connection: it does not "
                    "apply to several contexts (--all-contexts, several --context)"
                )
    if p["insecure_skip_tls_verify"] and p["certificate_authority"]:
        raise UsageError(
            "specifying a root certificates file with the insecure flag is not allowed: "
            "drop --certificate-authority or --insecure-skip-tls-verify"
        )
    authority = p["certificate_authority"]
    overrides = ConnectionOverrides(  # an empty value is no value, as in kubectl
        user=p["user"] or None,
        cluster=p["cluster_name"] or None,
        server=p["server"] or None,
        token=p["token"] or None,
        certificate_authority=os.path.abspath(os.path.expanduser(authority)) if authority else None,
        insecure_skip_tls_verify=p["insecure_skip_tls_verify"],
        tls_server_name=p["tls_server_name"] or None,
        impersonate=p["as_user"] or None,
        impersonate_uid=p["as_uid"] or None,
        impersonate_groups=tuple(g for g in p["as_groups"] if g),
    )
    return overrides if overrides.given else NO_OVERRIDES
