"""Decode LIST pages of nodes and pods fast, leaving out what kube-inspect never reads.

``metadata.managedFields`` (server-side apply bookkeeping) is a third to a half of every
object's JSON and a large share of its Python objects; msgspec skips it while parsing,
without building it. Everything else an object carries is kept, as plain dicts and
lists, so the aggregator reads the same shapes as from ``orjson.loads``.

Pods, by far the most numerous, go further: ``decode_pod_list`` keeps only the fields
the builder reads (about a fifth of a pod's JSON), still as plain dicts: those that
model/api_pod.py declares.
"""

from __future__ import annotations

import contextlib
import functools
import json
import operator
import types
from collections.abc import Iterator
from typing import (
    Annotated,
    Any,
    TypedDict,
    Union,
    cast,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

import msgspec
from msgspec import UNSET, UnsetType

from kube_inspect.kube import protobuf
from kube_inspect.model import api_pod

Field = Any | UnsetType


class _ObjectMeta(msgspec.Struct):
    """ObjectMeta without managedFields (every other field of the v1 API)."""

    name: Field = UNSET
    generateName: Field = UNSET
    namespace: Field = UNSET
    selfLink: Field = UNSET
    uid: Field = UNSET
    resourceVersion: Field = UNSET
    generation: Field = UNSET
    creationTimestamp: Field = UNSET
    deletionTimestamp: Field = UNSET
    deletionGracePeriodSeconds: Field = UNSET
    labels: Field = UNSET
    annotations: Field = UNSET
    ownerReferences: Field = UNSET
    finalizers: Field = UNSET


class _Object(msgspec.Struct):
    apiVersion: Field = UNSET
    kind: Field = UNSET
    metadata: _ObjectMeta | UnsetType | None = UNSET
    spec: Field = UNSET
    status: Field = UNSET


class _Page(msgspec.Struct):
    apiVersion: Field = UNSET
    kind: Field = UNSET
    metadata: Field = UNSET
    items: list[_Object] | UnsetType | None = UNSET


_PAGE = msgspec.json.Decoder(_Page)
_ANY = msgspec.json.Decoder()


class _Head(TypedDict, total=False):
    metadata: Any


_HEAD = msgspec.json.Decoder(_Head)
_ITEMS = b',"items":'


def list_metadata(body: bytes) -> dict[str, Any]:
    """Return the ``metadata`` of a LIST page (its continue token) without its items.

    The API server writes a list's metadata before its items, so only the head of the
    page is decoded: the next page can be asked for before this one is parsed. A page
    that does not start that way is decoded whole. A protobuf page (kube/protobuf.py) is
    decoded up to its items. Raises ValueError if it is malformed.
    """
    if protobuf.is_protobuf(body):
        return protobuf.list_metadata(body)
    end = body.find(_ITEMS, 0, 4096)
    head: _Head | None = None
    if end != -1:
        with contextlib.suppress(msgspec.DecodeError):
            head = _HEAD.decode(body[:end] + b"}")
    if head is None or "metadata" not in head:  # not in the API server's order: read it all
        try:
            head = _HEAD.decode(body)
        except msgspec.DecodeError as e:
            raise ValueError(str(e)) from e
    metadata = head.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def decode_json(body: bytes) -> Any:
    """Return any JSON document as dicts, lists and scalars; ValueError if malformed."""
    try:
        return _ANY.decode(body)
    except msgspec.DecodeError as e:
        raise ValueError(str(e)) from e


def _plain(obj: msgspec.Struct) -> dict[str, Any]:
    return {
        name: value for name in obj.__struct_fields__ if (value := getattr(obj, name)) is not UNSET
    }


def decode_object_list(body: bytes) -> dict[str, Any]:
    """Return a LIST page of API objects as dicts, without their managedFields.

    Raises ValueError when ``body`` is not a JSON object of the expected shape.
    """
    try:
        page = _PAGE.decode(body)
    except msgspec.DecodeError as e:  # ValidationError is a DecodeError
        raise ValueError(str(e)) from e
    decoded = _plain(page)
    if isinstance(page.items, list):
        decoded["items"] = [_item(item) for item in page.items]
    return decoded


def _item(item: _Object) -> dict[str, Any]:
    plain = _plain(item)
    if isinstance(item.metadata, _ObjectMeta):
        plain["metadata"] = _plain(item.metadata)
    return plain


# The pod fields the builder reads, and nothing else: model/api_pod.py declares them once.
# The lean schema (the tree's) is derived from it, without the fields marked VOLUMES.


def _lean(tp: Any) -> Any:
    """Return ``tp`` with every TypedDict in it rebuilt without its VOLUMES fields."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _lean(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return functools.reduce(operator.or_, map(_lean, get_args(tp)))
    if origin is list:
        return list[_lean(get_args(tp)[0])]  # type: ignore[misc]
    if is_typeddict(tp):
        return _lean_typeddict(tp)
    return tp


@functools.cache
def _lean_typeddict(tp: Any) -> Any:
    hints = get_type_hints(tp, include_extras=True)
    kept = {
        name: _lean(hint)
        for name, hint in hints.items()
        if not (get_origin(hint) is Annotated and api_pod.VOLUMES in get_args(hint)[1:])
    }
    return TypedDict(f"Lean{tp.__name__}", kept, total=False)  # type: ignore[operator]


class _PodPage(TypedDict, total=False):
    metadata: Any
    items: list[api_pod.ApiPod] | None


POD_PAGE: Any = _PodPage  # the schema of a page of pods, volumes included
LEAN_POD_PAGE: Any = _lean(_PodPage)  # without volumes and mounts (the tree's)
_POD_PAGE = msgspec.json.Decoder(POD_PAGE)
_LEAN_POD_PAGE = msgspec.json.Decoder(LEAN_POD_PAGE)


def decode_pod_list(body: bytes, *, with_volumes: bool = True) -> dict[str, Any]:
    """Return a LIST page of pods as dicts holding only what the aggregator reads.

    Without ``with_volumes``, pods' volumes and mounts are skipped too (the tree does
    not show them). A page of an unexpected shape (which the API server does not send)
    is decoded whole instead, so the aggregator meets it as it would any malformed
    object. A protobuf page (kube/protobuf.py) gives the same dicts. Raises ValueError
    when ``body`` is not a JSON object with a list of items.
    """
    if protobuf.is_protobuf(body):
        return protobuf.decode_pod_list(body, with_volumes=with_volumes)
    decoder = _POD_PAGE if with_volumes else _LEAN_POD_PAGE
    try:
        return cast(dict[str, Any], decoder.decode(body))
    except msgspec.ValidationError:
        return decode_object_list(body)
    except msgspec.DecodeError as e:
        raise ValueError(str(e)) from e


def json_lines(stream: Any) -> Iterator[dict[str, Any]]:
    """Yield each JSON line of a streamed response body as it arrives; close it at the end."""
    pending, finished = b"", False
    try:
        for chunk in stream.stream(64 * 1024, decode_content=True):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.strip():
                    yield json.loads(line)
        if pending.strip():
            yield json.loads(pending)
        finished = True
    finally:
        # a stream left half-read cannot serve another request: close it instead
        stream.release_conn() if finished else stream.close()
