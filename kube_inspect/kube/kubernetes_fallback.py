"""The kubernetes package's ApiClient, made read-only: for the contexts it alone can read.

Importing ``kubernetes`` costs about 0.2 to 0.4 s (its package imports every model class,
pydantic, requests, oauthlib), so kube/client.py imports this module only for a context
kube-inspect's own reader leaves to the package (kube/connection.py: auth-provider users).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

import yaml
from kubernetes import client as k8s
from kubernetes.config.config_exception import ConfigException
from kubernetes.config.kube_config import KubeConfigLoader, KubeConfigMerger

from kube_inspect.errors import ConfigError, Unauthorized
from kube_inspect.kube.connection import ContextEntries, context_entries
from kube_inspect.kube.exec_plugin_timeout import time_boxed_plugins
from kube_inspect.kube.kubeconfig import first_line
from kube_inspect.kube.overrides import NO_OVERRIDES, ConnectionOverrides
from kube_inspect.kube.transport import refuse_writes

# Loading swaps a module of the kubernetes package and listens to the root logger for the
# time it takes (credential plugins): contexts of a fleet, read in threads, load in turn.
_LOADING = threading.Lock()


class ReadOnlyApiClient(k8s.ApiClient):
    """An ApiClient that refuses, before sending anything, any method but GET."""

    def call_api(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        """Send a GET request; raise ReadOnlyViolation for any other method.

        Every request of the generated client, typed or raw, passes through here.
        """
        refuse_writes(method, url)  # the one read-only check, shared with kube/transport.py
        return super().call_api(method, url, *args, **kwargs)


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(first_line(Exception(record.getMessage())))


@contextlib.contextmanager
def _logged_errors() -> Iterator[list[str]]:
    """Collect the ERROR records logged meanwhile, instead of letting them reach stderr."""
    collector = _ErrorCollector()
    root = logging.getLogger()
    root.addHandler(collector)  # a root handler also stops logging's stderr fallback
    try:
        yield collector.messages
    finally:
        root.removeHandler(collector)


def load_configuration(
    kubeconfig: str | None,
    context: str | None,
    plugin_timeout: float | None = None,
    overrides: ConnectionOverrides = NO_OVERRIDES,
) -> tuple[k8s.Configuration, ContextEntries]:
    """Return the client configuration of ``context`` (or the current one), and its entries.

    kubectl's connection flags (``overrides``) win over the context's values; the
    entries carry what the package does not read (impersonation, the namespace). Raises
    ConfigError when no kubeconfig is found, it is malformed, or it has no such
    context; Unauthorized when its credential plugin fails or does not answer within
    ``plugin_timeout`` seconds (None: no limit).
    """
    entries = context_entries(kubeconfig, context, overrides)
    name, paths = entries.name, entries.paths
    configuration = k8s.Configuration()
    try:
        with _LOADING, _logged_errors() as plugin_errors, time_boxed_plugins(plugin_timeout):
            merger = KubeConfigMerger(paths)  # type: ignore[no-untyped-call]
            active = _active_context(merger, entries, overrides)
            # as load_kube_config loads, without a persister: never write to the kubeconfig
            loader = KubeConfigLoader(  # type: ignore[no-untyped-call]
                config_dict=merger.config, active_context=active, config_base_path=None
            )
            loader.load_and_set(configuration)  # type: ignore[no-untyped-call]
    except ConfigException as e:
        raise ConfigError(_config_message(str(e), name, paths)) from e
    except (KeyError, TypeError, AttributeError, ValueError, yaml.YAMLError) as e:
        raise ConfigError(f"malformed kubeconfig {paths}: {first_line(e)}") from e
    if plugin_errors:
        # The kubernetes package logs a failed exec credential plugin and goes on as
        # an anonymous user: stop here, naming the plugin's own complaint.
        raise Unauthorized(
            f"the credential plugin of context {name!r} failed ({plugin_errors[0]}): "
            "log in again, or fix users[].user.exec in the kubeconfig"
        )
    _override(configuration, overrides)
    return configuration, entries


# The context the package loads when --user or --cluster replace a context's own entries.
_AMENDED_CONTEXT = "kube-inspect: the context as --user and --cluster amend it"


def _active_context(
    merger: KubeConfigMerger, entries: ContextEntries, overrides: ConnectionOverrides
) -> str:
    """Return the context for the package to load: the named one, or one the flags amend."""
    if not overrides.user and not overrides.cluster:
        return entries.name
    contexts = merger.config.value["contexts"]
    original = next(c for c in contexts if c["name"] == entries.name)["context"].value
    amended = {**original, "user": entries.user_name}
    amended["cluster"] = overrides.cluster or original["cluster"]
    contexts.append({"name": _AMENDED_CONTEXT, "context": amended})
    return _AMENDED_CONTEXT


def _override(configuration: k8s.Configuration, overrides: ConnectionOverrides) -> None:
    """Lay kubectl's server, TLS and token flags over what the package loaded."""
    if overrides.server:
        configuration.host = overrides.server.rstrip("/")
    if overrides.insecure_skip_tls_verify or overrides.certificate_authority:
        configuration.verify_ssl = not overrides.insecure_skip_tls_verify
        configuration.ssl_ca_cert = overrides.certificate_authority
    if overrides.tls_server_name or overrides.server:
        configuration.tls_server_name = overrides.tls_server_name
    if overrides.token:
        configuration.api_key["BearerToken"] = f"Bearer {overrides.token}"
        configuration.refresh_api_key_hook = None  # the provider's token must not come back


def _config_message(text: str, context: str, paths: str) -> str:
    if "Expected object with name" in text and context in text:
        return f"context {context!r} not found in {paths}: see kubectl config get-contexts"
    return f"invalid kubeconfig {paths}: {text.splitlines()[0] if text else 'unreadable'}"
