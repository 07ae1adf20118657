"""What a kubeconfig context says about reaching its API server, read as kubectl reads it.

The files of ``--kubeconfig`` or ``$KUBECONFIG`` are merged as kubectl merges them: the
first file to define a cluster, user or context (by name) or the current-context wins,
and a relative path is resolved against the directory of the file that names it. The
result is a ``Connection``, all kube-inspect's own transport needs (kube/transport.py).

What this reader does not know (a user's ``auth-provider``: oidc, gcp, azure; any other
user field it does not recognise; a SOCKS proxy without PySocks) makes ``read_connection``
return None: the caller then loads the context through the kubernetes package, as
kube-inspect always did (kube/kubernetes_fallback.py load_configuration).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from kube_inspect.errors import ConfigError
from kube_inspect.kube.identity import Impersonation, read_impersonation
from kube_inspect.kube.kubeconfig import found_kubeconfig_paths, kubeconfig_exists, kubeconfig_files
from kube_inspect.kube.overrides import (
    NO_OVERRIDES,
    ConnectionOverrides,
    overridden_cluster,
    overridden_user,
)

# The user fields read here; another one (auth-provider, or one a newer kubectl knows)
# sends the context to the kubernetes package. Impersonation (as, as-groups...) is read
# here for both (kube/identity.py): the package itself ignores it.
USER_FIELDS = frozenset(
    {
        "token",
        "tokenFile",
        "client-certificate",
        "client-certificate-data",
        "client-key",
        "client-key-data",
        "username",
        "password",
        "exec",
        "as",
        "as-uid",
        "as-groups",
        "as-user-extra",
        "extensions",
    }
)
SOCKS_SCHEMES = ("socks5", "socks5h", "socks4", "socks4a")


@dataclass(frozen=True, slots=True)
class ExecPlugin:
    """A user's exec credential plugin (client.authentication.k8s.io v1 or v1beta1)."""

    api_version: str
    command: str
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    interactive_mode: str = "IfAvailable"  # Never, IfAvailable or Always
    install_hint: str = ""
    directory: str = ""  # of the kubeconfig file that names it: the plugin runs there
    cluster: str | None = None  # JSON of ExecCredential spec.cluster (provideClusterInfo)


@dataclass(frozen=True, slots=True)
class Connection:
    """How to reach and authenticate to the API server of one kubeconfig context.

    ``*_data`` hold the bytes of a ``*-data`` field (base64-decoded); ``*_file`` a path,
    absolute. A field that is data wins over its file, as in kubectl.
    """

    context: str
    server: str
    ca_file: str | None = None
    ca_data: bytes | None = field(default=None, repr=False)
    insecure: bool = False
    tls_server_name: str | None = None
    proxy_url: str | None = None
    cert_file: str | None = None
    cert_data: bytes | None = field(default=None, repr=False)
    key_file: str | None = None
    key_data: bytes | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    token_file: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    exec_plugin: ExecPlugin | None = None
    disable_compression: bool = False  # the cluster's disable-compression: no gzip asked
    impersonation: Impersonation | None = None  # as, as-uid, as-groups, as-user-extra
    namespace: str | None = None  # the context's namespace: where kubectl reads by default


@dataclass(frozen=True, slots=True)
class _Named:
    """A cluster, user or context entry, with the directory of the file that defines it."""

    value: dict[str, Any]
    directory: str


@dataclass
class _Merged:
    clusters: dict[str, _Named] = field(default_factory=dict)
    users: dict[str, _Named] = field(default_factory=dict)
    contexts: dict[str, _Named] = field(default_factory=dict)
    current: str | None = None


def merged_kubeconfig(paths: str) -> _Merged:
    """Return the kubeconfig files of ``paths`` merged: the first to set a name or key wins."""
    merged = _Merged()
    for path, doc in kubeconfig_files(paths):
        if doc is None:  # an empty file: kubectl reads it as an empty config
            continue
        if not isinstance(doc, dict):
            raise ConfigError(f"malformed kubeconfig {path}: not a mapping of fields")
        directory = os.path.dirname(os.path.abspath(path))
        for key, into, inner in (
            ("clusters", merged.clusters, "cluster"),
            ("users", merged.users, "user"),
            ("contexts", merged.contexts, "context"),
        ):
            entries = doc.get(key) or []
            if not isinstance(entries, list):
                raise ConfigError(f"malformed kubeconfig {path}: {key} is not a list")
            for entry in entries:
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    raise ConfigError(f"malformed kubeconfig {path}: an entry of {key} has no name")
                value = entry.get(inner) or {}
                if not isinstance(value, dict):
                    raise ConfigError(
                        f"malformed kubeconfig {path}: {key}[{entry['name']}].{inner} "
                        "is not a mapping"
                    )
                into.setdefault(entry["name"], _Named(value, directory))
        if merged.current is None and doc.get("current-context"):
            merged.current = str(doc["current-context"])
    return merged


