"""The only room that talks to the API server.

Kubeconfig, the one request path, paging, watch, retries, decoding raw pages, read-ahead.
"""
