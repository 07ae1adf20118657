"""The YAML view: the same documents as the JSON view."""

from __future__ import annotations

from typing import Any, TextIO

import yaml


def write_yaml(document: dict[str, Any], out: TextIO) -> None:
    """Write a document as block-style YAML, keys in the JSON view's order."""
    yaml.safe_dump(document, out, sort_keys=False, default_flow_style=False, allow_unicode=True)
