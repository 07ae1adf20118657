"""`tree --watch`: read the selection once, then follow it with the watch API.

One thread per resource reads its watch stream (a GET with ``watch=true`` through the
client) and hands events to the caller's thread, which applies them and builds the next
model through the same builder and arrangement as every other view. When a stream ends
it is watched again from the last resourceVersion; when that version is too old (410
Gone) the resource is listed again. Nothing is polled.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from kube_inspect.build.arrange import arrange
from kube_inspect.build.fields import ApiObject
from kube_inspect.build.objects import build_cluster
from kube_inspect.errors import ApiError, Forbidden, KubeInspectError, NotFound
from kube_inspect.kube.client import KubeClient, selectors
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.selection import Selection

SETTLE_SECONDS = 0.3  # gather the burst of events one change makes into one frame
MAX_GATHER_SECONDS = 2.0  # but draw at least this often while events keep coming


@dataclass(frozen=True, slots=True)
class Message:
    """What a watching thread tells the main thread."""

    resource: str  # "nodes", "pods", or an owner resource ("replicasets", "jobs")
    kind: str  # ADDED, MODIFIED, DELETED, RELISTED or FAILED
    obj: Any = None  # the object; the list for RELISTED; the error for FAILED


@dataclass(frozen=True, slots=True)
class Frame:
    """One state of the selection: the model, and the names of the nodes that exist."""

    cluster: Cluster
    present_nodes: frozenset[str]


def object_key(obj: ApiObject) -> str:
    """Return ``namespace/name`` (or ``name``) of an API object."""
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"


def apply_event(objects: dict[str, ApiObject], message: Message) -> None:
    """Apply one watch event (or a fresh list) to the objects of its resource."""
    if message.kind == "RELISTED":
        objects.clear()
        objects.update({object_key(o): o for o in message.obj})
    elif message.kind == "DELETED":
        objects.pop(object_key(message.obj), None)
    elif message.kind in ("ADDED", "MODIFIED"):
        objects[object_key(message.obj)] = message.obj


def list_with_version(
    client: KubeClient, path: str, query: list[tuple[str, Any]] | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Return the items of a LIST and the resourceVersion to watch it from."""
    items: list[dict[str, Any]] = []
    for page in client.pages(path, query):
        items += page.get("items") or []
        version = str((page.get("metadata") or {}).get("resourceVersion", ""))
    return items, version


class Follower(threading.Thread):
    """Follows one resource's watch stream, forever, putting Messages on a queue."""

    def __init__(
        self,
        client: KubeClient,
        resource: str,
        path: str,
        version: str,
        inbox: queue.Queue[Message],
        query: list[tuple[str, Any]] | None = None,
    ) -> None:
        """Follow ``path`` (with ``query`` selectors) from ``version``; report to ``inbox``."""
        super().__init__(name=f"watch-{resource}", daemon=True)
        self.client, self.resource, self.path, self.version = client, resource, path, version
        self.inbox, self.query = inbox, query or []

    def run(self) -> None:
        """Watch, re-watch when the server ends the stream, re-list on 410 Gone."""
        try:
            while True:
                self._follow_once()
        except KubeInspectError as e:
            self.inbox.put(Message(self.resource, "FAILED", e))

    def _follow_once(self) -> None:
        events = self.client.watch(self.path, self.version, selectors=self.query)
        for event in events:
            kind, obj = event.get("type"), event.get("object") or {}
            if kind == "ERROR":
                if obj.get("code") != 410:
                    raise ApiError(f"watching {self.resource} failed: {obj.get('message')}")
                items, self.version = list_with_version(self.client, self.path, self.query)
                self.inbox.put(Message(self.resource, "RELISTED", items))
                return
            self.version = str((obj.get("metadata") or {}).get("resourceVersion", self.version))
            if kind != "BOOKMARK":
                self.inbox.put(Message(self.resource, str(kind), obj))


def pods_path(namespace: str | None) -> str:
    """Return the path of the pods of one namespace, or of all."""
    if namespace is None:
        return "/api/v1/pods"
    return f"/api/v1/namespaces/{quote(namespace, safe='')}/pods"


def _queries(selection: Selection) -> dict[str, list[tuple[str, Any]]]:
    field = selection.field_selector
    if len(selection.nodes) == 1:  # the server filters one node's pods; more are filtered here
        on_node = f"spec.nodeName={selection.nodes[0]}"
        field = f"{field},{on_node}" if field else on_node
    return {
        "nodes": selectors(selection.node_selector, None),
        "pods": selectors(selection.label_selector, field),
    }


# The owners that lead a pod to its top workload, as read_cluster reads them (by kind):
# followed like pods, so a pod of a new ReplicaSet is named after its Deployment too.
OWNERS = {"replicasets": ("/apis/apps/v1", "ReplicaSet"), "jobs": ("/apis/batch/v1", "Job")}
OWNERS_EFFECT = "owners shown one level up only"


