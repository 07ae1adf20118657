"""Run kube-inspect as ``python -m kube_inspect``."""

from kube_inspect.cli import main

main()
