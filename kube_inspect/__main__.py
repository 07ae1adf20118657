"""Run kube-inspect as ``python -m kube_inspect``."""

from kube_inspect.launch import main

main()
