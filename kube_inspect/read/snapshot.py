"""One read of the cluster, kept as API objects: the tree, the facts and `--watch` start here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kube_inspect.build.facts import Facts, build_facts
from kube_inspect.build.objects import build_cluster
from kube_inspect.kube.client import KubeClient
from kube_inspect.model.cluster import Cluster

ApiObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The nodes and pods as the API server returned them, and where they came from.

    ``namespace`` is None when the pods of every namespace were read.
    """

    context: str
    server: str
    version: str
    nodes: tuple[ApiObject, ...]
    pods: tuple[ApiObject, ...]
    namespace: str | None = None

    def cluster(self) -> Cluster:
        """Return the hierarchy; a one-namespace read keeps only nodes running its pods."""
        return build_cluster(
            context=self.context,
            server=self.server,
            version=self.version,
            nodes=self.nodes,
            pods=self.pods,
            only_nodes_with_pods=self.namespace is not None,
        )

    def facts(self) -> Facts:
        """Return the owners, addresses, volumes and scheduling messages of the objects."""
        return build_facts(self.nodes, self.pods)


def read_snapshot(client: KubeClient, namespace: str | None) -> Snapshot:
    """Return the version, nodes and pods (of one namespace, or all) the client reads."""
    version = client.version()
    nodes = client.list_nodes()
    pods = client.list_pods(namespace)
    return Snapshot(
        context=client.target.context,
        server=client.target.server,
        version=version,
        nodes=tuple(nodes),
        pods=tuple(pods),
        namespace=namespace,
    )
