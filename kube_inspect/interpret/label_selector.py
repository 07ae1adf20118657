"""Kubernetes label selectors (``-l app=web,tier!=db,env in (a,b),!canary,gen>3``).

Read by the grammar of the API machinery (k8s.io/apimachinery/pkg/labels/selector.go):
the same lexer, parser and validation of keys and values, so a selector is accepted
or refused exactly as the API server does (kubectl sends it as typed), and matched
locally as the server matches it (snapshots, --expect files).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from kube_inspect.errors import UsageError

Matcher = Callable[[Mapping[str, Any]], bool]
Token = tuple[str, str]  # (kind, literal)

_WHITESPACE = " \t\r\n"
_SPECIAL = "=!(),><"
_SYMBOLS = {")", ",", "!", "==", "=", ">", "<", "!=", "("}
_KEYWORDS = {"in", "notin"}
_OPERATORS = ("=", "==", "!=", ">", "<", "in", "notin")
_NAME = re.compile(r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS_SUBDOMAIN = re.compile(
    r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*"
)
_INTEGER = re.compile(r"[+-]?[0-9]+")  # Go's strconv.ParseInt(s, 10, 64), before its range
_INT64 = 2**63


class SelectorError(ValueError):
    """A selector the API machinery's parser refuses, with its words for why."""


def _lex(text: str) -> list[Token]:
    """Return the tokens of ``text``, ending with ("end", ""), as selector.go's Lexer.

    Like it, a NUL read where a token starts ends the input, and one that ends a token
    is consumed with it.
    """
    tokens: list[Token] = []
    pos, size = 0, len(text)
    while True:
        while pos < size and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= size or text[pos] == "\0":
            tokens.append(("end", ""))
            return tokens
        start = pos
        if text[pos] in _SPECIAL:
            while pos < size and text[pos] in _SPECIAL and text[start : pos + 1] in _SYMBOLS:
                pos += 1  # the longest run of symbols that is one token: every one is
            literal = text[start:pos]
            tokens.append((literal, literal))
        else:
            while pos < size and text[pos] not in _SPECIAL + _WHITESPACE + "\0":
                pos += 1
            literal = text[start:pos]
            tokens.append((literal if literal in _KEYWORDS else "id", literal))
        if pos < size and text[pos] == "\0":
            pos += 1


def _check_key(key: str) -> None:
    parts = key.split("/")
    if len(parts) > 2:
        raise SelectorError(f"invalid label key {key!r}: at most one '/'")
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix):
            raise SelectorError(f"invalid label key {key!r}: prefix must be a DNS subdomain")
    if not name or len(name) > 63 or not _NAME.fullmatch(name):
        raise SelectorError(
            f"invalid label key {key!r}: a name of at most 63 alphanumeric characters, "
            "'-', '_' or '.', starting and ending with one alphanumeric"
        )


def _check_value(key: str, value: str) -> None:
    if value and (len(value) > 63 or not _NAME.fullmatch(value)):
        raise SelectorError(
            f"invalid value {value!r} for {key}: empty, or at most 63 alphanumeric "
            "characters, '-', '_' or '.', starting and ending with one alphanumeric"
        )


