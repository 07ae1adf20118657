"""The pod fields the builder reads are declared once (model/api_pod.py); no decoder drops one.

- The builder, run on recorded pods whose every read is traced, reads no field that the
  declaration leaves out (so the JSON decoders, derived from it, keep all it reads).
- The protobuf schema (kube/k8s_proto/k8s_narrow.proto) names exactly the declared fields, in
  both its full and lean pods, and its hand-written converters keep every field it names.
- A snapshot's pods (decoded as the read path decodes them) keep every field the API
  server selects pods on.
- A pod being deleted keeps its deletionTimestamp through every decoder, and is built as
  Terminating from each.
"""

from __future__ import annotations

import copy
import json
import types
from collections.abc import Iterator
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from kube_inspect.interpret.objects import build_cluster
from kube_inspect.kube import protobuf
from kube_inspect.kube.decode import LEAN_POD_PAGE, POD_PAGE, decode_pod_list
from kube_inspect.model.api_pod import ApiPod
from kube_inspect.offline.playback import POD_FIELDS, select
from tests.unit.conftest import RECORDED

Path = tuple[str, ...]


class Traced(dict[str, Any]):
    """A dict that notes the path of every key read from it, and of what it holds."""

    def __init__(self, data: dict[str, Any], path: Path, seen: set[Path]) -> None:
        super().__init__({k: _traced(v, (*path, k), seen) for k, v in data.items()})
        self.path, self.seen = path, seen

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add((*self.path, key))
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.seen.add((*self.path, key))
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.seen.add((*self.path, str(key)))
        return super().__contains__(key)


def _traced(value: Any, path: Path, seen: set[Path]) -> Any:
    if isinstance(value, dict):
        return Traced(value, path, seen)
    if isinstance(value, list):
        return [_traced(item, path, seen) for item in value]
    return value


