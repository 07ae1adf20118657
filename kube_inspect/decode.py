"""Decode LIST pages of nodes and pods fast, leaving out what kube-inspect never reads.

``metadata.managedFields`` (server-side apply bookkeeping) is a third to a half of every
object's JSON and a large share of its Python objects; msgspec skips it while parsing,
without building it. Everything else an object carries is kept, as plain dicts and
lists, so the aggregator reads the same shapes as from ``orjson.loads``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

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
