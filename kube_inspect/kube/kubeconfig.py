"""The kubeconfig: which files, parsed, and their contexts (see kube/connection.py for the rest).

Read as kubectl reads it (``--kubeconfig``, else ``$KUBECONFIG``'s list of files merged,
else ``~/.kube/config``); never written to.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import yaml

from kube_inspect.errors import ConfigError

DEFAULT_KUBECONFIG = "~/.kube/config"
# libyaml's safe loader when PyYAML was built with it: several times faster than Python's
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def kubeconfig_paths(kubeconfig: str | None) -> str:
    """Return the kubeconfig path list to read: the flag, else $KUBECONFIG, else the default."""
    return kubeconfig or os.environ.get("KUBECONFIG") or DEFAULT_KUBECONFIG


def _kubeconfig_documents(paths: str) -> Iterator[Any]:
    """Yield each kubeconfig file of ``paths`` that exists, parsed, in order."""
    for _, doc in kubeconfig_files(paths):
        yield doc


def kubeconfig_exists(kubeconfig: str | None) -> bool:
    """Return True when a file of the kubeconfig path list to read exists."""
    paths = kubeconfig_paths(kubeconfig)
    return any(os.path.exists(os.path.expanduser(p)) for p in paths.split(os.pathsep) if p)


def found_kubeconfig_paths(kubeconfig: str | None) -> str:
    """Return the kubeconfig path list to read; ConfigError when none of its files exists."""
    paths = kubeconfig_paths(kubeconfig)
    if not kubeconfig_exists(kubeconfig):
        raise ConfigError(f"no kubeconfig found at {paths}: pass --kubeconfig or set KUBECONFIG")
    return paths


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
    paths = found_kubeconfig_paths(kubeconfig)
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
