"""The journal's tables, version 1: the same in SQLite and PostgreSQL where the dialects allow.

Schemas only grow: a later version adds tables, columns (with defaults) and indexes, and
reads every journal an earlier version wrote (tests/fixtures/journal-v1.sqlite).
Times are text, UTC to the microsecond (``2026-12-06T03:00:00.000000Z``): sortable as
text, the same in both stores. ``namespace`` is '' for cluster-wide objects. An object
is its JSON as a snapshot keeps it (offline/kept.py: no secret).
"""

from __future__ import annotations

TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # one row per recorded cluster (its kubeconfig context); last_at is the heartbeat
    """CREATE TABLE IF NOT EXISTS clusters (
        name TEXT PRIMARY KEY,
        server TEXT NOT NULL,
        version TEXT NOT NULL,
        selection TEXT NOT NULL,
        first_at TEXT NOT NULL,
        last_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        cluster TEXT NOT NULL,
        observed_at TEXT NOT NULL,
        resource TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        uid TEXT NOT NULL,
        resource_version TEXT NOT NULL,
        change TEXT NOT NULL,
        object TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS changes_by_object ON changes (cluster, resource, namespace, name)",
    "CREATE INDEX IF NOT EXISTS changes_by_time ON changes (cluster, observed_at)",
    """CREATE TABLE IF NOT EXISTS gaps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        cluster TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        reason TEXT NOT NULL)""",
    # from recorded_at on, a resource could be read (ok = 1) or not (status, message)
    """CREATE TABLE IF NOT EXISTS reads (
        cluster TEXT NOT NULL,
        resource TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        ok INTEGER NOT NULL,
        status INTEGER,
        message TEXT)""",
)
