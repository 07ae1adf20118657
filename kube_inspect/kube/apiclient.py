"""The kubernetes package's ApiClient, made read-only: imported only when a request is made.

Importing ``kubernetes`` costs about 0.2 s (its package imports every model class), so
kube/client.py imports this module when it first builds a client, never at start-up:
`--help`, `--version` and completion of fixed words do not pay for it.
"""

from __future__ import annotations

from typing import Any

from kubernetes import client as k8s

from kube_inspect.errors import ReadOnlyViolation

ALLOWED_METHODS = frozenset({"GET"})  # get, list and watch are all HTTP GET


class ReadOnlyApiClient(k8s.ApiClient):
    """An ApiClient that refuses, before sending anything, any method but GET."""

    def call_api(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        """Send a GET request; raise ReadOnlyViolation for any other method.

        Every request of the generated client, typed or raw, passes through here.
        """
        if method.upper() not in ALLOWED_METHODS:
            raise ReadOnlyViolation(f"refused to send {method} {url}: kube-inspect only reads")
        return super().call_api(method, url, *args, **kwargs)
