"""Impersonation: whom a kubeconfig's ``as`` (or kubectl's ``--as``) asks the API server to act as.

client-go reads a user's ``as``, ``as-uid``, ``as-groups`` and ``as-user-extra`` only when
``as`` names a user (a uid, groups or extras without one make kubectl refuse the
kubeconfig), and sends them on every request as ``Impersonate-User``, ``Impersonate-Uid``,
one ``Impersonate-Group`` per group and one ``Impersonate-Extra-<key>`` per value, the key
%-escaped where it holds a byte a header name cannot (client-go
transport/round_trippers.go, ``headerKeyEscape``). The API server then authorizes every
request as that user: a refused impersonation is a 403 like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

IMPERSONATE_USER = "Impersonate-User"
IMPERSONATE_UID = "Impersonate-Uid"
IMPERSONATE_GROUP = "Impersonate-Group"
IMPERSONATE_EXTRA = "Impersonate-Extra-"

# The bytes a header name may hold (RFC 7230 tchar), as client-go's legalHeaderKeyBytes;
# '%' is one, but client-go escapes it too, so that the server's unescaping is exact.
_TOKEN_BYTES = frozenset(
    b"!#$&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


@dataclass(frozen=True, slots=True)
class Impersonation:
    """Who the requests act as: a user, and optionally its uid, groups and extras."""

    user: str
    uid: str | None = None
    groups: tuple[str, ...] = ()
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()  # sorted by key


def escape_extra_key(key: str) -> str:
    """Return an extra's key as client-go puts it in a header name: odd bytes as %XX."""
    return "".join(chr(b) if b in _TOKEN_BYTES else f"%{b:02X}" for b in key.encode("utf-8"))


def impersonation_headers(impersonation: Impersonation | None) -> tuple[tuple[str, str], ...]:
    """Return the headers that ask the API server to act as ``impersonation``, in order.

    A name may come more than once (groups, an extra's values): send each as a line.
    """
    if impersonation is None:
        return ()
    headers = [(IMPERSONATE_USER, impersonation.user)]
    if impersonation.uid:
        headers.append((IMPERSONATE_UID, impersonation.uid))
    headers += [(IMPERSONATE_GROUP, group) for group in impersonation.groups]
    for key, values in impersonation.extra:
        headers += [(IMPERSONATE_EXTRA + escape_extra_key(key), value) for value in values]
    return tuple(headers)


def read_impersonation(user: Mapping[str, Any]) -> Impersonation | None:
    """Return the impersonation a kubeconfig user entry asks for, None when it names no user.

    Raises ValueError, in kubectl's words, for a uid, groups or extras without ``as``,
    or for a field of the wrong type.
    """
    name = _text(user.get("as"), "as")
    uid = _text(user.get("as-uid"), "as-uid")
    groups = _texts(user.get("as-groups"), "as-groups")
    extra = _extra(user.get("as-user-extra"))
    if not name:
        if uid or groups or extra:
            raise ValueError("requesting uid, groups or user-extra without impersonating a user")
        return None
    return Impersonation(name, uid or None, groups, extra)


def _text(value: Any, key: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a string")
    return value


def _texts(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} is not a list of strings")
    return tuple(value)


def _extra(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ValueError("as-user-extra is not a mapping of lists of strings")
    extra = tuple(
        (str(key), _texts(values, f"as-user-extra[{key}]"))
        for key, values in sorted(value.items(), key=lambda kv: str(kv[0]))
    )
    return tuple((key, values) for key, values in extra if values)
