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
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from kube_inspect.errors import ApiError, Forbidden, KubeInspectError, NotFound
from kube_inspect.interpret.arrange import arrange
from kube_inspect.interpret.fields import ApiObject
from kube_inspect.interpret.objects import build_cluster
from kube_inspect.kube.client import KubeClient, decode_lean_pod_list
from kube_inspect.kube.decode import decode_object_list
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.plan import Read, namespaced, plan_reads, selector_query
from kube_inspect.read.selection import Selection
from kube_inspect.read.sending import Sender

SETTLE_SECONDS = 0.3  # gather the burst of events one change makes into one frame
NODES_EFFECT = "nodes are shown by name only, without status"
MAX_GATHER_SECONDS = 2.0  # but draw at least this often while events keep coming


@dataclass(frozen=True, slots=True)
class Message:
    """What a watching thread tells the main thread."""

    resource: str  # what is followed: "nodes", "pods in NAMESPACE", "replicasets"...
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
    client: KubeClient,
    path: str,
    query: list[tuple[str, Any]] | None = None,
    decode: Callable[[bytes], Any] = decode_object_list,
) -> tuple[list[dict[str, Any]], str]:
    """Return the items of a LIST and the resourceVersion to watch it from.

    ``decode`` is the lean decoder of the resource: no managedFields, pods only what the
    builder reads.
    """
    items: list[dict[str, Any]] = []
    version = ""
    for page in client.pages(path, query, decode):
        items += page.get("items") or []
        version = str((page.get("metadata") or {}).get("resourceVersion", ""))
    return items, version


def _lean(obj: dict[str, Any]) -> dict[str, Any]:
    """Return a watched object without its managedFields (the builder never reads them)."""
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)
    return obj


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
        decode: Callable[[bytes], Any] = decode_object_list,
    ) -> None:
        """Follow ``path`` (with ``query`` selectors) from ``version``; report to ``inbox``.

        ``resource`` names what is followed in its messages; ``decode`` reads a relisting.
        """
        super().__init__(name=f"watch-{resource}", daemon=True)
        self.client, self.resource, self.path, self.version = client, resource, path, version
        self.inbox, self.query, self.decode = inbox, query or [], decode

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
                items, self.version = list_with_version(
                    self.client, self.path, self.query, self.decode
                )
                self.inbox.put(Message(self.resource, "RELISTED", items))
                return
            self.version = str((obj.get("metadata") or {}).get("resourceVersion", self.version))
            if kind != "BOOKMARK":
                self.inbox.put(Message(self.resource, str(kind), _lean(obj)))


def pods_path(namespace: str | None) -> str:
    """Return the path of the pods of one namespace, or of all."""
    return namespaced("/api/v1", "pods", namespace)


def watch_reads(selection: Selection) -> tuple[Read, ...]:
    """Return the LISTs the watch lists, then follows: the plan's nodes and pods.

    Nodes asked for by name are picked here from the LIST (a WATCH follows a LIST, not a
    GET); the server filters the pods of one node asked for, more are filtered here.
    """
    plan = plan_reads(replace(selection, nodes=(), with_nodes=True))
    pods = plan.pods
    if len(selection.nodes) == 1:
        on_node = f"spec.nodeName={selection.nodes[0]}"
        field = f"{selection.field_selector},{on_node}" if selection.field_selector else on_node
        query = selector_query(selection.label_selector, field)
        pods = tuple(replace(read, query=query) for read in pods)
    return (*plan.nodes, *pods)


# The owners that lead a pod to its top workload (ReplicaSets, Jobs), as read_cluster
# reads them: followed like pods, so a pod of a new ReplicaSet is named after its
# Deployment too. An extra: forbidden or not served, it is a notice.
OWNER_KINDS = {"replicasets": "ReplicaSet", "jobs": "Job"}
OWNERS_EFFECT = "owners shown one level up only"


def owner_reads(selection: Selection) -> tuple[Read, ...]:
    """Return the plan's LISTs of owners, when the selection shows them."""
    return plan_reads(selection).owners if selection.with_owners else ()


def _list_owners(
    client: KubeClient, reads: tuple[Read, ...], notices: list[str]
) -> dict[Read, tuple[list[dict[str, Any]], str]]:
    """Return each owner read's items and version; one that cannot be read is a notice."""
    found: dict[Read, tuple[list[dict[str, Any]], str]] = {}
    with _sent(client, reads) as answers:
        for read, answer in answers.items():
            try:
                found[read] = answer.result()
            except Forbidden:
                notice = f"reading {read.resource} is forbidden for this user: {OWNERS_EFFECT}"
                notices.append(notice)
            except NotFound:
                notices.append(f"{read.resource} is not served by this cluster: {OWNERS_EFFECT}")
    return found


