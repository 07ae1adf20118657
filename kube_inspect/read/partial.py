"""Partial results: read what the user may read, and say what was forbidden.

A user bound to ``view`` in one namespace may list its pods but not the cluster's nodes.
Rather than fail, a command shows what it could read, prints one warning per forbidden
read on stderr, and ends with the partial-result exit code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from kube_inspect.errors import Forbidden

T = TypeVar("T")

_USER = re.compile(r'User "([^"]*)"')
_RESOURCE = re.compile(r'cannot (\w+) resource "([^"]+)"')


@dataclass
class ForbiddenReads:
    """The reads the API server refused with 403, in the order they were tried.

    And those a check needs that could not be made at all (``unavailable``).
    """

    what: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    consequences: list[str] = field(default_factory=list)
    attempted: int = 0

    def attempt(
        self, what: str, read: Callable[[], T], instead: T, consequence: str | None = None
    ) -> T:
        """Return ``read()``, or ``instead`` after noting ``what`` when it is forbidden.

        ``consequence`` says what the result lacks (default: ``WHAT not shown``).
        """
        self.attempted += 1
        try:
            return read()
        except Forbidden as e:
            self.what.append(what)
            self.messages.append(str(e))
            self.consequences.append(consequence or f"{what} not shown")
            return instead

    def unavailable(self, what: str, message: str, consequence: str) -> None:
        """Note a read that could not be made at all (not in the file read), as a refused one.

        For what a result cannot do without (check's rules): unknown, never passed.
        """
        self.what.append(what)
        self.messages.append(message)
        self.consequences.append(consequence)

    def merge(self, other: ForbiddenReads) -> None:
        """Add the forbidden reads of ``other`` (e.g. one attempt of a read) to these."""
        self.what += other.what
        self.messages += other.messages
        self.consequences += other.consequences
        self.attempted += other.attempted

    @property
    def everything(self) -> bool:
        """Return True when reads were tried and every one of them was forbidden."""
        return self.attempted > 0 and len(self.what) == self.attempted

    def __bool__(self) -> bool:
        """Return True when some read was forbidden."""
        return bool(self.what)

    def warnings(self) -> list[str]:
        """Return one line per forbidden read, saying what is missing from the result."""
        return [
            f"{describe_forbidden(message)}: {consequence}"
            for message, consequence in zip(self.messages, self.consequences, strict=True)
        ]

    def nothing_readable(self, wanted: list[str]) -> Forbidden:
        """Return the error for a user who may read none of ``wanted``."""
        user = _USER.search(" ".join(self.messages))
        who = f"user {user.group(1)!r}" if user else "this user"
        if user and user.group(1) == "system:anonymous":
            return Forbidden(
                f"forbidden: the API server sees no credentials (user {user.group(1)!r}) and "
                f"lets it list no {' or '.join(wanted)}: set a user in the kubeconfig context"
            )
        return Forbidden(
            f"forbidden: {who} may not list {' or '.join(wanted)}: ask for a RoleBinding "
            "(e.g. to the view ClusterRole), or pass -n NAMESPACE where you have one"
        )


def describe_forbidden(message: str) -> str:
    """Return a 403 message shortened to who may not do what, e.g. for a warning line."""
    user, resource = _USER.search(message), _RESOURCE.search(message)
    if user and resource:
        return f'user "{user.group(1)}" may not {resource.group(1)} {resource.group(2)}'
    return message.removeprefix("forbidden: ")