@dataclass(frozen=True, slots=True)
class ContextEntries:
    """A context's cluster and user entries, with kubectl's connection flags laid over them."""

    name: str
    cluster: _Named
    user: _Named | None  # None: no user fields at all (anonymous)
    user_name: str | None
    namespace: str | None
    paths: str
    impersonation: Impersonation | None  # what the user entry and --as... ask for


def context_entries(
    kubeconfig: str | None, context: str | None, overrides: ConnectionOverrides = NO_OVERRIDES
) -> ContextEntries:
    """Return the entries ``context`` (or the current one) names, as the flags amend them.

    Raises ConfigError, in kubectl's words, when no kubeconfig is found, it is malformed,
    or it has no such context, cluster (``--cluster``) or user (``--user``).
    """
    paths = found_kubeconfig_paths(kubeconfig)
    merged = merged_kubeconfig(paths)
    name = context or merged.current
    if not name:
        raise ConfigError(f"no current context in {paths}: pass --context NAME")
    if name not in merged.contexts:
        raise ConfigError(f"context {name!r} not found in {paths}: see kubectl config get-contexts")
    entry = merged.contexts[name].value
    cluster_name = overrides.cluster or entry.get("cluster")
    if not isinstance(cluster_name, str) or cluster_name not in merged.clusters:
        if overrides.cluster:
            raise ConfigError(f"cluster {cluster_name!r} not found in {paths} (--cluster)")
        raise ConfigError(
            f"invalid kubeconfig {paths}: context {name!r} names cluster {cluster_name!r}, "
            "which no file of it defines"
        )
    if overrides.user and overrides.user not in merged.users:
        raise ConfigError(f"user {overrides.user!r} not found in {paths} (--user)")
    user_name = overrides.user or (str(entry["user"]) if entry.get("user") else None)
    user = merged.users.get(user_name) if user_name else None
    # a user the files do not define is anonymous, as the kubernetes package reads it
    cluster = merged.clusters[str(cluster_name)]
    namespace = entry.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        raise ConfigError(
            f"malformed kubeconfig {paths}: context {name!r}: namespace is not a string"
        )
    cluster_fields = overridden_cluster(cluster.value, overrides)
    check_server(cluster_fields.get("server"), name, None if overrides.server else paths)
    user_fields = overridden_user(user.value if user else {}, overrides)
    try:
        impersonation = read_impersonation(user_fields)
    except ValueError as e:
        raise ConfigError(
            f"invalid kubeconfig {paths}: {e} (context {name!r}): set as: in its user, or pass --as"
        ) from e
    return ContextEntries(
        name,
        _Named(cluster_fields, cluster.directory),
        _Named(user_fields, user.directory if user else cluster.directory) if user_fields else None,
        user_name,
        str(namespace) if namespace else None,
        paths,
        impersonation,
    )


def check_server(server: Any, context: str, kubeconfig: str | None) -> None:
    """Raise ConfigError, naming the context and the server, when ``server`` is no URL.

    ``kubeconfig`` is the path list whose cluster entry gave the server; None when
    --server did. Checked before anything reads it: a URL that does not parse
    (``https://[::1``, a port that is not a number) would fail deep in the transport. A
    server that is absent is left to the reader of the connection, which says so.
    """
    if not isinstance(server, str) or not server:
        return
    try:
        urlsplit(server).port  # noqa: B018 (the port is parsed only when asked for)
    except ValueError as e:
        if kubeconfig is None:
            raise ConfigError(
                f"invalid --server {server!r} for context {context!r}: not a URL ({e})"
            ) from e
        raise ConfigError(
            f"invalid kubeconfig {kubeconfig}: context {context!r} has server {server!r}, "
            f"not a URL ({e}): fix its cluster's server"
        ) from e


def read_connection(
    kubeconfig: str | None, context: str | None, overrides: ConnectionOverrides = NO_OVERRIDES
) -> Connection | None:
    """Return how to reach ``context`` (or the current one); None if this reader cannot tell.

    kubectl's connection flags (``overrides``) win over the context's values. Raises
    ConfigError when no kubeconfig is found, it is malformed, or it has no such context;
    None means the context needs the kubernetes package (see the module's doc).
    """
    if context is None and not overrides.user and not kubeconfig_exists(kubeconfig):
        # in a pod with no kubeconfig: its service account, as kubectl does
        from kube_inspect.kube.incluster import in_cluster_connection

        in_cluster = in_cluster_connection(os.environ, overrides=overrides)
        if in_cluster is not None:
            return in_cluster
    entries = context_entries(kubeconfig, context, overrides)
    user = entries.user
    user_fields = user.value if user is not None else {}
    if not set(user_fields) <= USER_FIELDS or not _proxy_is_supported(entries.cluster.value):
        return None
    paths = entries.paths
    try:
        connection = _connection(entries.name, entries.cluster, user, paths)
    except (TypeError, ValueError, KeyError, binascii.Error) as e:
        raise ConfigError(f"malformed kubeconfig {paths}: {e}") from e
    except OSError as e:
        raise ConfigError(f"cannot read a file that kubeconfig {paths} names: {e}") from e
    return replace(connection, impersonation=entries.impersonation, namespace=entries.namespace)


