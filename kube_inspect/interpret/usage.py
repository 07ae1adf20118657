"""Pure: live usage from metrics.k8s.io (NodeMetrics, PodMetrics objects) into Resources."""

from __future__ import annotations

from collections.abc import Iterable

from kube_inspect.interpret import fields
from kube_inspect.interpret.fields import ApiObject
from kube_inspect.interpret.resources import resources_of
from kube_inspect.model.cluster import Resources


def nodes_usage(metrics: Iterable[ApiObject] | None) -> dict[str, Resources]:
    """Return each node's usage by name, from metrics.k8s.io NodeMetrics objects."""
    return {
        str(fields.mapping(m.get("metadata")).get("name")): resources_of(
            fields.mapping(m.get("usage"))
        )
        for m in metrics or ()
    }


def pods_usage(metrics: Iterable[ApiObject] | None) -> dict[tuple[str, str], dict[str, Resources]]:
    """Return each pod's containers' usage by (namespace, name), from PodMetrics objects."""
    found: dict[tuple[str, str], dict[str, Resources]] = {}
    for m in metrics or ():
        meta = fields.mapping(m.get("metadata"))
        key = (str(meta.get("namespace", "")), str(meta.get("name", "")))
        found[key] = {
            str(fields.mapping(c).get("name")): resources_of(
                fields.mapping(fields.mapping(c).get("usage"))
            )
            for c in fields.items(m.get("containers"))
        }
    return found
