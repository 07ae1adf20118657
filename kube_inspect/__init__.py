"""kube-inspect: a read-only inspector for live Kubernetes clusters."""

__version__ = "0.1.0"
