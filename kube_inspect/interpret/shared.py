"""One copy of each equal value met while building one model.

A cluster repeats a few node names, namespaces, images, phases, timestamps, container
states, ports and label sets on thousands of pods, and each decoded pod carries copies
of its own. The model keeps the first copy met and lets the others go with their page:
at 30,000 pods that is about a third of the model's memory (docs/performance.md).
The values are kept for one build only, not process-wide as ``sys.intern`` would keep
them: ``--watch`` builds for hours, and timestamps and pod names never stop coming.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T", bound=Hashable)
LabelSet = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Shared:
    """The values met so far in one build, each the copy the model keeps."""

    values: dict[Hashable, Any] = field(default_factory=dict)
    labels: dict[LabelSet, Mapping[str, str]] = field(default_factory=dict)

    def one(self, value: T) -> T:
        """Return the first value met equal to ``value`` (``value`` itself the first time)."""
        kept: T = self.values.setdefault(value, value)
        return kept

    def label_set(self, labels: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return the first label mapping met equal to ``labels``, in the same order."""
        if not labels:
            return labels
        key = tuple(labels.items())
        try:
            return self.labels.setdefault(key, labels)
        except TypeError:  # a value that is no text (a damaged object): kept as it is
            return labels
