"""Decode the API server's protobuf answers into the same dicts as the JSON path.

kube-apiserver encodes built-in kinds as ``application/vnd.kubernetes.protobuf``: the
4-byte magic ``k8s\\0``, then a ``runtime.Unknown`` envelope whose ``raw`` holds the
object (e.g. a PodList). Encoding protobuf costs the server a fraction of JSON, and the
body is smaller. The schema (kube/k8s_proto/k8s_narrow.proto) names only the fields the
aggregator reads, so the C decoder of the ``protobuf`` package (upb) skips the rest
without building it; the messages are then turned into the dicts decode.decode_pod_list
gives for the JSON of the same pods (a unit test builds the recorded sample both ways
and compares the models).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from google.protobuf.descriptor import FieldDescriptor
    from google.protobuf.message import Message

MAGIC = b"k8s\x00"
# JSON inlines these messages' fields into their parent's
_INLINED = frozenset({"volumeSource", "ephemeralContainerCommon", "localObjectReference"})


def is_protobuf(body: bytes) -> bool:
    """Return True when ``body`` is a Kubernetes protobuf answer (starts with the magic)."""
    return body[:4] == MAGIC


def _schema() -> Any:
    """Return the generated module of kube/k8s_proto/k8s_narrow.proto (imported when first used)."""
    from kube_inspect.kube.k8s_proto import k8s_narrow_pb2

    return k8s_narrow_pb2


def unwrap(body: bytes) -> bytes:
    """Return the object inside a protobuf answer's envelope; ValueError if it is not one."""
    from google.protobuf.message import DecodeError

    if not is_protobuf(body):
        raise ValueError("not a Kubernetes protobuf answer (no k8s\\0 magic)")
    envelope = _schema().Unknown()
    try:
        envelope.ParseFromString(body[4:])
    except DecodeError as e:
        raise ValueError(f"malformed protobuf envelope: {e}") from e
    if envelope.contentEncoding:
        raise ValueError(f"unsupported protobuf content encoding {envelope.contentEncoding!r}")
    return bytes(envelope.raw)


def _parsed(body: bytes, message_type: str) -> Any:
    from google.protobuf.message import DecodeError

    message = getattr(_schema(), message_type)()
    try:
        message.ParseFromString(unwrap(body))
    except DecodeError as e:
        raise ValueError(f"malformed protobuf {message_type}: {e}") from e
    return message


def decode_pod_list(body: bytes, *, with_volumes: bool = True) -> dict[str, Any]:
    """Return a protobuf PodList page as the dicts decode.decode_pod_list makes of its JSON."""
    page = _parsed(body, "PodList" if with_volumes else "LeanPodList")
    decoded: dict[str, Any] = {"metadata": as_dict(page.metadata)}
    decoded["items"] = [_pod(pod) for pod in page.items]
    return decoded


def list_metadata(body: bytes) -> dict[str, Any]:
    """Return the ``metadata`` of a protobuf LIST page (its continue token)."""
    return as_dict(_parsed(body, "PodList").metadata)  # ListMeta is field 1 of every list


def status_message(body: bytes) -> str | None:
    """Return the message of a protobuf Status (an error answer), if it is one."""
    try:
        status = _parsed(body, "Status")
    except ValueError:
        return None
    return str(status.message) if status.message else None


def as_dict(message: Message) -> dict[str, Any]:
    """Return a decoded message as its JSON would be decoded: camelCase keys, set fields only.

    Empty strings are left out, as the API server's JSON leaves them out; times become
    RFC 3339 strings and quantities their strings.
    """
    out: dict[str, Any] = {}
    for field, value in message.ListFields():
        name = field.name
        if name in _INLINED:
            out.update(as_dict(value))
            continue
        converted = _reader(field)(value)
        if converted != "":
            out[name] = converted
    return out


def _identity(value: Any) -> Any:
    return value


def _time(value: Any) -> str:
    return _rfc3339(value.seconds)


@functools.lru_cache(maxsize=4096)  # pods are created, and start, in bursts
def _rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _message_reader(type_name: str) -> Callable[[Any], Any]:
    if type_name == "kube_inspect.narrow.Time":
        return _time
    if type_name == "kube_inspect.narrow.Quantity":
        return lambda value: value.string
    return as_dict


@functools.cache
def _reader(field: FieldDescriptor) -> Callable[[Any], Any]:
    """Return the function that turns one field's value into its JSON-decoded form."""
    message_type = field.message_type
    if message_type is None:  # a scalar, or a list of them
        return list if _is_repeated(field) else _identity
    if message_type.GetOptions().map_entry:
        value_type = message_type.fields_by_name["value"].message_type
        if value_type is None:
            return dict
        read = _message_reader(value_type.full_name)
        return lambda value: {key: read(item) for key, item in value.items()}
    read = _message_reader(message_type.full_name)
    if _is_repeated(field):
        return lambda value: [read(item) for item in value]
    return read


def _is_repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


# The pod's messages, converted field by field. A generic walk (as_dict) is slower:
# ListFields costs about ten attribute reads (bench/decode_speed.py measures the whole).
# Each function gives what the API server's JSON holds for the fields it names, but for a
# placed pod's tolerations: only a pod the scheduler has not placed has them read (a tenth
# of the decoding time of 30,000 pods, were they converted: two tolerations each).


def _pod(pod: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"metadata": _meta(pod.metadata)}
    if pod.HasField("spec"):
        out["spec"] = _spec(pod.spec)
    if pod.HasField("status"):
        out["status"] = _status(pod.status)
    return out


