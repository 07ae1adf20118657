"""The recorded incident (tests/fixtures/history/story.json) as a journal's changes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from kube_inspect.model.journal import Change, ChangeType, ObjectKey

STORY = Path(__file__).resolve().parents[1] / "fixtures" / "history" / "story.json"
NAMESPACE = "story"


def story_changes() -> list[Change]:
    """Return the watch events recorded from the real API server, numbered as a journal would."""
    changes = []
    for seq, event in enumerate(json.loads(STORY.read_text()), start=1):
        obj, resource = event["object"], event["resource"]
        meta = obj["metadata"]
        changes.append(
            Change(
                seq=seq,
                cluster="story",
                observed_at=datetime.fromisoformat(event["observed_at"]),
                change=ChangeType(event["type"].lower()),
                key=ObjectKey(resource, meta.get("namespace"), meta["name"]),
                uid=meta["uid"],
                resource_version=meta["resourceVersion"],
                object=obj,
            )
        )
    return changes
