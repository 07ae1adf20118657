"""The fast fetch path (raw pages, orjson, read-ahead, streaming) against the typed models.

The reference reads the same real API server through the official client's typed models
(``CoreV1Api``), independently of kube_inspect.kube.client, and both go through the same
aggregator: the hierarchies must be equal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from kube_inspect.interpret.objects import build_cluster
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.progress import Progress
from kube_inspect.model.cluster import Cluster, Container, Pod
from kube_inspect.read.cluster import read_cluster
from kube_inspect.read.selection import Selection
from kube_inspect.render.progress import ProgressLine
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

ATTEMPTS = 5  # the sample's crash-looping pod restarts every few seconds: read again


def typed_items(list_call: Callable[..., Any], **kwargs: Any) -> list[Any]:
    items, token = [], None
    while True:
        page = list_call(limit=3, _continue=token, **kwargs)  # small pages: paging counts
        items += page.items
        token = page.metadata._continue
        if not token:
            return items


def typed_cluster(cluster: TestCluster, namespace: str | None) -> Cluster:
    api = k8s_config.new_client_from_config(config_file=str(cluster.kubeconfig))  # type: ignore[no-untyped-call]
    try:
        core, apps, batch = k8s.CoreV1Api(api), k8s.AppsV1Api(api), k8s.BatchV1Api(api)
        if namespace is None:
            pods = typed_items(core.list_pod_for_all_namespaces)
            replicasets = typed_items(apps.list_replica_set_for_all_namespaces)
            jobs = typed_items(batch.list_job_for_all_namespaces)
        else:
            pods = typed_items(core.list_namespaced_pod, namespace=namespace)
            replicasets = typed_items(apps.list_namespaced_replica_set, namespace=namespace)
            jobs = typed_items(batch.list_namespaced_job, namespace=namespace)
        return build_cluster(
            context="",
            server="",
            version=k8s.VersionApi(api).get_code().git_version,
            nodes=api.sanitize_for_serialization(typed_items(core.list_node)),
            pods=api.sanitize_for_serialization(pods),
            only_nodes_with_pods=namespace is not None,
            owners={
                "ReplicaSet": api.sanitize_for_serialization(replicasets),
                "Job": api.sanitize_for_serialization(jobs),
            },
        )
    finally:
        api.close()


def fast_cluster(namespace: str | None, progress: Progress) -> Cluster:
    """Return the cluster as kube-inspect reads it: raw pages, msgspec, read-ahead, stream."""
    client = KubeClient.from_kubeconfig(None, None, 30.0)
    try:
        return read_cluster(
            client,
            Selection(namespace=namespace, with_usage=False, with_volumes=True),
            None,
            progress,
        )
    finally:
        client.close()


def comparable(cluster: Cluster) -> Cluster:
    """Return the cluster with timestamps parsed: the typed client re-formats them."""

    def container(c: Container) -> Container:
        last = c.last_termination
        if last is None:
            return c
        return dataclasses.replace(
            c, last_termination=dataclasses.replace(last, finished_at=_instant(last.finished_at))
        )

    def pod(p: Pod) -> Pod:
        return dataclasses.replace(
            p, created=_instant(p.created), containers=tuple(map(container, p.containers))
        )

    nodes = tuple(
        dataclasses.replace(n, created=_instant(n.created), pods=tuple(map(pod, n.pods)))
        for n in cluster.nodes
    )
    unscheduled = tuple(map(pod, cluster.unscheduled))
    # pod_filter: read_cluster names the selection's -n; the reference builds without it
    return dataclasses.replace(
        cluster, context="", server="", nodes=nodes, unscheduled=unscheduled, pod_filter=()
    )


def _instant(text: str | None) -> str | None:
    return None if text is None else datetime.fromisoformat(text).isoformat()


@pytest.mark.parametrize("namespace", [None, "shop"])
def test_fast_path_builds_the_same_hierarchy_as_typed_models(
    kube_env: TestCluster, namespace: str | None
) -> None:
    for _ in range(ATTEMPTS):
        fast = comparable(fast_cluster(namespace, ProgressLine(None)))
        typed = comparable(typed_cluster(kube_env, namespace))
        if fast == typed:
            break
    assert fast == typed
    assert fast.pods, "the sample cluster has pods"
    assert any(len(p.containers) > 1 for p in fast.pods)


def test_progress_counts_every_page_and_object(kube_env: TestCluster) -> None:
    progress = ProgressLine(None)
    built = fast_cluster(None, progress)
    counts = progress.counts
    assert counts["pods"][1] == len(built.pods)
    assert counts["nodes"][1] == sum(1 for n in built.nodes if n.listed)