class _Parser:
    """selector.go's Parser: one requirement after another, separated by commas."""

    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.at = 0

    def peek(self, values: bool = True) -> Token:
        kind, literal = self.tokens[self.at]
        return ("id", literal) if values and kind in _KEYWORDS else (kind, literal)

    def take(self, values: bool = True) -> Token:
        token = self.peek(values)
        self.at += 1
        return token

    def requirements(self) -> list[Matcher]:
        found: list[Matcher] = []
        while True:
            kind, literal = self.peek()
            if kind == "end":
                return found
            if kind not in ("id", "!"):
                raise SelectorError(
                    f"found {literal!r}, expected: !, identifier, or 'end of string'"
                )
            found.append(self.requirement())
            kind, literal = self.take()
            if kind == "end":
                return found
            if kind != ",":
                raise SelectorError(f"found {literal!r}, expected: ',' or 'end of string'")
            kind, literal = self.peek()
            if kind not in ("id", "!"):
                raise SelectorError(f"found {literal!r}, expected: identifier after ','")

    def requirement(self) -> Matcher:
        negated = self.peek()[0] == "!"
        if negated:
            self.take()
        kind, key = self.take()
        if kind != "id":
            raise SelectorError(f"found {key!r}, expected: identifier")
        _check_key(key)
        if self.peek()[0] in ("end", ","):
            return lambda labels: (key in labels) != negated
        if negated:  # "!key" is a whole requirement: what follows is not a comma
            raise SelectorError(f"found {self.peek()[1]!r}, expected: ',' or 'end of string'")
        operator, literal = self.take(values=False)
        if operator not in _OPERATORS:
            raise SelectorError(f"found {literal!r}, expected: {', '.join(_OPERATORS)}")
        values = self.values() if operator in ("in", "notin") else {self.exact_value()}
        for value in values:
            _check_value(key, value)
        return _matcher(key, operator, values)

    def values(self) -> set[str]:
        kind, literal = self.take()
        if kind != "(":
            raise SelectorError(f"found {literal!r} expected: '('")
        kind, literal = self.peek()
        if kind == ")":
            self.take()
            return {""}
        if kind not in ("id", ","):
            raise SelectorError(f"found {literal!r}, expected: ',', ')' or identifier")
        found = self.identifiers()
        if self.take()[0] != ")":
            raise SelectorError(f"found {literal!r}, expected: ')'")
        return found

    def identifiers(self) -> set[str]:
        found: set[str] = set()
        while True:
            kind, literal = self.take()
            if kind == "id":
                found.add(literal)
                after, seen = self.peek()
                if after == ")":
                    return found
                if after != ",":
                    raise SelectorError(f"found {seen!r}, expected: ',' or ')'")
            elif kind == ",":
                after = self.peek()[0]
                if not found or after in (")", ","):
                    found.add("")  # "(,", ",)" and ",," hold the empty value
                if after == ")":
                    return found
            else:
                raise SelectorError(f"found {literal!r}, expected: ',', or identifier")

    def exact_value(self) -> str:
        if self.peek()[0] in ("end", ","):
            return ""
        kind, literal = self.take()
        if kind != "id":
            raise SelectorError(f"found {literal!r}, expected: identifier")
        return literal


def _integer(text: str) -> int | None:
    """Return ``text`` as Go's ParseInt(text, 10, 64) reads it, or None."""
    if not _INTEGER.fullmatch(text):
        return None
    number = int(text)
    return number if -_INT64 <= number < _INT64 else None


def _matcher(key: str, operator: str, values: set[str]) -> Matcher:
    """Return the test of one requirement, as selector.go's Requirement.Matches."""
    if operator in ("=", "==", "in"):
        return lambda labels: key in labels and labels[key] in values
    if operator in ("!=", "notin"):
        return lambda labels: key not in labels or labels[key] not in values
    (value,) = values
    bound = _integer(value)
    if bound is None:
        raise SelectorError(f"for '>' and '<', the value must be an integer, not {value!r}")

    def compare(labels: Mapping[str, Any]) -> bool:
        found = _integer(str(labels[key])) if key in labels else None
        if found is None:
            return False
        return found > bound if operator == ">" else found < bound

    return compare


def parse_selector(text: str | None) -> Matcher:
    """Return a function telling whether a labels mapping matches the selector (all if empty).

    Raises UsageError, the one error, for a selector the API server would refuse.
    """
    if not text:
        return lambda labels: True
    try:
        requirements = _Parser(text).requirements()
    except SelectorError as e:
        raise UsageError(f"invalid label selector {text!r}: {e}") from None
    return lambda labels: all(r(labels) for r in requirements)


def object_labels(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return an API object's labels, or an empty mapping."""
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, Mapping) else None
    return labels if isinstance(labels, Mapping) else {}
