"""The JSON Schemas of kube-inspect's JSON (and YAML) documents, shipped in the package."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any


def load_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) every ``-o json`` document validates against."""
    schema: dict[str, Any] = json.loads(files(__package__).joinpath("v1.json").read_text())
    return schema


def load_check_schema() -> dict[str, Any]:
    """Return the JSON Schema every ``check -o json`` document validates against."""
    schema: dict[str, Any] = json.loads(files(__package__).joinpath("check-v1.json").read_text())
    return schema


def load_diff_schema() -> dict[str, Any]:
    """Return the JSON Schema every ``diff -o json`` document validates against."""
    schema: dict[str, Any] = json.loads(files(__package__).joinpath("diff-v1.json").read_text())
    return schema


def load_snapshot_schema() -> dict[str, Any]:
    """Return the JSON Schema of a ``kube-inspect snapshot`` file."""
    text = files(__package__).joinpath("snapshot-v1.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_history_schema() -> dict[str, Any]:
    """Return the JSON Schema every ``history -o json`` document validates against."""
    text = files(__package__).joinpath("history-v1.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema
