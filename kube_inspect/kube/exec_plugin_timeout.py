"""Exec credential plugins, time-boxed: a plugin that never answers must not hang a read.

The kubernetes package runs the plugin with ``communicate()`` and no timeout. For the
time the kubeconfig is loaded, its module sees a Popen whose ``communicate`` gives up
after the request timeout, kills the plugin and fails as a plugin failure does.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from kubernetes.config import exec_provider
from kubernetes.config.config_exception import ConfigException

from kube_inspect.kube.credentials import stop_late_plugin


@contextlib.contextmanager
def time_boxed_plugins(seconds: float | None) -> Iterator[None]:
    """Within the block, credential plugins get ``seconds`` to answer (None: no limit)."""
    if seconds is None:
        yield
        return

    class TimeBoxedPopen(subprocess.Popen[str]):
        def communicate(self, input: Any = None, timeout: float | None = None) -> Any:
            try:
                return super().communicate(input, seconds if timeout is None else timeout)
            except subprocess.TimeoutExpired:
                raise ConfigException(stop_late_plugin(self, seconds)) from None

    # the module's own name for subprocess, swapped for the block and put back after
    original = getattr(exec_provider, "subprocess")  # noqa: B009
    shim = SimpleNamespace(Popen=TimeBoxedPopen, PIPE=subprocess.PIPE)
    setattr(exec_provider, "subprocess", shim)  # noqa: B010
    try:
        yield
    finally:
        setattr(exec_provider, "subprocess", original)  # noqa: B010
