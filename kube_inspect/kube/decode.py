"""Decode LIST pages of nodes and pods fast, leaving out what kube-inspect never reads.

``metadata.managedFields`` (server-side apply bookkeeping) is a third to a half of every
object's JSON and a large share of its Python objects; msgspec skips it while parsing,
without building it. Everything else an object carries is kept, as plain dicts and
lists, so the aggregator reads the same shapes as from ``orjson.loads``.

Pods, by far the most numerous, go further: ``decode_pod_list`` keeps only the fields
the aggregator reads (about a fifth of a pod's JSON), still as plain dicts.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any, TypedDict, cast

import msgspec
from msgspec import UNSET, UnsetType

from kube_inspect.kube import protobuf

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


# The pod fields kube_inspect.build.objects reads, and nothing else. A field the aggregator
# starts reading must be added here: tests/unit/test_decode.py compares the clusters
# built from this and from the whole objects. Leaves are Any: the aggregator checks types.


class _OwnerReference(TypedDict, total=False):
    kind: Any
    name: Any
    controller: Any


class _PodMeta(TypedDict, total=False):
    name: Any
    namespace: Any
    creationTimestamp: Any
    labels: Any
    ownerReferences: list[_OwnerReference] | None


class _Port(TypedDict, total=False):
    name: Any
    containerPort: Any
    protocol: Any


class _Mount(TypedDict, total=False):
    name: Any
    mountPath: Any


class _LeanContainerSpec(TypedDict, total=False):
    name: Any
    image: Any
    restartPolicy: Any
    resources: Any
    ports: list[_Port] | None


class _ContainerSpec(_LeanContainerSpec, total=False):
    volumeMounts: list[_Mount] | None


class _Skipped(msgspec.Struct):
    """A value whose presence is read, never its content (msgspec skips what it holds)."""


class _Named(TypedDict, total=False):
    name: Any


class _ClaimSource(TypedDict, total=False):
    claimName: Any


class _SecretSource(TypedDict, total=False):
    secretName: Any  # the Secret's name, never its content: kube-inspect reads no Secret


class _EmptyDir(TypedDict, total=False):
    medium: Any
    sizeLimit: Any


class _Projection(TypedDict, total=False):
    configMap: _Named
    secret: _Named
    serviceAccountToken: _Skipped
    downwardAPI: _Skipped
    clusterTrustBundle: _Skipped


class _Projected(TypedDict, total=False):
    sources: list[_Projection] | None


class _Volume(TypedDict, total=False):
    """A pod volume: its name, which source it has, and what the shown sources name."""

    name: Any
    awsElasticBlockStore: _Skipped
    azureDisk: _Skipped
    azureFile: _Skipped
    cephfs: _Skipped
    cinder: _Skipped
    configMap: _Named
    csi: _Skipped
    downwardAPI: _Skipped
    emptyDir: _EmptyDir
    ephemeral: _Skipped
    fc: _Skipped
    flexVolume: _Skipped
    flocker: _Skipped
    gcePersistentDisk: _Skipped
    gitRepo: _Skipped
    glusterfs: _Skipped
    hostPath: _Skipped
    image: _Skipped
    iscsi: _Skipped
    nfs: _Skipped
    persistentVolumeClaim: _ClaimSource
    photonPersistentDisk: _Skipped
    portworxVolume: _Skipped
    projected: _Projected
    quobyte: _Skipped
    rbd: _Skipped
    scaleIO: _Skipped
    secret: _SecretSource
    storageos: _Skipped
    vsphereVolume: _Skipped


class _Toleration(TypedDict, total=False):
    key: Any
    operator: Any
    value: Any
    effect: Any


class _LeanPodSpec(TypedDict, total=False):
    """A pod's spec without its volumes and mounts, for views that do not show them."""

    nodeName: Any
    priorityClassName: Any
    overhead: Any
    schedulingGates: Any
    tolerations: list[_Toleration] | None  # which taints a pending pod does not tolerate
    initContainers: list[_LeanContainerSpec] | None
    containers: list[_LeanContainerSpec] | None
    ephemeralContainers: list[_LeanContainerSpec] | None


class _PodSpec(TypedDict, total=False):
    nodeName: Any
    priorityClassName: Any
    overhead: Any
    schedulingGates: Any
    tolerations: list[_Toleration] | None  # which taints a pending pod does not tolerate
    initContainers: list[_ContainerSpec] | None
    containers: list[_ContainerSpec] | None
    ephemeralContainers: list[_ContainerSpec] | None
    volumes: list[_Volume] | None


class _Condition(TypedDict, total=False):
    type: Any
    status: Any
    reason: Any
    message: Any


class _ContainerStatus(TypedDict, total=False):
    name: Any
    image: Any
    imageID: Any
    state: Any
    lastState: Any
    ready: Any
    restartCount: Any
    started: Any


class _PodStatus(TypedDict, total=False):
    phase: Any
    reason: Any
    message: Any
    qosClass: Any
    podIP: Any
    conditions: list[_Condition] | None
    initContainerStatuses: list[_ContainerStatus] | None
    containerStatuses: list[_ContainerStatus] | None
    ephemeralContainerStatuses: list[_ContainerStatus] | None


class _Pod(TypedDict, total=False):
    metadata: _PodMeta | None
    spec: _PodSpec | None
    status: _PodStatus | None


class _LeanPod(TypedDict, total=False):
    metadata: _PodMeta | None
    spec: _LeanPodSpec | None
    status: _PodStatus | None


class _PodPage(TypedDict, total=False):
    metadata: Any
    items: list[_Pod] | None


class _LeanPodPage(TypedDict, total=False):
    metadata: Any
    items: list[_LeanPod] | None


_POD_PAGE = msgspec.json.Decoder(_PodPage)
_LEAN_POD_PAGE = msgspec.json.Decoder(_LeanPodPage)


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