def owners_path(resource: str, namespace: str | None) -> str:
    """Return the path of an owner resource (``replicasets``, ``jobs``): one namespace or all."""
    group = OWNERS[resource][0]
    if namespace is None:
        return f"{group}/{resource}"
    return f"{group}/namespaces/{quote(namespace, safe='')}/{resource}"


def _list_owners(
    client: KubeClient, selection: Selection, notices: list[str]
) -> dict[str, tuple[list[dict[str, Any]], str]]:
    """Return each owner resource's LIST and version; one that cannot be read is a notice.

    As in read_cluster, owners are an extra: forbidden or not served, the pods are still
    shown, named after their controller one level up.
    """
    found: dict[str, tuple[list[dict[str, Any]], str]] = {}
    if not selection.with_owners:
        return found
    for resource in OWNERS:
        try:
            found[resource] = list_with_version(client, owners_path(resource, selection.namespace))
        except Forbidden:
            notices.append(f"reading {resource} is forbidden for this user: {OWNERS_EFFECT}")
        except NotFound:
            notices.append(f"{resource} is not served by this cluster: {OWNERS_EFFECT}")
    return found


def _selected(selection: Selection, objects: dict[str, dict[str, ApiObject]]) -> Frame:
    nodes = list(objects["nodes"].values())
    if selection.nodes:
        nodes = [n for n in nodes if (n.get("metadata") or {}).get("name") in selection.nodes]
    names = frozenset(str((n.get("metadata") or {}).get("name")) for n in nodes)
    pods: list[ApiObject] = list(objects["pods"].values())
    if selection.nodes or selection.node_selector:
        wanted = names if "nodes" in objects["read"] else frozenset(selection.nodes)
        pods = [p for p in pods if (p.get("spec") or {}).get("nodeName") in wanted]
    cluster = build_cluster(
        context="",
        server="",
        version="",
        nodes=nodes,
        pods=pods,
        only_nodes_with_pods=selection.filters_pods,
        owners={kind: objects[r].values() for r, (_, kind) in OWNERS.items() if r in objects},
    )
    return Frame(arrange(cluster, selection.problems, selection.sort), names)


def follow_cluster(
    client: KubeClient, selection: Selection, forbidden: ForbiddenReads
) -> Iterator[Frame]:
    """Yield the selection now, then again after every burst of changes, until interrupted.

    A forbidden read of nodes or pods is noted in ``forbidden`` (checked before the
    first frame) and that resource is not followed; when both are, Forbidden is raised.
    """
    version = client.version()
    objects: dict[str, dict[str, ApiObject]] = {"nodes": {}, "pods": {}, "read": {}}
    inbox: queue.Queue[Message] = queue.Queue()
    queries = _queries(selection)
    paths = {"nodes": "/api/v1/nodes", "pods": pods_path(selection.namespace)}
    followers = []
    for resource in ("nodes", "pods"):
        listed = forbidden.attempt(
            resource,
            lambda r=resource: list_with_version(  # type: ignore[misc]
                client, paths[r], queries[r]
            ),
            None,
            "nodes are shown by name only, without status" if resource == "nodes" else None,
        )
        if listed is None:
            continue
        items, list_version = listed
        objects[resource] = {object_key(o): o for o in items}
        objects["read"][resource] = {}
        followers.append(
            Follower(client, resource, paths[resource], list_version, inbox, queries[resource])
        )
    if not objects["read"]:
        raise forbidden.nothing_readable(["nodes", "pods"])
    unread = tuple(r for r in ("nodes", "pods") if r not in objects["read"])
    notices: list[str] = []
    for resource, (items, list_version) in _list_owners(client, selection, notices).items():
        objects[resource] = {object_key(o): o for o in items}
        path = owners_path(resource, selection.namespace)
        followers.append(Follower(client, resource, path, list_version, inbox))

    def frame() -> Frame:
        found = _selected(selection, objects)
        cluster = replace(
            found.cluster,
            context=client.target.context,
            server=client.target.server,
            version=version,
            unread=unread,
            notices=tuple(notices),
            pod_filter=selection.pod_filter,
        )
        return Frame(cluster, found.present_nodes)

    yield frame()
    for follower in followers:
        follower.start()
    while True:
        for message in next_messages(inbox):
            if message.kind == "FAILED":
                raise message.obj
            apply_event(objects[message.resource], message)
        yield frame()


def next_messages(inbox: queue.Queue[Message]) -> list[Message]:
    """Wait for a message, then gather what follows within SETTLE_SECONDS (MAX_GATHER in all)."""
    while True:
        try:
            messages = [inbox.get(timeout=1.0)]  # a timeout keeps Ctrl-C responsive
            break
        except queue.Empty:
            continue
    deadline = time.monotonic() + MAX_GATHER_SECONDS
    while time.monotonic() < deadline:
        try:
            messages.append(inbox.get(timeout=SETTLE_SECONDS))
        except queue.Empty:
            break
    return messages
