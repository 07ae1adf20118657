"""The protobuf wire builds the same model as JSON, on pods recorded in both encodings.

tests/fixtures/recorded/protobuf/ was recorded from a real API server (the local sample
cluster, tests/clusters/record.py): the same pod list as protobuf and as JSON, at one
resourceVersion, with the nodes and owners it is built with.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from kube_inspect.errors import ApiError
from kube_inspect.interpret.objects import build_cluster
from kube_inspect.kube import protobuf
from kube_inspect.kube.decode import decode_pod_list, list_metadata
from kube_inspect.kube.translate import error_text, status_message
from tests.unit.conftest import RECORDED
from tests.unit.recorded import RecordedClient

BOTH = RECORDED / "protobuf"


def _json(name: str) -> Any:
    return json.loads((BOTH / name).read_bytes())


def _cluster(pods: list[dict[str, Any]], with_volumes: bool = True) -> Any:
    owners = {"ReplicaSet": _json("replicasets.json")["items"], "Job": _json("jobs.json")["items"]}
    return build_cluster(
        context="c",
        server="s",
        version="v",
        nodes=_json("nodes.json")["items"],
        pods=pods,
        owners=owners,
        with_volumes=with_volumes,
    )


def test_the_recording_is_protobuf_and_holds_the_same_pods() -> None:
    body = (BOTH / "pods.pb").read_bytes()
    assert protobuf.is_protobuf(body)
    whole = _json("pods.json")
    assert list_metadata(body)["resourceVersion"] == whole["metadata"]["resourceVersion"]
    pods = decode_pod_list(body)["items"]
    assert len(pods) == len(whole["items"]) > 10
    names = [p["metadata"]["name"] for p in pods]
    assert names == [p["metadata"]["name"] for p in whole["items"]]


@pytest.mark.parametrize("with_volumes", [True, False])
def test_protobuf_pods_build_the_same_cluster_as_json_pods(with_volumes: bool) -> None:
    from_protobuf = decode_pod_list((BOTH / "pods.pb").read_bytes(), with_volumes=with_volumes)
    from_json = decode_pod_list((BOTH / "pods.json").read_bytes(), with_volumes=with_volumes)
    whole = _json("pods.json")["items"]
    built = _cluster(from_protobuf["items"], with_volumes)
    assert built == _cluster(from_json["items"], with_volumes)
    assert built == _cluster(whole, with_volumes)
    # the sample has what the conversion must get right: owners, volumes, times, quantities
    pods = [pod for node in built.nodes for pod in node.pods]
    assert any(pod.controller for pod in pods)
    assert any(c.requests for pod in pods for c in pod.containers)


def test_protobuf_pods_decode_as_the_narrow_json_does() -> None:
    from_protobuf = decode_pod_list((BOTH / "pods.pb").read_bytes())["items"]
    from_json = decode_pod_list((BOTH / "pods.json").read_bytes())["items"]
    for pb, js in zip(from_protobuf, from_json, strict=True):
        assert pb["metadata"] == js["metadata"]
        assert pb["status"]["phase"] == js["status"]["phase"]
        assert [c["name"] for c in pb["spec"]["containers"]] == [
            c["name"] for c in js["spec"]["containers"]
        ]
        assert pb["spec"]["containers"][0].get("resources") == js["spec"]["containers"][0].get(
            "resources"
        )


def test_a_protobuf_page_carries_its_continue_token() -> None:
    schema = protobuf._schema()
    page = schema.PodList()
    page.metadata.resourceVersion = "7"
    setattr(page.metadata, "continue", "abc")  # a Python keyword
    envelope = schema.Unknown(raw=page.SerializeToString())
    body = protobuf.MAGIC + envelope.SerializeToString()
    assert list_metadata(body) == {"resourceVersion": "7", "continue": "abc"}
    assert decode_pod_list(body) == {
        "metadata": {"resourceVersion": "7", "continue": "abc"},
        "items": [],
    }


def test_a_protobuf_status_gives_its_message() -> None:
    schema = protobuf._schema()
    status = schema.Status(status="Failure", message='pods is forbidden: User "x"', code=403)
    body = protobuf.MAGIC + schema.Unknown(raw=status.SerializeToString()).SerializeToString()
    assert status_message(error_text(body)) == 'pods is forbidden: User "x"'
    assert status_message(error_text(b'{"message": "json too"}')) == "json too"
    assert error_text(b"") is None


@pytest.mark.parametrize("body", [b"k8s\x00\xff\xff\xff", b"k8s\x00" + b"\x12\x03abc"])
def test_a_malformed_protobuf_page_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        decode_pod_list(body)


# Pods with a volume of every kind and a gated pod, which the sample lacks: recorded from a
# local cluster (tests/fixtures/volume-kinds.yaml; python -m tests.clusters.record
# --volume-kinds), in both encodings at one resourceVersion.
KINDS = RECORDED / "protobuf-volumes"


def _kinds(encoding: str, with_volumes: bool) -> list[dict[str, Any]]:
    body = (KINDS / f"pods.{encoding}").read_bytes()
    return list(decode_pod_list(body, with_volumes=with_volumes)["items"])


@pytest.mark.parametrize("with_volumes", [True, False])
def test_protobuf_pods_decode_to_the_json_dicts_volumes_and_gates_included(
    with_volumes: bool,
) -> None:
    assert protobuf.is_protobuf((KINDS / "pods.pb").read_bytes())
    from_json = msgspec.to_builtins(_kinds("json", with_volumes))  # a skipped value: {}
    assert _kinds("pb", with_volumes) == from_json
    spec = from_json[0]["spec"]
    assert ("volumes" in spec) is with_volumes
    assert from_json[1]["spec"]["schedulingGates"] == [
        {"name": "example.com/quota"},
        {"name": "example.com/approval"},
    ]


@pytest.mark.parametrize("with_volumes", [True, False])
def test_protobuf_pods_build_the_same_volumes_and_gates_as_json(with_volumes: bool) -> None:
    def built(pods: list[dict[str, Any]]) -> Any:
        return build_cluster(
            context="c", server="s", version="v", nodes=[], pods=pods, with_volumes=with_volumes
        )

    whole = json.loads((KINDS / "pods.json").read_bytes())["items"]
    cluster = built(_kinds("pb", with_volumes))
    assert cluster == built(_kinds("json", with_volumes)) == built(whole)
    every, gated = cluster.unscheduled
    assert gated.pending is not None
    assert [c.text for c in gated.pending.causes] == [
        "scheduling gate example.com/quota,example.com/approval"
    ]
    if not with_volumes:
        assert every.volumes is None
        return
    assert every.volumes is not None
    shown = {v.name: (v.source, v.target, v.medium, v.size_limit_bytes) for v in every.volumes}
    assert shown == {
        "data": ("persistentVolumeClaim", "data-every-volume", None, None),
        "settings": ("configMap", "app-settings", None, None),
        "creds": ("secret", "app-creds", None, None),
        "bundle": ("projected", "configMap/app-settings,secret/app-creds", None, None),
        "tokens": ("projected", None, None, None),
        "cache": ("emptyDir", None, "Memory", 64 * 1024**2),
        "scratch": ("emptyDir", None, None, None),
        "host": ("hostPath", None, None, None),
        "info": ("downwardAPI", None, None, None),
        "shared": ("nfs", None, None, None),
        "driver": ("csi", None, None, None),
        "temp": ("ephemeral", None, None, None),
    }
    mounts = {v.name: v.mounts for v in every.volumes}
    assert mounts["data"] == (("seed", "/data"), ("app", "/data"))


@pytest.mark.parametrize(
    ("body", "encoding"),
    [(b"k8s\x00\xff\xff\xff", "protobuf"), (b"k8s\x00\x12\x03abc", "protobuf"), (b"{", "JSON")],
)
def test_a_malformed_page_is_named_by_its_encoding(body: bytes, encoding: str) -> None:
    with pytest.raises(ApiError, match=f"sent malformed {encoding}$"):
        RecordedClient()._decoded(body, decode_pod_list)
