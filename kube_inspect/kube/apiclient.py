"""The kubernetes package's ApiClient, made read-only: for the contexts it alone can read.

Importing ``kubernetes`` costs about 0.2 to 0.4 s (its package imports every model class,
pydantic, requests, oauthlib), so kube/client.py imports this module only for a context
kube-inspect's own reader leaves to the package (kube/connection.py: auth-provider users).
"""

from __future__ import annotations

from typing import Any

from kubernetes import client as k8s

from kube_inspect.kube.transport import refuse_writes


class ReadOnlyApiClient(k8s.ApiClient):
    """An ApiClient that refuses, before sending anything, any method but GET."""

    def call_api(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        """Send a GET request; raise ReadOnlyViolation for any other method.

        Every request of the generated client, typed or raw, passes through here.
        """
        refuse_writes(method, url)  # the one read-only check, shared with kube/transport.py
        return super().call_api(method, url, *args, **kwargs)