def _meta(meta: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if meta.name:
        out["name"] = meta.name
    if meta.namespace:
        out["namespace"] = meta.namespace
    if meta.HasField("creationTimestamp"):
        out["creationTimestamp"] = _rfc3339(meta.creationTimestamp.seconds)
    if meta.HasField("deletionTimestamp"):  # being deleted: kubectl shows Terminating
        out["deletionTimestamp"] = _rfc3339(meta.deletionTimestamp.seconds)
    if meta.HasField("deletionGracePeriodSeconds"):
        out["deletionGracePeriodSeconds"] = meta.deletionGracePeriodSeconds
    if meta.labels:
        out["labels"] = {key: value for key, value in meta.labels.items()}  # dict() is slower
    if meta.ownerReferences:
        out["ownerReferences"] = [_owner(owner) for owner in meta.ownerReferences]
    return out


def _owner(owner: Any) -> dict[str, Any]:
    out = {"kind": owner.kind, "name": owner.name}
    if owner.HasField("controller"):
        out["controller"] = owner.controller
    return out


_SELECTABLE_SPEC = ("restartPolicy", "schedulerName", "serviceAccountName")


def _spec(spec: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.nodeName:
        out["nodeName"] = spec.nodeName
    for name in _SELECTABLE_SPEC:  # read by a snapshot's --field-selector only
        if value := getattr(spec, name):
            out[name] = value
    if spec.priorityClassName:
        out["priorityClassName"] = spec.priorityClassName
    if spec.overhead:
        out["overhead"] = _quantities(spec.overhead)
    if spec.schedulingGates:
        out["schedulingGates"] = [as_dict(gate) for gate in spec.schedulingGates]
    if spec.resourceClaims:
        out["resourceClaims"] = [as_dict(claim) for claim in spec.resourceClaims]
    if spec.tolerations and not spec.nodeName:  # read of a pod not placed yet, only
        out["tolerations"] = [_toleration(t) for t in spec.tolerations]
    if spec.initContainers:
        out["initContainers"] = [_container(c) for c in spec.initContainers]
    if spec.containers:
        out["containers"] = [_container(c) for c in spec.containers]
    if spec.ephemeralContainers:
        out["ephemeralContainers"] = [
            _container(c.ephemeralContainerCommon) for c in spec.ephemeralContainers
        ]
    volumes = getattr(spec, "volumes", None)  # LeanPodSpec has none
    if volumes:
        out["volumes"] = [as_dict(volume) for volume in volumes]
    return out


def _toleration(toleration: Any) -> dict[str, Any]:
    out = {}  # as the JSON: empty ones omitted
    if toleration.key:
        out["key"] = toleration.key
    if toleration.operator:
        out["operator"] = toleration.operator
    if toleration.value:
        out["value"] = toleration.value
    if toleration.effect:
        out["effect"] = toleration.effect
    return out


def _quantities(values: Any) -> dict[str, str]:
    return {name: quantity.string for name, quantity in values.items()}


def _container(container: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": container.name}
    if container.image:
        out["image"] = container.image
    if container.restartPolicy:
        out["restartPolicy"] = container.restartPolicy
    if container.HasField("resources"):
        resources = container.resources
        given: dict[str, Any] = {}
        out["resources"] = given
        if resources.limits:
            given["limits"] = _quantities(resources.limits)
        if resources.requests:
            given["requests"] = _quantities(resources.requests)
        if resources.claims:
            given["claims"] = [as_dict(claim) for claim in resources.claims]
    if container.ports:
        out["ports"] = [_port(port) for port in container.ports]
    mounts = getattr(container, "volumeMounts", None)  # LeanContainer has none
    if mounts:
        out["volumeMounts"] = [
            {"name": mount.name, "mountPath": mount.mountPath} for mount in mounts
        ]
    return out


def _port(port: Any) -> dict[str, Any]:
    out = {"containerPort": port.containerPort}
    if port.name:
        out["name"] = port.name
    if port.protocol:
        out["protocol"] = port.protocol
    return out


def _status(status: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if status.phase:
        out["phase"] = status.phase
    if status.reason:
        out["reason"] = status.reason
    if status.message:
        out["message"] = status.message
    if status.qosClass:
        out["qosClass"] = status.qosClass
    if status.podIP:
        out["podIP"] = status.podIP
    if status.nominatedNodeName:
        out["nominatedNodeName"] = status.nominatedNodeName
    if status.conditions:
        out["conditions"] = [_condition(condition) for condition in status.conditions]
    for name in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"):
        statuses = getattr(status, name)
        if statuses:
            out[name] = [_container_status(c) for c in statuses]
    if status.resourceClaimStatuses:
        out["resourceClaimStatuses"] = [as_dict(s) for s in status.resourceClaimStatuses]
    return out


def _condition(condition: Any) -> dict[str, Any]:
    out = {"type": condition.type, "status": condition.status}
    if condition.reason:
        out["reason"] = condition.reason
    if condition.message:
        out["message"] = condition.message
    return out


def _container_status(status: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": status.name,
        "ready": status.ready,
        "restartCount": status.restartCount,
        "state": _state(status.state),
        "lastState": _state(status.lastState),
    }
    if status.image:
        out["image"] = status.image
    if status.imageID:
        out["imageID"] = status.imageID
    if status.HasField("started"):
        out["started"] = status.started
    return out


def _state(state: Any) -> dict[str, Any]:
    if state.HasField("running"):
        running = state.running
        started = running.startedAt
        return {
            "running": {"startedAt": _rfc3339(started.seconds)}
            if running.HasField("startedAt")
            else {}
        }
    if state.HasField("waiting"):
        return {"waiting": as_dict(state.waiting)}
    if state.HasField("terminated"):
        return {"terminated": as_dict(state.terminated)}
    return {}
