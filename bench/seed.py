"""Seed a local kwok cluster fast: many nodes, namespaces and realistic pods.

Pods are created already bound (``spec.nodeName``), so the scheduler is not the
bottleneck; kwok then reports them Running with full container statuses. Creates go
through one pooled HTTPS client from many threads: the API server is the limit.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import urllib3
from kubernetes import client as k8s
from kubernetes import config as k8s_config

NAMESPACES = 30
THREADS = 32
MIN_AVAILABLE_GIB = 4.0  # the machine is shared: stop seeding before it runs out of memory
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
HEARTBEAT_POD = "/api/v1/namespaces/default/pods/bench-heartbeat"
HEARTBEAT_SECONDS = 5.0


def node_name(i: int) -> str:
    """Return the name of bench node ``i``."""
    return f"bench-node-{i:05d}"


def namespace_name(i: int) -> str:
    """Return the name of bench namespace ``i``."""
    return f"bench-{i:02d}"


def node_object(i: int) -> dict[str, Any]:
    """Return a kwok-managed node, with the labels a cloud node carries."""
    zone = "abc"[i % 3]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node_name(i),
            "annotations": {"kwok.x-k8s.io/node": "fake"},
            "labels": {
                "kubernetes.io/hostname": node_name(i),
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "node-role.kubernetes.io/worker": "",
                "topology.kubernetes.io/zone": f"zone-{zone}",
                "node.kubernetes.io/instance-type": "m5.4xlarge",
            },
        },
        "status": {
            "allocatable": {"cpu": "64", "memory": "256Gi", "pods": "500"},
            "capacity": {"cpu": "64", "memory": "256Gi", "pods": "500"},
        },
    }


def _container(name: str, image: str, i: int) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "args": ["--port=8080", f"--shard={i % 16}", "--log-level=info"],
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "env": [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "LOG_FORMAT", "value": "json"},
            {"name": "FEATURE_FLAGS", "value": "checkout-v2,search-cache,async-email"},
        ],
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"cpu": "500m", "memory": "256Mi"},
        },
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
        "livenessProbe": {"httpGet": {"path": "/livez", "port": 8080}, "periodSeconds": 20},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": True}],
    }


def pod_object(i: int, nodes: int) -> dict[str, Any]:
    """Return pod ``i``, bound to a node; one pod in ten has 3 containers (one init)."""
    app = f"svc-{i % 97:02d}"
    containers = [_container("app", f"registry.example.com/shop/{app}:1.{i % 7}.0", i)]
    init: list[dict[str, Any]] = []
    if i % 10 == 0:
        containers.append(_container("log-shipper", "fluent/fluent-bit:3.1", i))
        migrate = _container("migrate", f"registry.example.com/shop/{app}-migrate:1.0", i)
        init.append({k: v for k, v in migrate.items() if not k.endswith("Probe")})
    elif i % 10 in (1, 2):
        containers.append(_container("proxy", "envoyproxy/envoy:v1.31.0", i))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{app}-{i:07d}",
            "namespace": namespace_name(i % NAMESPACES),
            "labels": {"app": app, "team": f"team-{i % 11}", "pod-template-hash": "7d9f8c6b5"},
            "annotations": {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "8080",
                "kubectl.kubernetes.io/default-container": "app",
            },
        },
        "spec": {
            "nodeName": node_name(i % nodes),
            "initContainers": init,
            "containers": containers,
            "volumes": [{"name": "config", "configMap": {"name": f"{app}-config"}}],
            "tolerations": [
                {"key": "kwok.x-k8s.io/node", "operator": "Exists", "effect": "NoSchedule"}
            ],
        },
    }


class MemoryLow(RuntimeError):
    """Seeding stopped because the machine is running out of memory."""


def available_gib() -> float:
    """Return the memory the kernel says is available, in GiB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 2**20
    return float("inf")


def _wait_for_memory(done: int, patience: float = 600) -> None:
    """Return once the machine has memory to spare again; raise MemoryLow if it never does.

    On a shared machine something else may hold the memory for a while (another test
    cluster): creates pause for up to ``patience`` seconds rather than end the point.
    """
    deadline = time.monotonic() + patience
    while available_gib() < MIN_AVAILABLE_GIB:
        if time.monotonic() > deadline:
            raise MemoryLow(f"{available_gib():.1f} GiB left after {done} creates")
        time.sleep(10)


