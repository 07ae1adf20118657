from __future__ import annotations

import json
from typing import Any

import pytest

from kube_inspect.interpret.objects import build_cluster
from kube_inspect.kube.decode import decode_json, decode_object_list, decode_pod_list, list_metadata
from tests.unit.conftest import RECORDED


@pytest.mark.parametrize("name", ["pods.json", "nodes.json"])
def test_a_list_decodes_as_json_does_less_managed_fields(name: str) -> None:
    body = (RECORDED / name).read_bytes()
    expected = json.loads(body)
    assert any("managedFields" in i["metadata"] for i in expected["items"])
    for item in expected["items"]:
        item["metadata"].pop("managedFields", None)
    assert decode_object_list(body) == expected


def test_every_other_metadata_field_is_kept() -> None:
    meta: dict[str, Any] = {
        "name": "web-1",
        "generateName": "web-",
        "namespace": "shop",
        "uid": "u",
        "resourceVersion": "7",
        "generation": 2,
        "creationTimestamp": "2026-01-01T00:00:00Z",
        "deletionTimestamp": "2026-01-02T00:00:00Z",
        "deletionGracePeriodSeconds": 30,
        "labels": {"app": "web"},
        "annotations": {"a": "b"},
        "ownerReferences": [{"kind": "ReplicaSet", "name": "web"}],
        "finalizers": ["f"],
        "managedFields": [{"manager": "kubectl"}],
    }
    body = json.dumps({"items": [{"metadata": meta, "spec": {}, "status": None}]}).encode()
    (item,) = decode_object_list(body)["items"]
    assert item["metadata"] == {k: v for k, v in meta.items() if k != "managedFields"}
    assert item["status"] is None  # present but null stays null; absent stays absent
    assert "kind" not in item


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'{"items": 3}', b'{"items": [{"metadata": 5}]}']
)
def test_a_malformed_page_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        decode_object_list(body)


def test_an_empty_list_and_a_null_items_decode() -> None:
    assert decode_object_list(b'{"items": []}') == {"items": []}
    assert decode_object_list(b'{"items": null}') == {"items": None}


def test_decode_json_reads_any_document_and_rejects_garbage() -> None:
    assert decode_json(b'{"gitVersion": "v1.36.3"}') == {"gitVersion": "v1.36.3"}
    with pytest.raises(ValueError):
        decode_json(b"<html>")


def _cluster(pods: list[dict[str, Any]]) -> Any:
    nodes = json.loads((RECORDED / "nodes.json").read_bytes())["items"]
    owners = {
        kind: json.loads((RECORDED / name).read_bytes())["items"]
        for kind, name in (("ReplicaSet", "replicasets.json"), ("Job", "jobs.json"))
    }
    return build_cluster(
        context="c", server="s", version="v", nodes=nodes, pods=pods, owners=owners
    )


def test_pods_decoded_narrow_build_the_same_cluster_as_whole_pods() -> None:
    body = (RECORDED / "pods.json").read_bytes()
    narrow = decode_pod_list(body)
    assert len(narrow["items"]) == len(json.loads(body)["items"])
    assert "annotations" not in narrow["items"][0]["metadata"]  # really narrower
    assert "managedFields" not in narrow["items"][0]["metadata"]
    assert _cluster(narrow["items"]) == _cluster(json.loads(body)["items"])


def test_a_pod_page_of_an_unexpected_shape_is_decoded_whole() -> None:
    pod = {"metadata": {"name": "odd", "labels": {"a": "b"}}, "spec": "not an object"}
    page = decode_pod_list(json.dumps({"items": [pod]}).encode())
    assert page["items"] == [pod]  # the aggregator copes with it, as with any odd object
    assert decode_pod_list(b'{"items": null}') == {"items": None}


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"items": 3}'])
def test_a_malformed_pod_page_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        decode_pod_list(body)


def test_list_metadata_reads_the_continue_token_from_the_head_only() -> None:
    body = (RECORDED / "pods.json").read_bytes()
    page = {
        "kind": "PodList",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": "7", "continue": "abc", "remainingItemCount": 3},
        "items": json.loads(body)["items"],
    }
    compact = json.dumps(page, separators=(",", ":")).encode()  # as the API server writes
    assert list_metadata(compact) == page["metadata"]
    # the items after the head are not read: a broken tail is found by the full decode
    assert list_metadata(compact[: compact.index(b'"items"') + 20])["continue"] == "abc"


@pytest.mark.parametrize(
    "body",
    [
        b'{"items":[],"metadata":{"continue":"x"}}',  # metadata after the items
        b'{"kind":"PodList","items":[],"metadata":{"continue":"x"}}',  # a head without it
        b'{ "metadata" : {"continue": "x"} , "items": [] }',  # spaced out
    ],
)
def test_list_metadata_of_a_page_written_otherwise_is_read_whole(body: bytes) -> None:
    assert list_metadata(body) == {"continue": "x"}


@pytest.mark.parametrize("body", [b"<html>", b'{"metadata": {"continue": "x"}, "items": [}'])
def test_list_metadata_of_a_malformed_page_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        list_metadata(body)


def test_pods_decoded_lean_build_the_tree_s_cluster() -> None:
    body = (RECORDED / "pods.json").read_bytes()
    lean = decode_pod_list(body, with_volumes=False)["items"]
    assert all("volumes" not in (p.get("spec") or {}) for p in lean)
    whole = json.loads(body)["items"]
    nodes = json.loads((RECORDED / "nodes.json").read_bytes())["items"]

    def built(pods: list[dict[str, Any]]) -> Any:
        return build_cluster(
            context="c", server="s", version="v", nodes=nodes, pods=pods, with_volumes=False
        )

    assert built(lean) == built(whole)
