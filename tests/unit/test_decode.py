from __future__ import annotations

import json
from typing import Any

import pytest

from kube_inspect.decode import decode_json, decode_object_list
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
