"""What `kube-inspect check` found: one finding per rule and object, and the report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """What one rule found about one object: ``object`` is e.g. ``pod/shop/web-1``."""

    rule: str
    object: str
    passed: bool
    message: str


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every finding of every rule that ran, sorted by rule then object."""

    rules: tuple[str, ...]
    findings: tuple[Finding, ...]
    not_checked: tuple[str, ...] = ()  # rules that could not run: what they read was forbidden

    @property
    def failures(self) -> tuple[Finding, ...]:
        """Return the findings that did not pass."""
        return tuple(f for f in self.findings if not f.passed)

    @property
    def passed(self) -> bool:
        """Return True when no finding failed (rules not checked are not: see ``complete``)."""
        return not self.failures

    @property
    def complete(self) -> bool:
        """Return True when every rule could be checked."""
        return not self.not_checked
