"""`tree --watch`: list nodes and pods once, then follow them with the watch API.

One thread per resource reads its watch stream (a GET with ``watch=true`` through the
client) and hands events to the main thread, which applies them and redraws. When a
stream ends it is watched again from the last resourceVersion; when that version is too
old (410 Gone) the resource is listed again. Nothing is polled.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import quote

from kube_inspect.build.objects import build_cluster
from kube_inspect.errors import ApiError, KubeInspectError
from kube_inspect.kube.client import PAGE_SIZE, KubeClient
from kube_inspect.model.cluster import Cluster
from kube_inspect.render.watching import Changes, compare, render_frame, signatures

ApiObject = Mapping[str, Any]
CLEAR_SCREEN = "\x1b[H\x1b[2J"
SETTLE_SECONDS = 0.3  # gather the burst of events one change makes into one frame
MAX_GATHER_SECONDS = 2.0  # but draw at least this often while events keep coming


@dataclass(frozen=True, slots=True)
class Message:
    """What a watching thread tells the main thread."""

    resource: str  # "nodes" or "pods"
    kind: str  # ADDED, MODIFIED, DELETED, RELISTED or FAILED
    obj: Any = None  # the object; the list for RELISTED; the error for FAILED


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


def list_with_version(client: KubeClient, path: str) -> tuple[list[dict[str, Any]], str]:
    """Return the items of a LIST and the resourceVersion to watch it from."""
    items: list[dict[str, Any]] = []
    query: list[tuple[str, Any]] = [("limit", PAGE_SIZE)]
    while True:
        page = client.get(path, query)
        items += page.get("items") or []
        meta = page.get("metadata") or {}
        if not meta.get("continue"):
            return items, str(meta.get("resourceVersion", ""))
        query = [("limit", PAGE_SIZE), ("continue", meta["continue"])]


class Follower(threading.Thread):
    """Follows one resource's watch stream, forever, putting Messages on a queue."""

    def __init__(
        self,
        client: KubeClient,
        resource: str,
        path: str,
        version: str,
        inbox: queue.Queue[Message],
    ) -> None:
        """Follow ``path`` from ``version``; report to ``inbox`` as ``resource``."""
        super().__init__(name=f"watch-{resource}", daemon=True)
        self.client, self.resource, self.path, self.version = client, resource, path, version
        self.inbox = inbox

    def run(self) -> None:
        """Watch, re-watch when the server ends the stream, re-list on 410 Gone."""
        try:
            while True:
                self._follow_once()
        except KubeInspectError as e:
            self.inbox.put(Message(self.resource, "FAILED", e))

    def _follow_once(self) -> None:
        for event in self.client.watch(self.path, self.version):
            kind, obj = event.get("type"), event.get("object") or {}
            if kind == "ERROR":
                if obj.get("code") != 410:
                    raise ApiError(f"watching {self.resource} failed: {obj.get('message')}")
                items, self.version = list_with_version(self.client, self.path)
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


def watch_tree(
    client: KubeClient,
    namespace: str | None,
    out: TextIO,
    *,
    ascii_only: bool = False,
    in_place: bool = False,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Draw the tree, then redraw it on every change until interrupted (Ctrl-C)."""
    version = client.version()
    objects: dict[str, dict[str, ApiObject]] = {}
    inbox: queue.Queue[Message] = queue.Queue()
    for resource, path in (("nodes", "/api/v1/nodes"), ("pods", pods_path(namespace))):
        items, list_version = list_with_version(client, path)
        objects[resource] = {object_key(o): o for o in items}
        Follower(client, resource, path, list_version, inbox).start()

    def cluster() -> Cluster:
        return build_cluster(
            context=client.target.context,
            server=client.target.server,
            version=version,
            nodes=objects["nodes"].values(),
            pods=objects["pods"].values(),
            only_nodes_with_pods=namespace is not None,
        )

    shown = cluster()
    _draw(shown, Changes(), out, in_place, ascii_only, clock(), first=True)
    while True:
        messages = _next_messages(inbox)
        for message in messages:
            if message.kind == "FAILED":
                raise message.obj
            apply_event(objects[message.resource], message)
        latest = cluster()
        present = {str((n.get("metadata") or {}).get("name")) for n in objects["nodes"].values()}
        changes = compare(signatures(shown), signatures(latest), present)
        if changes != Changes():
            _draw(latest, changes, out, in_place, ascii_only, clock())
        shown = latest


def _next_messages(inbox: queue.Queue[Message]) -> list[Message]:
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


def _draw(
    cluster: Cluster,
    changes: Changes,
    out: TextIO,
    in_place: bool,
    ascii_only: bool,
    now: datetime,
    first: bool = False,
) -> None:
    out.write(CLEAR_SCREEN if in_place else "" if first else "\n")
    render_frame(cluster, changes, out, now=now, ascii_only=ascii_only)
    out.flush()
