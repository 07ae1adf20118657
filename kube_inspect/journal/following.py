"""The recorder's reads: LISTs, and a watch per LIST that says since when it is blind.

Built on the watch of ``tree --watch`` (read/watch.py): the same LIST with its version,
the same Follower that re-watches when the server ends a stream and relists on 410
Gone. The only addition is the time: a broken watch reports when it stopped seeing the
cluster, which opens the journal's gap.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from kube_inspect.errors import KubeInspectError
from kube_inspect.journal.differences import Followed
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.decode import decode_json, decode_object_list, decode_pod_list
from kube_inspect.offline.routes import UNSHAPED
from kube_inspect.read.watch import Follower, Message, list_with_version


@dataclass(frozen=True, slots=True)
class Broken:
    """Why a watch stopped, and since when it has not seen the cluster."""

    error: KubeInspectError
    since: datetime


def decoder(resource: str) -> Callable[[bytes], Any]:
    """Return the decoder of a LIST of ``resource``: events and usage whole, others lean.

    Every object loses its managedFields; pods are narrowed after (``narrowed``).
    """
    return decode_json if resource in UNSHAPED else decode_object_list


def narrowed(resource: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Return an object narrowed as a snapshot's is (pods to what the views read).

    A pod keeps its uid and resourceVersion besides: the journal tells a recreated pod
    from the one before by its uid.
    """
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)
    if resource != "pods":
        return obj
    items = decode_pod_list(msgspec.json.encode({"items": [obj]})).get("items") or [obj]
    found: dict[str, Any] = items[0]
    if isinstance(metadata, dict) and isinstance(found.get("metadata"), dict):
        for key in ("uid", "resourceVersion"):
            if key in metadata:
                found["metadata"][key] = metadata[key]
    return found


def list_now(client: KubeClient, followed: Followed) -> tuple[list[dict[str, Any]], str]:
    """Return the items of one LIST of the recorder, and the version to watch from."""
    read = followed.read
    items, version = list_with_version(
        client, read.path, list(read.query), decoder(followed.resource)
    )
    return [narrowed(followed.resource, o) for o in items], version


class JournalFollower(Follower):
    """A Follower whose failure says since when it stopped seeing the cluster."""

    def __init__(
        self,
        client: KubeClient,
        followed: Followed,
        version: str,
        inbox: queue.Queue[Message],
        stop: threading.Event,
    ) -> None:
        """Follow ``followed`` from ``version``, putting its messages on ``inbox``."""
        read = followed.read
        super().__init__(
            client,
            followed.label,
            read.path,
            version,
            inbox,
            list(read.query),
            decoder(followed.resource),
        )
        self.followed = followed
        self.stop = stop
        self.seen_at = datetime.now(UTC)  # the last time the watch saw the cluster

    def run(self) -> None:
        """Watch until stopped; when the watch fails, say since when it was blind."""
        try:
            while not self.stop.is_set():
                self.seen_at = datetime.now(UTC)
                self._follow_once()
        except KubeInspectError as e:
            self.inbox.put(Message(self.resource, "FAILED", Broken(e, self.seen_at)))

    def _follow_once(self) -> None:
        # read/watch.py's, with the time of each event (bookmarks too: the API server
        # sends one about every minute), so a broken watch knows when it last saw the
        # cluster; and the watched objects narrowed as their LIST is
        events = self.client.watch(self.path, self.version, selectors=self.query)
        for event in events:
            self.seen_at = datetime.now(UTC)
            if self.stop.is_set():
                return
            kind, obj = event.get("type"), event.get("object") or {}
            if kind == "ERROR":
                if obj.get("code") != 410:
                    message = obj.get("message")
                    raise KubeInspectError(f"watching {self.resource} failed: {message}")
                items, self.version = list_now(self.client, self.followed)
                self.inbox.put(Message(self.resource, "RELISTED", items))
                return
            self.version = str((obj.get("metadata") or {}).get("resourceVersion", self.version))
            if kind != "BOOKMARK":
                narrow = narrowed(self.followed.resource, obj)
                self.inbox.put(Message(self.resource, str(kind), narrow))
