"""Pure: DRA devices, claims and classes in plain words, on the user's own cluster.

Each function returns sentences; the tour and the objects' explanations wrap them.
"""

from __future__ import annotations

from kube_inspect.interpret.health import DEVICE_CLAIM_STATES
from kube_inspect.interpret.words import plural
from kube_inspect.model.cluster import Cluster, Node, Pod
from kube_inspect.model.devices import DevicePool

DEVICE = (
    "a piece of hardware (a GPU, a network card) that a driver publishes in a ResourceSlice, "
    "in a pool of one node (or of none: network-attached)"
)
CLASS = "a DeviceClass names a kind of device: the CEL selectors every device of it passes"
CLAIM = (
    "a ResourceClaim asks for devices of a class (its own selectors may narrow them); "
    "the scheduler allocates free matching devices to it before the pod is placed, and "
    "every pod that names the claim shares them"
)


def _pools(cluster: Cluster) -> list[DevicePool]:
    return [p for n in cluster.nodes for p in n.devices or ()] + list(cluster.devices or ())


def devices_summary(cluster: Cluster) -> str | None:
    """Return the tour's paragraph on devices, classes and claims; None when it has none."""
    pools = _pools(cluster)
    claimed = [p for p in cluster.pods if p.claims]
    if not pools and not cluster.device_classes and not claimed:
        return None
    total = sum(p.total for p in pools)
    allocated = sum(p.allocated for p in pools)
    text = (
        f"A device is {DEVICE}; {CLASS}; {CLAIM}. "
        f"{plural(total, 'device')} in {plural(len(pools), 'pool')}: {allocated} allocated, "
        f"{total - allocated} free."
    )
    if cluster.device_classes:
        names = ", ".join(c.name for c in cluster.device_classes)
        text += f" Classes: {names}."
    if claimed:
        example = next((p for p in claimed if p.device_count), claimed[0])
        text += f" {plural(len(claimed), 'pod')} hold claims; e.g. {claim_example(example)}"
    return text


def claim_example(pod: Pod) -> str:
    """Return one sentence on a pod's first claim: what it holds, shared or not."""
    claim = pod.claims[0]
    name = claim.claim or f"(not made yet from {claim.template})"
    held = ", ".join(d.text for d in claim.devices) or f"no device yet ({claim.state or '?'})"
    shared = f", shared by {claim.shared} pods" if claim.shared > 1 else ""
    return f"{pod.namespace}/{pod.name} holds {held} through claim {name}{shared}."


def node_device_lines(node: Node) -> list[str]:
    """Return ``explain node``'s sentences on the node's device pools."""
    lines = []
    for pool in node.devices or ():
        models = sorted({v for d in pool.devices for k, v in d.attributes if k == "model"})
        kind = f" ({', '.join(models)})" if models else ""
        lines.append(
            f"- Devices of {pool.driver}, pool {pool.pool}{kind}: {pool.allocated} of "
            f"{pool.total} allocated, {pool.free} free. A device is {DEVICE}."
        )
    return lines


def pod_claim_lines(pod: Pod) -> list[str]:
    """Return ``explain pod``'s sentences on its ResourceClaims and the devices they hold."""
    lines = []
    for claim in pod.claims:
        users = ", ".join(claim.containers) or "no container"
        held = ", ".join(d.text for d in claim.devices) or "no device"
        state = DEVICE_CLAIM_STATES.get("vanished" if claim.vanished else claim.state or "")
        meaning = f" {state.meaning}." if state is not None and state.unusual else ""
        lines.append(
            f"- Claim {claim.name} (ResourceClaim {claim.claim or 'not made yet'}): "
            f"{held}; used by {users}.{meaning}"
        )
    return lines
