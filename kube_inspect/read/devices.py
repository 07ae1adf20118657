"""The DRA reads (resource.k8s.io/v1): ResourceSlices, then DeviceClasses and ResourceClaims.

Views that show devices send the slices with the rest; the others send them only once
a Pending pod with claims was read (why it waits). The classes and claims follow the
slices' answer: a cluster that does not serve the API group costs one request, its 404.
Shown, a forbidden read is a partial result; read for a pending pod only, a notice.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kube_inspect.errors import KubeInspectError, NotFound
from kube_inspect.interpret.dra import with_devices
from kube_inspect.kube.client import KubeClient
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.gather import Answers, gathered, items, optional
from kube_inspect.read.partial import ForbiddenReads
from kube_inspect.read.plan import Read, ReadPlan
from kube_inspect.read.selection import Selection
from kube_inspect.read.sending import Sender, fetch

GROUP = "resource.k8s.io/v1"
Objects = list[dict[str, Any]]


def _waiting_for_devices(cluster: Cluster) -> bool:
    """Return True when a pod not placed yet has claims (it may wait for devices)."""
    return any(p.claims and p.phase == "Pending" for p in cluster.unscheduled)


def _send_after(client: KubeClient, sender: Sender, answers: Answers, plan: ReadPlan) -> None:
    """Send the classes and claims once the slices answered, unless they were not served."""
    assert plan.device_slices is not None
    slices = answers[plan.device_slices]

    def after(read: Read) -> Callable[[], Any]:
        def task() -> Any:
            try:
                slices.result()
            except NotFound:
                raise  # the group is not served: no request for the others
            except KubeInspectError:
                pass  # forbidden or failing: the group is served, the others may be read
            return fetch(client, read)

        return task

    for read in plan.devices_after:
        answers[read] = sender.start(after(read))


def read_devices(
    client: KubeClient,
    sender: Sender,
    answers: Answers,
    plan: ReadPlan,
    selection: Selection,
    cluster: Cluster,
    forbidden: ForbiddenReads | None,
) -> Cluster:
    """Return the cluster with its devices and pods' claims, when the view wants them.

    Shown (``with_devices``): pools and claims, a refused read a partial result. Else
    the claims are resolved for judging (check, --problems, a pending pod's causes).
    """
    if plan.device_slices is None:
        return cluster
    if plan.devices_when == "pending":
        if not _waiting_for_devices(cluster):
            return cluster
        answers[plan.device_slices] = sender.send(plan.device_slices)
    _send_after(client, sender, answers, plan)
    if selection.with_devices:
        return _shown(answers, plan, cluster, forbidden)
    return _judged(answers, plan, cluster)


def _judged(answers: Answers, plan: ReadPlan, cluster: Cluster) -> Cluster:
    """Return the cluster with its pods' claims resolved; what failed is a notice.

    A cluster not serving the group is said so only when a pod has claims (else it has
    no device to judge: check and --problems on a cluster without DRA stay quiet).
    """
    assert plan.device_slices is not None
    notices: list[str] = []
    effect = "pods waiting for devices are explained from their own status only"
    reads = (plan.device_slices, *plan.devices_after)
    try:
        answers[plan.device_slices].result()
    except NotFound:
        pods = itertools.chain(cluster.unscheduled, *(n.pods for n in cluster.nodes))
        if not any(p.claims for p in pods):
            return cluster
    except KubeInspectError:
        pass  # judged by ``optional`` below
    found = optional(lambda: [items(answers, (r,)) for r in reads], GROUP, effect, notices)
    cluster = replace(cluster, notices=(*cluster.notices, *notices))
    if found is None:
        return cluster
    slices, classes = found[0], found[1]
    claims = [c for part in found[2:] for c in part]
    return with_devices(cluster, classes, slices, claims, show_pools=False)


def _shown(
    answers: Answers, plan: ReadPlan, cluster: Cluster, forbidden: ForbiddenReads | None
) -> Cluster:
    """Return the cluster with what the device reads gave, a refused one noted as partial."""
    assert plan.device_slices is not None
    try:
        answers[plan.device_slices].result()
    except NotFound:  # not served (before 1.34, or a file of older reads): nothing to show
        return cluster
    except KubeInspectError:
        pass  # judged below, where it is read again
    slices = _one(forbidden, "resourceslices", (plan.device_slices,), answers, "devices not shown")
    classes = None  # without the slices, the classes count nothing: one warning, not two
    if slices is not None:
        classes = _one(
            forbidden,
            "deviceclasses",
            plan.devices_after[:1],
            answers,
            "device classes not shown; waiting claims not counted",
        )
    claims = _one(
        forbidden,
        "resourceclaims",
        plan.devices_after[1:],
        answers,
        "pods' devices not shown; every device counted free",
    )
    return with_devices(cluster, classes, slices, claims, show_pools=True)


def _one(
    forbidden: ForbiddenReads | None,
    what: str,
    reads: tuple[Read, ...],
    answers: Answers,
    effect: str,
) -> Objects | None:
    """Return the items of ``reads`` (one per namespace), None when none could be read."""
    unread: Objects | None = None
    found, allowed = gathered(forbidden, what, reads, lambda r: items(answers, r), unread, effect)
    if not allowed:
        return None
    return [item for part in found if part is not None for item in part]
