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
from kubernetes import config as k8s_config
from kubernetes.config.config_exception import ConfigException

from kube_inspect.errors import ConfigError, Unauthorized
from kube_inspect.kube.kubeconfig import current_context, first_line, found_kubeconfig_paths
from kube_inspect.kube.plugins import time_boxed_plugins
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
    kubeconfig: str | None, context: str | None, plugin_timeout: float | None = None
) -> tuple[k8s.Configuration, str]:
    """Return the client configuration of ``context`` (or the current one), and its name.

    Raises ConfigError when no kubeconfig is found, it is malformed, or it has no such
    context; Unauthorized when its credential plugin fails or does not answer within
    ``plugin_timeout`` seconds (None: no limit).
    """
    paths = found_kubeconfig_paths(kubeconfig)
    name = context or current_context(paths)
    if not name:
        raise ConfigError(f"no current context in {paths}: pass --context NAME")
    configuration = k8s.Configuration()
    try:
        with _LOADING, _logged_errors() as plugin_errors, time_boxed_plugins(plugin_timeout):
            k8s_config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=paths,
                context=name,
                client_configuration=configuration,
                persist_config=False,  # never write to the user's kubeconfig
            )
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
    return configuration, name


def _config_message(text: str, context: str, paths: str) -> str:
    if "Expected object with name" in text and context in text:
        return f"context {context!r} not found in {paths}: see kubectl config get-contexts"
    return f"invalid kubeconfig {paths}: {text.splitlines()[0] if text else 'unreadable'}"
