"""The kubeconfig: which files, which context, and the client configuration it makes.

Read as kubectl reads it (``--kubeconfig``, else ``$KUBECONFIG``'s list of files merged,
else ``~/.kube/config``); never written to.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import yaml

from kube_inspect.errors import ConfigError, Unauthorized

if TYPE_CHECKING:  # the kubernetes package is imported by load_configuration, when used
    from kubernetes import client as k8s

DEFAULT_KUBECONFIG = "~/.kube/config"
# Loading swaps a module of the kubernetes package and listens to the root logger for the
# time it takes (credential plugins): contexts of a fleet, read in threads, load in turn.
_LOADING = threading.Lock()
# libyaml's safe loader when PyYAML was built with it: several times faster than Python's
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def kubeconfig_paths(kubeconfig: str | None) -> str:
    """Return the kubeconfig path list to read: the flag, else $KUBECONFIG, else the default."""
    return kubeconfig or os.environ.get("KUBECONFIG") or DEFAULT_KUBECONFIG


def _kubeconfig_documents(paths: str) -> Iterator[Any]:
    """Yield each kubeconfig file of ``paths`` that exists, parsed, in order."""
    for _, doc in kubeconfig_files(paths):
        yield doc


def kubeconfig_files(paths: str) -> Iterator[tuple[str, Any]]:
    """Yield the path and the parsed document of each kubeconfig file of ``paths`` that exists.

    Raises ConfigError for a file that cannot be read or is not valid YAML.
    """
    for path in paths.split(os.pathsep):
        path = os.path.expanduser(path)
        if not path or not os.path.exists(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                yield path, yaml.load(f, Loader=_SAFE_LOADER)  # a safe loader, C or Python
        except (OSError, yaml.YAMLError) as e:
            raise ConfigError(f"cannot read kubeconfig {path}: {_yaml_problem(e)}") from e
        except UnicodeDecodeError as e:
            raise ConfigError(f"cannot read kubeconfig {path}: not UTF-8 text") from e


def current_context(paths: str) -> str | None:
    """Return the current-context as kubectl merges it: the first file that sets one wins."""
    for doc in _kubeconfig_documents(paths):
        if isinstance(doc, dict) and doc.get("current-context"):
            return str(doc["current-context"])
    return None


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


def context_names(paths: str) -> list[str]:
    """Return the context names of every kubeconfig file in ``paths``, sorted."""
    names: set[str] = set()
    for doc in _kubeconfig_documents(paths):
        contexts = doc.get("contexts") if isinstance(doc, dict) else None
        for context in contexts if isinstance(contexts, list) else []:
            if isinstance(context, dict) and context.get("name"):
                names.add(str(context["name"]))
    return sorted(names)


def fleet_contexts(kubeconfig: str | None, named: tuple[str, ...]) -> tuple[str, ...]:
    """Return the contexts of a fleet: ``named``, or every context when none is named.

    Raises ConfigError, before anything is sent, when there is no kubeconfig, a named
    context is not in it, or it has no context at all.
    """
    paths = kubeconfig_paths(kubeconfig)
    if not any(os.path.exists(os.path.expanduser(p)) for p in paths.split(os.pathsep) if p):
        raise ConfigError(f"no kubeconfig found at {paths}: pass --kubeconfig or set KUBECONFIG")
    known = context_names(paths)
    for name in named:
        if name not in known:
            raise ConfigError(
                f"context {name!r} not found in {paths}: see kubectl config get-contexts"
            )
    if not named and not known:
        raise ConfigError(f"no contexts in {paths}: see kubectl config get-contexts")
    return named or tuple(known)


def _yaml_problem(error: BaseException) -> str:
    """Return what is wrong with a file, with the line for a YAML error, and the fix."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None)
    if mark is not None and problem:
        return (
            f"not valid YAML at line {mark.line + 1}, column {mark.column + 1} ({problem}): "
            "fix the file, or point --kubeconfig or KUBECONFIG at another"
        )
    return first_line(error)


def first_line(error: BaseException) -> str:
    """Return the first line of an error's message (its type name if it has none)."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def load_configuration(
    kubeconfig: str | None, context: str | None, plugin_timeout: float | None = None
) -> tuple[k8s.Configuration, str]:
    """Return the client configuration of ``context`` (or the current one), and its name.

    Raises ConfigError when no kubeconfig is found, it is malformed, or it has no such
    context; Unauthorized when its credential plugin fails or does not answer within
    ``plugin_timeout`` seconds (None: no limit).
    """
    from kubernetes import client as k8s
    from kubernetes import config as k8s_config
    from kubernetes.config.config_exception import ConfigException

    from kube_inspect.kube.plugins import time_boxed_plugins

    paths = kubeconfig_paths(kubeconfig)
    existing = [p for p in paths.split(os.pathsep) if p and os.path.exists(os.path.expanduser(p))]
    if not existing:
        raise ConfigError(f"no kubeconfig found at {paths}: pass --kubeconfig or set KUBECONFIG")
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
