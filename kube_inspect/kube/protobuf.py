"""Decode the API server's protobuf answers into the same dicts as the JSON path.

kube-apiserver encodes built-in kinds as ``application/vnd.kubernetes.protobuf``: the
4-byte magic ``k8s\\0``, then a ``runtime.Unknown`` envelope whose ``raw`` holds the
object (e.g. a PodList). Encoding protobuf costs the server a fraction of JSON, and the
body is smaller. The schema (kube/wire/k8s_narrow.proto) names only the fields the
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
_INLINED = frozenset({"volumeSource", "ephemeralContainerCommon"})


def is_protobuf(body: bytes) -> bool:
    """Return True when ``body`` is a Kubernetes protobuf answer (starts with the magic)."""
    return body[:4] == MAGIC


def _schema() -> Any:
    """Return the generated module of kube/wire/k8s_narrow.proto (imported when first used)."""
    from kube_inspect.kube.wire import k8s_narrow_pb2

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
    decoded["items"] = [as_dict(pod) for pod in page.items]
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
