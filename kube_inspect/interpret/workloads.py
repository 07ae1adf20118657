"""Pure: Deployments, StatefulSets and DaemonSets (plain dicts) into the model's Workload.

Their replicas and what their status says of the rollout, read as `kubectl rollout
status` reads them (judged in interpret/rollouts.py).
"""

from __future__ import annotations

from kube_inspect.interpret import fields
from kube_inspect.interpret.fields import ApiObject, labels_of
from kube_inspect.model.cluster import Rollout, Workload


def workload_replicas(workload: ApiObject) -> tuple[int, int]:
    """Return (desired, ready) replicas of a Deployment, StatefulSet or DaemonSet."""
    spec, status = fields.mapping(workload.get("spec")), fields.mapping(workload.get("status"))
    if workload.get("kind") == "DaemonSet":
        return fields.count(status.get("desiredNumberScheduled")), fields.count(
            status.get("numberReady")
        )
    replicas = spec.get("replicas", 1)  # the API defaults an omitted replicas to 1
    return fields.count(replicas), fields.count(status.get("readyReplicas"))


def workload_rollout(workload: ApiObject) -> Rollout:
    """Return what the workload's status says of its rollout (the fields kubectl reads)."""
    meta, spec, status = (fields.mapping(workload.get(k)) for k in ("metadata", "spec", "status"))
    daemon = workload.get("kind") == "DaemonSet"
    strategy = fields.mapping(
        spec.get("strategy" if workload.get("kind") == "Deployment" else "updateStrategy")
    )
    partition = fields.mapping(strategy.get("rollingUpdate")).get("partition")
    progressing = next(
        (
            c
            for c in map(fields.mapping, fields.items(status.get("conditions")))
            if c.get("type") == "Progressing"
        ),
        fields.mapping(None),
    )
    return Rollout(
        strategy=fields.text(strategy.get("type")),
        generation=fields.count(meta.get("generation")),
        observed_generation=fields.count(status.get("observedGeneration")),
        total=fields.count(status.get("currentNumberScheduled" if daemon else "replicas")),
        updated=fields.count(status.get("updatedNumberScheduled" if daemon else "updatedReplicas")),
        available=fields.count(status.get("numberAvailable" if daemon else "availableReplicas")),
        partition=partition if type(partition) is int else None,  # bool is not
        update_revision=fields.text(status.get("updateRevision")),
        current_revision=fields.text(status.get("currentRevision")),
        progressing_reason=fields.text(progressing.get("reason")),
        progressing_message=fields.text(progressing.get("message")),
    )


def build_workload(workload: ApiObject) -> Workload:
    """Return the model of a Deployment, StatefulSet or DaemonSet object (with its kind)."""
    meta = fields.mapping(workload.get("metadata"))
    desired, ready = workload_replicas(workload)
    return Workload(
        kind=str(workload.get("kind") or "Workload"),
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        desired=desired,
        ready=ready,
        labels=labels_of(meta),
        rollout=workload_rollout(workload) if "status" in workload else None,
    )
