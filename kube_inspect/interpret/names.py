"""Names and field selectors checked as the API server checks them, before any request.

The messages are apimachinery's (``k8s.io/apimachinery/pkg/api/validation/path`` and
``pkg/util/validation``), so a user reads what kubectl would have said.
"""

from __future__ import annotations

import re

from kube_inspect.errors import UsageError

_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
    "regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def path_segment_problems(name: str) -> list[str]:
    """Return why ``name`` cannot be one segment of a request path (empty: it can)."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


def label_problems(name: str) -> list[str]:
    """Return why ``name`` is not a DNS-1123 label (a namespace's rule)."""
    problems = []
    if len(name) > 63:
        problems.append("must be no more than 63 characters")
    if not _LABEL.fullmatch(name):
        problems.append(LABEL_MESSAGE)
    return problems


def subdomain_problems(name: str) -> list[str]:
    """Return why ``name`` is not a DNS-1123 subdomain (a node's and most objects' rule)."""
    problems = []
    if len(name) > 253:
        problems.append("must be no more than 253 characters")
    if not _SUBDOMAIN.fullmatch(name):
        problems.append(SUBDOMAIN_MESSAGE)
    return problems


def check_name(name: str, what: str, *, label: bool = False) -> None:
    """Raise UsageError, worded as kubectl words it, when ``name`` is no valid ``what``."""
    if name == "":
        raise UsageError(f'invalid {what} "": [may not be empty]')
    problems = path_segment_problems(name) or (
        label_problems(name) if label else subdomain_problems(name)
    )
    if problems:
        raise UsageError(f"invalid {what} {_quoted(name)}: [{', '.join(problems)}]")


def check_field_selector(text: str, flag: str) -> None:
    """Raise UsageError naming ``flag`` when ``text`` does not parse as a field selector.

    The grammar is apimachinery's ``fields.ParseSelector``: terms split on unescaped
    commas, each ``key=value``, ``key==value`` or ``key!=value``, with ``\\`` escaping.
    """
    for term in _split_unescaped(text):
        if term == "":
            continue
        key, operator = _split_term(term)
        if operator is None:
            raise UsageError(
                f"invalid {flag} {_quoted(text)}: can't understand {_quoted(term)} "
                "(use key=value, key==value or key!=value)"
            )
        if key == "":
            raise UsageError(f"invalid {flag} {_quoted(text)}: {_quoted(term)} names no field")


def _split_unescaped(text: str) -> list[str]:
    terms, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            terms.append(current)
            current = ""
        else:
            current += char
    if escaped:
        current += "\\"
    terms.append(current)
    return terms


def _split_term(term: str) -> tuple[str, str | None]:
    escaped = False
    for i, char in enumerate(term):
        if escaped:
            escaped = False
            continue
        if char == "\\":
            escaped = True
            continue
        for operator in ("!=", "==", "="):
            if term.startswith(operator, i):
                return term[:i], operator
    return term, None


def _quoted(text: str) -> str:
    """Return ``text`` in double quotes, as Go's %q would show it (control characters escaped)."""
    escaped = text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    return f'"{escaped}"'
