"""mkdocs hooks (mkdocs.yml ``hooks:``): links out of docs/ point to the repository.

On GitHub a page of docs/ may link ``../bench/results/bench.png`` or ``../pyproject.toml``;
the built site has no such files, so those links are rewritten to the repository's copy
(images to their raw bytes), and ``mkdocs build --strict`` still fails on every other
broken link.
"""

from __future__ import annotations

import re
from typing import Any

_OUT_OF_DOCS = re.compile(r"(?P<image>!?)\[(?P<text>[^\]]*)\]\(\.\./(?P<path>[^)\s]+)\)")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Return the page's Markdown with links out of docs/ pointed at the repository."""
    repo = str(config["repo_url"]).rstrip("/")

    def to_repo(found: re.Match[str]) -> str:
        raw = "?raw=true" if found["image"] else ""
        return f"{found['image']}[{found['text']}]({repo}/blob/main/{found['path']}{raw})"

    return _OUT_OF_DOCS.sub(to_repo, markdown)