def _label(read: Read) -> str:
    """Return what a followed read is called in its messages: ``pods in shop``."""
    return read.resource if read.namespace is None else f"{read.resource} in {read.namespace}"


def _selected(
    selection: Selection, objects: dict[Read, dict[str, ApiObject]], nodes_read: bool
) -> Frame:
    def of(resource: str) -> list[ApiObject]:
        return [o for r, found in objects.items() if r.resource == resource for o in found.values()]

    nodes = of("nodes")
    if selection.nodes:
        nodes = [n for n in nodes if (n.get("metadata") or {}).get("name") in selection.nodes]
    names = frozenset(str((n.get("metadata") or {}).get("name")) for n in nodes)
    pods = of("pods")
    if selection.nodes or selection.node_selector:
        wanted = names if nodes_read else frozenset(selection.nodes)
        pods = [p for p in pods if (p.get("spec") or {}).get("nodeName") in wanted]
    owners = {
        kind: of(r) for r, kind in OWNER_KINDS.items() if any(x.resource == r for x in objects)
    }
    cluster = build_cluster(
        context="",
        server="",
        version="",
        nodes=nodes,
        pods=pods,
        only_nodes_with_pods=selection.filters_pods,
        owners=owners,
    )
    return Frame(arrange(cluster, selection.problems, selection.sort), names)


Listed = tuple[list[dict[str, Any]], str]  # a LIST's items and its resourceVersion


@contextmanager
def _sent(client: KubeClient, reads: tuple[Read, ...]) -> Iterator[dict[Read, Future[Listed]]]:
    """Yield each read's future LIST (items and version), all sent at once."""
    sender = Sender(client)
    try:

        def listing(read: Read) -> Callable[[], Listed]:
            return lambda: list_with_version(client, read.path, list(read.query), _decoder(read))

        yield {read: sender.send(read, listing(read)) for read in reads}
    finally:
        sender.close()


def _listed(
    client: KubeClient, reads: tuple[Read, ...], forbidden: ForbiddenReads
) -> dict[Read, Listed | None]:
    """Return each read's items and version, all sent at once; None where it is forbidden."""
    with _sent(client, reads) as answers:
        return {
            read: forbidden.attempt(
                read.resource,
                answers[read].result,
                None,
                NODES_EFFECT if read.resource == "nodes" else None,
            )
            for read in reads
        }


def _decoder(read: Read) -> Callable[[bytes], Any]:
    return decode_lean_pod_list if read.resource == "pods" else decode_object_list


def follow_cluster(
    client: KubeClient, selection: Selection, forbidden: ForbiddenReads
) -> Iterator[Frame]:
    """Yield the selection now, then again after every burst of changes, until interrupted.

    The plan's nodes and pods are listed at once, then each is followed from its list's
    version. A forbidden read of nodes or pods is noted in ``forbidden`` (checked before
    the first frame) and that resource is not followed; when both are, Forbidden is raised.
    """
    version = client.version()
    objects: dict[Read, dict[str, ApiObject]] = {}
    inbox: queue.Queue[Message] = queue.Queue()
    followers, labels = [], {}

    def follow(read: Read, listed: Listed) -> None:  # from the version it was listed at
        items, list_version = listed
        objects[read] = {object_key(o): o for o in items}
        labels[_label(read)] = read
        query = list(read.query)
        followers.append(
            Follower(client, _label(read), read.path, list_version, inbox, query, _decoder(read))
        )

    for read, listed in _listed(client, watch_reads(selection), forbidden).items():
        if listed is not None:
            follow(read, listed)
    if not objects:
        raise forbidden.nothing_readable(["nodes", "pods"])
    read_kinds = {read.resource for read in objects}
    unread = tuple(r for r in ("nodes", "pods") if r not in read_kinds)
    notices: list[str] = []
    for read, listed in _list_owners(client, owner_reads(selection), notices).items():
        follow(read, listed)

    def frame() -> Frame:
        found = _selected(selection, objects, "nodes" in read_kinds)
        cluster = replace(
            found.cluster,
            context=client.target.context,
            server=client.target.server,
            version=version,
            unread=unread,
            notices=tuple(dict.fromkeys(notices)),
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
            apply_event(objects[labels[message.resource]], message)
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
