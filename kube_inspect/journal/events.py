"""The events about one object in a journal, without reading every change it holds.

An Event is named after the object it is about (``web.17a2b3c4d5e6f789``: the name, a
dot, the time in hex), as client-go's recorder and events.k8s.io writers name them; so
the events about pod ``web`` are among the event changes of its namespace whose name
starts with ``web.``. The SQL stores answer that in one indexed query; any other store is
read whole. Those about another object of a name with the same start are left out by
the caller, which checks each event's involvedObject.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from kube_inspect.journal.sqlite import _CHANGE_COLUMNS, SqliteJournal, _change_of
from kube_inspect.journal.store import Journal
from kube_inspect.model.journal import Change

_EVENTS = f"SELECT {_CHANGE_COLUMNS} FROM changes WHERE cluster = ? AND resource = 'events' "
_NAMED = "AND substr(name, 1, ?) = ? ORDER BY seq"


def events_named_after(
    journal: Journal, cluster: str, namespace: str | None, name: str, since: datetime
) -> Iterator[Change]:
    """Yield the event changes (from ``since`` on) whose name says they may be about ``name``.

    A node's events are in the namespace ``default`` (where the kubelet writes them),
    or wherever they were written: for a cluster-wide object (``namespace`` None) every
    namespace is read.
    """
    prefix = f"{name}."
    if not isinstance(journal, SqliteJournal):
        for change in journal.changes(cluster, since=since):
            if change.key.resource == "events" and change.key.name.startswith(prefix):
                yield change
        return
    # no time in the query: the planner would then walk the time index, not the object one
    if namespace is None:
        rows = journal._db.execute(_EVENTS + _NAMED, (cluster, len(prefix), prefix))
    else:
        query = _EVENTS + "AND namespace = ? " + _NAMED
        rows = journal._db.execute(query, (cluster, namespace, len(prefix), prefix))
    for row in rows:
        change = _change_of(tuple(row))
        if change.observed_at >= since:
            yield change
