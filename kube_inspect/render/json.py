"""The JSON view: the same hierarchy with a stable, versioned shape."""

from __future__ import annotations

import json
from typing import Any, TextIO

from kube_inspect.model import Cluster, Container, Node, Pod

SCHEMA_VERSION = 1


def container_dict(container: Container) -> dict[str, Any]:
    """Return one container as the JSON shape holds it."""
    state = container.state
    return {
        "name": container.name,
        "type": container.type,
        "image": container.image,
        "state": state.name,
        "reason": state.reason,
        "exit_code": state.exit_code,
        "message": state.message,
        "ready": container.ready,
        "restarts": container.restarts,
    }


def pod_dict(pod: Pod) -> dict[str, Any]:
    """Return one pod, with its containers, as the JSON shape holds it."""
    return {
        "namespace": pod.namespace,
        "name": pod.name,
        "node": pod.node_name,
        "phase": pod.phase,
        "ready": pod.ready_count,
        "total": len(pod.counted_containers),
        "restarts": pod.restarts,
        "created": pod.created,
        "containers": [container_dict(c) for c in pod.containers],
    }


def node_dict(node: Node) -> dict[str, Any]:
    """Return one node, with its pods, as the JSON shape holds it."""
    return {
        "name": node.name,
        "listed": node.listed,
        "roles": list(node.roles),
        "status": node.status,
        "ready": node.ready,
        "unschedulable": node.unschedulable,
        "kubelet_version": node.kubelet_version,
        "created": node.created,
        "pod_count": len(node.pods),
        "pods": [pod_dict(p) for p in node.pods],
    }


def cluster_dict(cluster: Cluster) -> dict[str, Any]:
    """Return the whole document: ``schema_version`` and the cluster hierarchy."""
    return {
        "schema_version": SCHEMA_VERSION,
        "cluster": {
            "context": cluster.context,
            "server": cluster.server,
            "version": cluster.version,
            "node_count": len(cluster.nodes),
            "pod_count": len(cluster.pods),
            "container_count": cluster.container_count,
            "nodes": [node_dict(n) for n in cluster.nodes],
            "unscheduled": [pod_dict(p) for p in cluster.unscheduled],
        },
    }


def render_json(cluster: Cluster, out: TextIO) -> None:
    """Write the cluster as indented JSON to ``out``."""
    json.dump(cluster_dict(cluster), out, indent=2)
    out.write("\n")
