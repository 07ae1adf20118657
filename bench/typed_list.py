"""The typed-model path, for comparison: the official client's typed LISTs, pages of 500.

Usage: python -m bench.typed_list KUBECONFIG
"""

from __future__ import annotations

import sys

from kubernetes import client as k8s
from kubernetes import config as k8s_config


def main(kubeconfig: str) -> int:
    """List every node and pod through typed models; print how many."""
    api = k8s.CoreV1Api(k8s_config.new_client_from_config(config_file=kubeconfig))  # type: ignore[no-untyped-call]
    counts = []
    for list_call in (api.list_node, api.list_pod_for_all_namespaces):
        token, count = None, 0
        while True:
            page = list_call(limit=500, _continue=token)
            count += len(page.items)
            token = page.metadata._continue if page.metadata else None
            if not token:
                break
        counts.append(count)
    print(f"{counts[0]} nodes, {counts[1]} pods")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