def _strip(tp: Any) -> Any:
    """Return ``tp`` without Annotated, None and list around it."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            (tp,) = [arg for arg in get_args(tp) if arg is not type(None)]
        elif origin is list:
            tp = get_args(tp)[0]
        else:
            return tp


def declared(tp: Any, path: Path = ()) -> Iterator[tuple[Path, bool]]:
    """Yield each declared path, and whether what it holds is open (Any: read freely)."""
    for name, hint in get_type_hints(tp, include_extras=True).items():
        inner = _strip(hint)
        yield (*path, name), inner is Any
        if is_typeddict(inner):
            yield from declared(inner, (*path, name))


def _within(path: Path, paths: dict[Path, bool]) -> bool:
    """Return True when ``path`` is declared, or lies inside a declared open value."""
    return path in paths or any(paths.get(path[:n]) for n in range(1, len(path)))


def _recorded_pods() -> list[dict[str, Any]]:
    pods = json.loads((RECORDED / "pods.json").read_bytes())["items"]
    pods += json.loads((RECORDED / "protobuf-volumes" / "pods.json").read_bytes())["items"]
    return [*pods, terminating(pods[0])]


def terminating(pod: dict[str, Any], grace: int = 30) -> dict[str, Any]:
    """Return a copy of a recorded pod as the API server shows it once it is deleted."""
    held = copy.deepcopy(pod)
    held["metadata"]["name"] += "-deleted"
    held["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:30Z"
    held["metadata"]["deletionGracePeriodSeconds"] = grace
    return held


def test_the_builder_reads_only_declared_pod_fields() -> None:
    seen: set[Path] = set()
    pods = [_traced(pod, (), seen) for pod in _recorded_pods()]
    nodes = json.loads((RECORDED / "nodes.json").read_bytes())["items"]
    claims = json.loads((RECORDED / "persistentvolumeclaims.json").read_bytes())["items"]
    build_cluster(context="c", server="s", version="v", nodes=nodes, pods=pods, claims=claims)
    paths = dict(declared(ApiPod))
    assert ("metadata", "deletionTimestamp") in seen  # the tracing sees the reads
    undeclared = sorted(p for p in seen if not _within(p, paths))
    assert not undeclared, f"the builder reads pod fields model/api_pod.py lacks: {undeclared}"


def test_the_lean_schema_is_the_declaration_without_volumes_and_mounts() -> None:
    full = {p for p, _ in declared(_strip(get_type_hints(POD_PAGE)["items"]))}
    lean = {p for p, _ in declared(_strip(get_type_hints(LEAN_POD_PAGE)["items"]))}
    dropped = {p for p in full - lean if p[-1] in ("volumes", "volumeMounts")}
    assert ("spec", "volumes") in dropped
    assert ("spec", "containers", "volumeMounts") in dropped
    assert full - lean == {p for p in full if any(q == p[: len(q)] for q in dropped)}


def _proto_paths(message: Any, path: Path = ()) -> Iterator[Path]:
    """Yield the JSON path of every field a protobuf message names (inlined ones flattened)."""
    for field in message.fields:
        inner = field.message_type
        if field.name in protobuf._INLINED:
            yield from _proto_paths(inner, path)
            continue
        yield (*path, field.name)
        if inner is not None and not inner.GetOptions().map_entry:
            yield from _proto_paths(inner, (*path, field.name))


@pytest.mark.parametrize(("message", "page"), [("Pod", POD_PAGE), ("LeanPod", LEAN_POD_PAGE)])
def test_the_protobuf_schema_names_the_declared_pod_fields(message: str, page: Any) -> None:
    paths = dict(declared(_strip(get_type_hints(page)["items"])))
    descriptor = getattr(protobuf._schema(), message).DESCRIPTOR
    # below a declared open value (labels, resources, state) the .proto says its structure
    named = {
        p for p in _proto_paths(descriptor) if not any(paths.get(p[:n]) for n in range(1, len(p)))
    }
    assert named == set(paths), (
        f"in the .proto only: {sorted(named - set(paths))}; "
        f"declared only: {sorted(set(paths) - named)}"
    )


def _filled(message: Any, state: str) -> Any:
    """Return the message with every field it names set (one item in each list or map).

    A container's state is one of waiting, running and terminated: ``state`` says which.
    """
    for field in message.DESCRIPTOR.fields:
        if message.DESCRIPTOR.name == "ContainerState" and field.name != state:
            continue
        value = getattr(message, field.name)
        inner = field.message_type
        if inner is not None and inner.GetOptions().map_entry:
            entry = inner.fields_by_name["value"]
            if entry.message_type is None:
                value["k"] = "v"
            else:
                _filled(value["k"], state)
        elif inner is not None:
            _filled(value.add() if field.is_repeated else value, state)
        elif field.is_repeated:
            value.append("x")
        elif field.type == field.TYPE_BOOL:
            setattr(message, field.name, True)
        elif field.type == field.TYPE_STRING:
            setattr(message, field.name, "" if field.name == "nodeName" else f"x-{field.name}")
        else:
            setattr(message, field.name, 7)
    return message


@pytest.mark.parametrize("state", ["waiting", "running", "terminated"])
def test_the_protobuf_converters_keep_every_field_the_schema_names(state: str) -> None:
    pod = _filled(protobuf._schema().Pod(), state)  # not placed (no nodeName): tolerations read
    assert protobuf._pod(pod) == protobuf.as_dict(pod)
    assert protobuf._pod(pod)["metadata"]["deletionGracePeriodSeconds"] == 7


def _protobuf_page(pods: list[dict[str, Any]], message: str) -> bytes:
    """Return a protobuf PodList page holding the metadata of ``pods`` (what deletion needs)."""
    schema = protobuf._schema()
    page = getattr(schema, message + "List")()
    for pod in pods:
        meta = pod["metadata"]
        item = page.items.add()
        item.metadata.name, item.metadata.namespace = meta["name"], meta["namespace"]
        if "deletionTimestamp" in meta:
            item.metadata.deletionTimestamp.seconds = 1767225630  # 2026-01-01T00:00:30Z
            item.metadata.deletionGracePeriodSeconds = meta["deletionGracePeriodSeconds"]
    envelope = schema.Unknown(raw=page.SerializeToString())
    return bytes(protobuf.MAGIC + envelope.SerializeToString())


@pytest.mark.parametrize("with_volumes", [True, False])
def test_a_deleted_pod_keeps_its_deletion_through_every_decoder(with_volumes: bool) -> None:
    whole = json.loads((RECORDED / "pods.json").read_bytes())
    held = terminating(whole["items"][0])
    body = json.dumps({"items": [whole["items"][1], held]}).encode()
    decoded = {
        "json": decode_pod_list(body, with_volumes=with_volumes)["items"],
        "protobuf": decode_pod_list(
            _protobuf_page([whole["items"][1], held], "Pod" if with_volumes else "LeanPod"),
            with_volumes=with_volumes,
        )["items"],
    }
    for wire, (alive, deleted) in decoded.items():
        assert "deletionTimestamp" not in alive["metadata"], wire
        assert deleted["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:30Z", wire
        assert deleted["metadata"]["deletionGracePeriodSeconds"] == 30, wire

    def built(pods: list[dict[str, Any]]) -> Any:
        return build_cluster(
            context="c", server="s", version="v", nodes=[], pods=pods, with_volumes=with_volumes
        )

    cluster = built(decoded["json"])
    assert cluster == built([whole["items"][1], held])  # as from the whole objects
    (pod,) = [p for n in cluster.nodes for p in n.pods if p.deletion is not None]
    assert pod.shown_phase == "Terminating" and pod.deletion.grace_seconds == 30


@pytest.mark.parametrize("field", sorted(POD_FIELDS))
def test_a_snapshot_s_pods_select_on_each_field_as_the_whole_pods_do(field: str) -> None:
    body = (RECORDED / "pods.json").read_bytes()
    whole, narrow = json.loads(body)["items"], decode_pod_list(body)["items"]
    assert tuple(field.split(".")) in dict(declared(ApiPod))
    values = {str(POD_FIELDS[field](pod)) for pod in whole} - {"None"}
    for value in sorted(values)[:3]:
        query = [("fieldSelector", f"{field}={value}")]
        expected = [p["metadata"]["name"] for p in select(whole, "pods", query)]
        assert [p["metadata"]["name"] for p in select(narrow, "pods", query)] == expected
