"""`kube-inspect record`: LIST, then WATCH, what a snapshot holds, and append each change.

The main thread owns the journal: watching threads hand it their events, it writes
them and commits a batch at a time (a recorder killed with -9 loses at most the batch
it had not committed). A watch that breaks opens a gap, from when it last saw the
cluster; its resource is listed again until that succeeds, the differences are written
and the gap is closed. Usage (metrics.k8s.io) cannot be watched: it is listed at an
interval, and the differences written the same way.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kube_inspect.errors import ApiError, Forbidden, KubeInspectError, NotFound
from kube_inspect.journal.differences import (
    SAMPLED,
    Followed,
    Seen,
    digest,
    relisted_changes,
    watched_change,
)
from kube_inspect.journal.following import Broken, JournalFollower, list_now
from kube_inspect.journal.store import Journal
from kube_inspect.kube.client import KubeClient
from kube_inspect.model.journal import Change, ObjectKey
from kube_inspect.offline.checked import Failure
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.sending import Sender
from kube_inspect.read.watch import Message

COMMIT_SECONDS = 1.0  # at most this long between a change and its commit (and the heartbeat)
RETENTION_CHECK_SECONDS = 3600.0
RETRY_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0)  # between relists of a broken watch, then the last
VIEW_READS = frozenset({"nodes", "pods"})  # a 403 on these is a partial journal (exit 4)


@dataclass(frozen=True, slots=True)
class RecordOptions:
    """How the recorder runs: retention, the usage interval, how quiet."""

    keep: timedelta | None = None  # --keep: drop what only an older moment needs
    metrics_interval: float = 60.0
    commit_seconds: float = COMMIT_SECONDS


@dataclass
class Tally:
    """What the recorder did, for the progress lines and the summary."""

    changes: int = 0
    reconnects: int = 0
    relists: int = 0
    by_resource: dict[str, int] = field(default_factory=dict)


def _raiser(error: Exception) -> Callable[[], None]:
    def read() -> None:
        raise error

    return read


def now() -> datetime:
    """Return the time the journal stamps on what is seen now."""
    return datetime.now(UTC)


class Recorder:
    """Records one cluster's selection into a journal until ``stop`` is set."""

    def __init__(
        self,
        client: KubeClient,
        journal: Journal,
        reads: tuple[Followed, ...],
        options: RecordOptions,
        say: Callable[[str], None],
    ) -> None:
        """Record what ``reads`` list through ``client`` into ``journal``; ``say`` one line each."""
        self.client, self.journal, self.reads = client, journal, reads
        self.options, self.say = options, say
        self.cluster = client.target.context
        self.stop = threading.Event()
        self.inbox: queue.Queue[Message] = queue.Queue()
        self.forbidden = ForbiddenReads()
        self.tally = Tally()
        self._seen: dict[Followed, dict[ObjectKey, Seen]] = {}
        self._by_label = {f.label: f for f in reads}
        self._broken: dict[Followed, datetime] = {}  # since when; retried at _retry_at
        self._retry_at: dict[Followed, float] = {}
        self._tries: dict[Followed, int] = {}
        self._outage: tuple[datetime, int] = (now(), 0)  # since when, differences found
        self._pending: list[Change] = []

    def start(self, selection: dict[str, Any]) -> None:
        """List everything at once, write the differences with what the journal held, watch.

        A journal that already holds the cluster gets a gap from its last heartbeat (the
        recorder was not running) to this list.
        """
        began = now()
        spans = {s.cluster: s for s in self.journal.spans()}
        self.journal.begin(
            self.cluster, self.client.target.server, self.client.version(), selection, began
        )
        if self.cluster in spans:
            self.journal.open_gap(
                self.cluster, spans[self.cluster].last_at, "the recorder was not running"
            )
        outcomes = self._first_lists(began)
        if not any(o is None for r, o in outcomes.items() if r in VIEW_READS):
            raise self.forbidden.nothing_readable(["nodes", "pods"])
        self.journal.reads(self.cluster, began, outcomes)
        self.journal.close_gap(self.cluster, began)
        self._flush(began)

    def _first_lists(self, at: datetime) -> dict[str, Failure | None]:
        """List every read at once, write the differences, watch each; or say why not."""
        outcomes: dict[str, Failure | None] = {}
        sender = Sender(self.client)
        try:
            lists = {
                f: sender.start(functools.partial(list_now, self.client, f)) for f in self.reads
            }
            for followed, answer in lists.items():
                try:
                    items, version = answer.result()
                except Forbidden as e:
                    if followed.resource in VIEW_READS:
                        self.forbidden.attempt(followed.resource, _raiser(e), None)
                    outcomes[followed.resource] = Failure(403, str(e))
                    continue
                except NotFound as e:
                    if followed.resource in SAMPLED:
                        self.say("usage is not recorded: metrics.k8s.io is not served here")
                    outcomes[followed.resource] = Failure(404, str(e))
                    continue
                outcomes.setdefault(followed.resource, None)
                self._relisted(followed, items, at, fresh=True)
                if followed.resource not in SAMPLED:
                    self._watch(followed, version)
        finally:
            sender.close()
        return outcomes

    def _watch(self, followed: Followed, version: str) -> None:
        JournalFollower(self.client, followed, version, self.inbox, self.stop).start()

    def _relisted(
        self, followed: Followed, items: list[dict[str, Any]], at: datetime, fresh: bool = False
    ) -> int:
        seen = self._seen.get(followed)
        last = self.journal.current(self.cluster, followed.resource)
        in_scope = {
            k: c.object
            for k, c in last.items()
            if followed.read.namespace is None or k.namespace == followed.read.namespace
        }
        if seen is None or fresh:
            seen = {k: Seen(last[k].uid, digest(obj)) for k, obj in in_scope.items()}
            self._seen[followed] = seen
        changes = relisted_changes(self.cluster, followed.resource, items, seen, in_scope, at)
        self._pending += changes
        return len(changes)

    def run(self) -> None:
        """Write changes as they come until ``stop`` is set; commit each batch."""
        next_sample = time.monotonic() + self.options.metrics_interval
        next_retention = time.monotonic()
        while not self.stop.is_set():
            for message in self._messages():
                self._handle(message)
            clock = time.monotonic()
            self._retry(clock)
            if clock >= next_sample:
                self._sample()
                next_sample = clock + self.options.metrics_interval
            if self.options.keep is not None and clock >= next_retention:
                self.journal.forget_before(self.cluster, now() - self.options.keep)
                next_retention = clock + RETENTION_CHECK_SECONDS
            self._flush(now())

    def _messages(self) -> Iterator[Message]:
        deadline = time.monotonic() + self.options.commit_seconds
        while (left := deadline - time.monotonic()) > 0 and not self.stop.is_set():
            try:
                yield self.inbox.get(timeout=min(left, 0.2))
            except queue.Empty:
                continue

    def _handle(self, message: Message) -> None:
        followed = self._by_label[message.resource]
        at = now()
        if message.kind == "FAILED":
            self._broke(followed, message.obj)
        elif message.kind == "RELISTED":
            found = self._relisted(followed, message.obj, at)
            self.tally.relists += 1
            self.say(
                f"{followed.label}: the watch's version was too old (410 Gone): listed again, "
                f"{found} difference{'' if found == 1 else 's'} recorded"
            )
        else:
            seen = self._seen.setdefault(followed, {})
            change = watched_change(
                self.cluster, followed.resource, message.kind, message.obj, seen, at
            )
            if change is not None:
                self._pending.append(change)

    def _broke(self, followed: Followed, broken: Broken) -> None:
        if isinstance(broken.error, ApiError) and broken.error.status == 410:
            if not self._broken:
                self._outage = (now(), 0)
            self._broken[followed] = now()  # listed again at once, without a gap
            self._retry_at[followed] = 0.0
            return
        self.journal.open_gap(self.cluster, broken.since, f"{followed.label}: {broken.error}")
        if not self._broken:  # one line for the watches that break together
            self._outage = (broken.since, 0)
            self.say(f"the watch of {followed.label} broke ({broken.error}); reconnecting")
        self._broken[followed] = broken.since
        self._retry_at[followed] = time.monotonic() + RETRY_SECONDS[0]

    def _retry(self, clock: float) -> None:
        for followed in [f for f, at in self._retry_at.items() if at <= clock]:
            try:
                items, version = list_now(self.client, followed)
            except KubeInspectError:
                tries = self._tries[followed] = self._tries.get(followed, 0) + 1
                delay = RETRY_SECONDS[min(tries, len(RETRY_SECONDS) - 1)]
                self._retry_at[followed] = clock + delay
                continue
            self._tries.pop(followed, None)
            at = now()
            since, found = self._outage
            self._outage = (since, found + self._relisted(followed, items, at))
            self._broken.pop(followed)
            del self._retry_at[followed]
            self._watch(followed, version)
            if not self._broken:  # one line when every broken watch is back
                self.journal.close_gap(self.cluster, at)
                self.tally.reconnects += 1
                found = self._outage[1]
                self.say(
                    f"reconnected after {(at - since).total_seconds():.0f}s; listed again: "
                    f"{found} difference{'' if found == 1 else 's'} recorded"
                )

    def _sample(self) -> None:
        for followed in self.reads:
            if followed.resource not in SAMPLED or followed not in self._seen:
                continue
            try:
                items, _ = list_now(self.client, followed)
            except KubeInspectError:
                continue  # usage missed once: the next sample says it
            self._relisted(followed, items, now())

    def _flush(self, at: datetime) -> None:
        if self._pending:
            self.journal.append(self._pending)
            self.tally.changes += len(self._pending)
            for change in self._pending:
                resource = change.key.resource
                self.tally.by_resource[resource] = self.tally.by_resource.get(resource, 0) + 1
            self._pending = []
        self.journal.heartbeat(self.cluster, at)  # while blind too: the open gap says so
        self.journal.commit()