def _proxy_is_supported(cluster: dict[str, Any]) -> bool:
    """Return False for a SOCKS proxy that urllib3 cannot use here (PySocks missing)."""
    proxy = str(cluster.get("proxy-url") or "")
    if proxy.split("://", 1)[0].lower() not in SOCKS_SCHEMES:
        return True
    import importlib.util  # only for a SOCKS proxy

    return importlib.util.find_spec("socks") is not None


def _connection(name: str, cluster: _Named, user: _Named | None, paths: str) -> Connection:
    """Return the Connection of a context's cluster and user entries."""
    values = cluster.value
    server = values.get("server")
    if not isinstance(server, str) or not server:
        raise ConfigError(
            f"invalid kubeconfig {paths}: the cluster of context {name!r} has no server"
        )
    u = user.value if user is not None else {}
    udir = user.directory if user is not None else cluster.directory
    tls = server.lower().startswith("https")
    exec_plugin = _exec_plugin(u["exec"], udir, values) if u.get("exec") else None
    return Connection(
        context=name,
        server=server.rstrip("/"),
        ca_file=_path(values, "certificate-authority", cluster.directory) if tls else None,
        ca_data=_data(values, "certificate-authority-data") if tls else None,
        insecure=bool(values.get("insecure-skip-tls-verify", False)),
        disable_compression=values.get("disable-compression") is True,
        tls_server_name=_text(values, "tls-server-name"),
        proxy_url=_text(values, "proxy-url"),
        cert_file=_path(u, "client-certificate", udir),
        cert_data=_data(u, "client-certificate-data"),
        key_file=_path(u, "client-key", udir),
        key_data=_data(u, "client-key-data"),
        token=_text(u, "token"),
        token_file=_path(u, "tokenFile", udir),
        username=_text(u, "username"),
        password=_text(u, "password"),
        exec_plugin=exec_plugin,
    )


def _text(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
    return None if value is None or value == "" else str(value)


def _path(fields: dict[str, Any], key: str, directory: str) -> str | None:
    """Return a path field, resolved against the directory of the file that names it."""
    value = _text(fields, key)
    return None if value is None else os.path.join(directory, os.path.expanduser(value))


def _data(fields: dict[str, Any], key: str) -> bytes | None:
    value = _text(fields, key)
    if value is None:
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except binascii.Error as e:
        raise ValueError(f"{key} is not base64 ({e})") from e


def _exec_plugin(spec: Any, directory: str, cluster: dict[str, Any]) -> ExecPlugin:
    """Return a user's ``exec`` entry, checked; ValueError names what is wrong."""
    if not isinstance(spec, dict):
        raise ValueError("users[].user.exec is not a mapping")
    api_version, command = spec.get("apiVersion"), spec.get("command")
    if not command:
        raise ValueError("exec: malformed request. missing key 'command'")
    if not api_version:
        raise ValueError("exec: malformed request. missing key 'apiVersion'")
    mode = spec.get("interactiveMode") or "IfAvailable"
    if mode not in ("Never", "IfAvailable", "Always"):
        raise ValueError(f"exec: invalid interactiveMode {mode!r}")
    env = tuple((str(e["name"]), str(e["value"])) for e in spec.get("env") or [])
    return ExecPlugin(
        api_version=str(api_version),
        command=_command(str(command), directory),
        args=tuple(str(a) for a in spec.get("args") or []),
        env=env,
        interactive_mode=mode,
        install_hint=str(spec.get("installHint") or ""),
        directory=directory,
        cluster=_cluster_info(cluster, directory) if spec.get("provideClusterInfo") else None,
    )


def _command(command: str, directory: str) -> str:
    """Return a plugin command; a relative path (with a separator) is the kubeconfig's."""
    if os.sep in command and not os.path.isabs(command):
        return os.path.join(directory, command)
    return command


def _cluster_info(cluster: dict[str, Any], directory: str) -> str:
    """Return the JSON of ExecCredential spec.cluster: what the plugin may know of the cluster."""
    info: dict[str, Any] = {"server": cluster.get("server")}
    ca = _data(cluster, "certificate-authority-data")
    ca_file = _path(cluster, "certificate-authority", directory)
    if ca is None and ca_file is not None:
        with open(ca_file, "rb") as f:
            ca = f.read()
    if ca is not None:
        info["certificate-authority-data"] = base64.b64encode(ca).decode()
    for key in ("tls-server-name", "insecure-skip-tls-verify", "proxy-url", "disable-compression"):
        if cluster.get(key) not in (None, ""):
            info[key] = cluster[key]
    for extension in cluster.get("extensions") or []:
        if isinstance(extension, dict) and extension.get("name") == (
            "client.authentication.k8s.io/exec"
        ):
            info["config"] = extension.get("extension")
    return json.dumps(info)
