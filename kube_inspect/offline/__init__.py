"""Snapshots: what the read path read, kept in a file and played back through it again.

``recording`` wraps a live client and keeps the objects its answers held; ``document``
writes and reads the snapshot file (and kubectl's Lists); ``playback`` is a client that
answers the one read path from a snapshot, selectors applied as the API server would.
"""