class Seeder:
    """Creates objects through the cluster's admin kubeconfig, many at once."""

    def __init__(self, kubeconfig: Path) -> None:
        """Load the admin credentials of ``kubeconfig`` into one pooled client."""
        configuration = k8s.Configuration()
        k8s_config.load_kube_config(  # type: ignore[no-untyped-call]
            config_file=str(kubeconfig), client_configuration=configuration
        )
        configuration.connection_pool_maxsize = THREADS
        self._api = k8s.ApiClient(configuration)
        self._host = configuration.host

    def close(self) -> None:
        """Release the connection pool."""
        self._api.close()  # type: ignore[no-untyped-call]

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        accept: str = "application/json",
        merge: bool = False,
    ) -> tuple[int, bytes]:
        """Send one request (a JSON merge patch with ``merge``); return its status and body."""
        pool: urllib3.PoolManager = self._api.rest_client.pool_manager
        content_type = "application/merge-patch+json" if merge else "application/json"
        response = pool.request(
            method,
            self._host + path,
            body=body,
            headers={"Content-Type": content_type, "Accept": accept},
            timeout=60,
        )
        return response.status, response.data

    def create_all(self, path_of: Callable[[dict[str, Any]], str], objs: Iterable[Any]) -> int:
        """Create every object (409 Already Exists counts as done); return how many."""

        def create(obj: dict[str, Any]) -> None:
            body = json.dumps(obj).encode()
            for attempt in range(10):
                status, data = self.request("POST", path_of(obj), body)
                if status in (201, 409):
                    return
                time.sleep(0.2 * (attempt + 1))  # 429/5xx under load: back off
            raise RuntimeError(f"create {path_of(obj)} failed: {status} {data[:200]!r}")

        done = 0
        with ThreadPoolExecutor(THREADS) as pool:
            # In chunks: pool.map would hold every object of a 150,000-pod run at once.
            items = iter(objs)
            while chunk := list(itertools.islice(items, 2000)):
                _wait_for_memory(done)
                done += sum(1 for _ in pool.map(create, chunk))
        return done

    def count(self, path: str, field_selector: str = "") -> int:
        """Return how many objects a LIST at ``path`` holds (metadata only, in pages)."""
        total, token = 0, ""
        while True:
            query = f"?limit=5000&fieldSelector={field_selector}&continue={token}"
            status, data = self.request("GET", path + query, accept=METADATA_ONLY)
            if status != 200:
                raise RuntimeError(f"list {path} failed: {status}")
            page = json.loads(data)
            total += len(page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue", "")
            if not token:
                return total


def seed(
    kubeconfig: Path,
    nodes: int,
    pods: int,
    start: int = 0,
    log: Any = print,
    wait: float = 3600,
    before_pods: Callable[[], None] | None = None,
    poll: float = 10,
) -> float:
    """Grow the cluster to ``nodes`` nodes and pods ``start``..``pods``; wait until Running.

    Waits at most ``wait`` seconds for kwok to report them Running, counting them every
    ``poll`` seconds. ``before_pods`` runs once the namespaces' service accounts exist,
    before the pods are created. Returns the seconds it took. Raises MemoryLow, leaving
    the pods created so far, when memory runs short.
    """
    began = time.monotonic()
    seeder = Seeder(kubeconfig)
    try:
        seeder.create_all(lambda _: "/api/v1/nodes", (node_object(i) for i in range(nodes)))
        namespaces = [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace_name(i)}}
            for i in range(NAMESPACES)
        ]
        seeder.create_all(lambda _: "/api/v1/namespaces", namespaces)
        _wait_service_accounts(seeder)
        if before_pods is not None:
            before_pods()
        seeder.create_all(
            lambda o: f"/api/v1/namespaces/{o['metadata']['namespace']}/pods",
            (pod_object(i, nodes) for i in range(start, pods)),
        )
        log(f"  created pods up to {pods} in {time.monotonic() - began:.0f}s")
        _wait_running(seeder, pods, log, wait, poll)
    finally:
        seeder.close()
    return time.monotonic() - began


def _wait_service_accounts(seeder: Seeder, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        missing = [
            ns
            for ns in map(namespace_name, range(NAMESPACES))
            if seeder.request("GET", f"/api/v1/namespaces/{ns}/serviceaccounts/default")[0] != 200
        ]
        if not missing:
            return
        time.sleep(0.5)
    raise RuntimeError("default service accounts never appeared")


def _wait_running(seeder: Seeder, pods: int, log: Any, timeout: float, poll: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = seeder.count("/api/v1/pods", "status.phase!=Running")
        if pending == 0 and seeder.count("/api/v1/pods") >= pods:
            return
        log(f"  {pending} pods not yet Running")
        time.sleep(poll)
    log(f"  gave up waiting after {timeout:.0f}s: measuring with pods still Pending")


@contextmanager
def heartbeat(kubeconfig: Path, every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Change one pod every few seconds while the block runs, as pods in a live cluster do.

    kube-apiserver (1.34 on) serves the later pages of a paged LIST from a snapshot of its
    watch cache (ListFromCacheSnapshot), taken at each change, and drops the snapshots
    older than the revision it compacts etcd to, every 5 minutes. In a cluster whose pods
    have not changed since the last compaction, such as a freshly seeded bench cluster,
    every page after the first is read from etcd instead: the API server spent about twice
    the CPU, and paged lists (kubectl's, kube-inspect's) took 1.5-2 times as long
    (docs/performance.md). A live cluster's pods change all the time.

    The pod changed is the bench's own: never scheduled (no scheduler has its name), so
    kwok leaves it alone; it is deleted at the end.
    """
    seeder = Seeder(kubeconfig)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": HEARTBEAT_POD.rsplit("/", 1)[1], "namespace": "default"},
        "spec": {
            "schedulerName": "bench-heartbeat-no-scheduler",
            "containers": [{"name": "idle", "image": "registry.example.com/idle:1"}],
        },
    }
    seeder.create_all(lambda _: HEARTBEAT_POD.rsplit("/", 1)[0], [pod])
    stop = threading.Event()

    def beat() -> None:
        beats = itertools.count()
        while not stop.wait(every):
            patch = {"metadata": {"annotations": {"bench/heartbeat": str(next(beats))}}}
            try:
                seeder.request("PATCH", HEARTBEAT_POD, json.dumps(patch).encode(), merge=True)
            except urllib3.exceptions.HTTPError:
                continue  # an API server too busy to answer (150,000 pods): try next beat

    thread = threading.Thread(target=beat, name="bench-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        with contextlib.suppress(urllib3.exceptions.HTTPError):
            seeder.request("DELETE", HEARTBEAT_POD)
        seeder.close()
