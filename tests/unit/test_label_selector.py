from __future__ import annotations

import pytest

from kube_inspect.build.label_selector import parse_selector
from kube_inspect.errors import UsageError

LABELS = {"app": "web", "tier": "front", "canary": "true"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("", True),
        ("app=web", True),
        ("app==web", True),
        ("app=db", False),
        ("app!=db", True),
        ("app=web,tier=back", False),
        ("tier in (front, back)", True),
        ("tier notin (front)", False),
        ("canary", True),
        ("!canary", False),
        ("app=web, tier in (front,back), !missing", True),
    ],
)
def test_selector_matches_as_kubectl_does(selector: str, matches: bool) -> None:
    assert parse_selector(selector)(LABELS) is matches


@pytest.mark.parametrize("selector", ["app=web=x", "a in b", "=web"])
def test_unreadable_selector_is_a_usage_error(selector: str) -> None:
    with pytest.raises(UsageError, match="invalid label selector"):
        parse_selector(selector)
