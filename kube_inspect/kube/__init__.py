"""The only room that talks to the API server.

Kubeconfig, the one request path, paging, watch, retries, decoding raw pages, read-ahead.
"""

from kube_inspect import __version__

USER_AGENT = f"kube-inspect/{__version__}"  # every request's, on either transport
