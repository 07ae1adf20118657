"""DRA devices and claims, built purely from what a real 1.36 API server returned.

tests/fixtures/recorded/dra/ holds the objects of tests/fixtures/dra/ (two kwok nodes with
two GPUs each, pods claiming them) as the server held them once its scheduler had
allocated: every expected figure is read from those same objects (the claims'
``status.allocation``, the slices' devices), never written by hand.
"""

from __future__ import annotations

import copy
import io
import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import kube_inspect.schema
from kube_inspect.check.rules import CheckOptions, check_pod_claims
from kube_inspect.explain.one_object import explain_pod
from kube_inspect.explain.tour import tour
from kube_inspect.interpret.arrange import arrange
from kube_inspect.interpret.cel import SelectedDevice, evaluate
from kube_inspect.interpret.dra import with_devices
from kube_inspect.interpret.events import events_by_object, with_events
from kube_inspect.interpret.health import pod_problem
from kube_inspect.interpret.objects import build_cluster
from kube_inspect.model.cluster import Cluster, Pod
from kube_inspect.offline.kept import kept
from kube_inspect.read.plan import plan_reads
from kube_inspect.read.selection import Selection
from kube_inspect.render.devices import pod_claim_dict
from kube_inspect.render.json import cluster_dict
from kube_inspect.render.tree import render_tree
from tests.unit.conftest import RECORDED

DRA = RECORDED / "dra"


def _items(name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((DRA / name).read_text())["items"]
    return items


def _cluster(show_pools: bool = True, slices: bool = True, claims: bool = True) -> Cluster:
    cluster = build_cluster(
        context="c",
        server="s",
        version="v1.36.3",
        nodes=_items("nodes.json"),
        pods=_items("pods.json"),
    )
    warnings = [e for e in _items("events.json") if e.get("type") == "Warning"]
    cluster = with_events(cluster, events_by_object(warnings), show=False, nodes_read=False)
    return with_devices(
        cluster,
        _items("deviceclasses.json"),
        _items("resourceslices.json") if slices else None,
        _items("resourceclaims.json") if claims else None,
        show_pools=show_pools,
    )


def _pod(cluster: Cluster, name: str) -> Pod:
    return next(p for p in cluster.pods if p.name == name)


def _allocated() -> Counter[tuple[str, str]]:
    """Return how many devices the server's claims hold per (driver, pool)."""
    found: Counter[tuple[str, str]] = Counter()
    for claim in _items("resourceclaims.json"):
        for r in (
            claim.get("status", {}).get("allocation", {}).get("devices", {}).get("results", [])
        ):
            found[(r["driver"], r["pool"])] += 1
    return found


def test_each_nodes_pool_counts_the_devices_the_servers_claims_hold() -> None:
    cluster = _cluster()
    slices = {
        (s["spec"]["driver"], s["spec"]["pool"]["name"]): s for s in _items("resourceslices.json")
    }
    allocated = _allocated()
    seen = set()
    for node in cluster.nodes:
        assert node.devices is not None
        for pool in node.devices:
            spec = slices[(pool.driver, pool.pool)]["spec"]
            assert pool.node == spec["nodeName"] == node.name
            assert pool.total == len(spec["devices"])
            assert pool.allocated == allocated[(pool.driver, pool.pool)]
            assert pool.free == pool.total - pool.allocated
            seen.add((pool.driver, pool.pool))
    assert seen == set(slices)
    assert cluster.devices == ()  # every pool of the fixture is on a node


def test_a_devices_attributes_and_capacity_are_those_of_its_slice() -> None:
    cluster = _cluster()
    for spec in (s["spec"] for s in _items("resourceslices.json")):
        node = next(n for n in cluster.nodes if n.name == spec["nodeName"])
        assert node.devices is not None
        pool = next(p for p in node.devices if p.pool == spec["pool"]["name"])
        for obj, device in zip(
            sorted(spec["devices"], key=lambda d: d["name"]), pool.devices, strict=True
        ):
            assert device.name == obj["name"]
            assert dict(device.attributes) == {k: v["string"] for k, v in obj["attributes"].items()}
            assert dict(device.capacity) == {k: v["value"] for k, v in obj["capacity"].items()}


def test_a_pods_claims_carry_the_devices_its_resourceclaim_was_allocated() -> None:
    cluster = _cluster()
    claims = {c["metadata"]["name"]: c for c in _items("resourceclaims.json")}
    pods = {p["metadata"]["name"]: p for p in _items("pods.json")}
    for pod in cluster.pods:
        entries = pods[pod.name]["spec"]["resourceClaims"]
        assert [c.name for c in pod.claims] == [e["name"] for e in entries]
        for claim in pod.claims:
            if claim.claim is None or claim.claim not in claims:
                assert claim.state == "missing"
                continue
            results = claims[claim.claim].get("status", {}).get("allocation", {})
            results = results.get("devices", {}).get("results", [])
            assert [(d.driver, d.pool, d.device) for d in claim.devices] == [
                (r["driver"], r["pool"], r["device"]) for r in results
            ]
            assert claim.state == ("allocated" if results else "pending")
            assert claim.containers == tuple(
                c["name"]
                for c in pods[pod.name]["spec"]["containers"]
                if claim.name in [u["name"] for u in c.get("resources", {}).get("claims", [])]
            )
            assert not claim.vanished


def test_a_shared_claim_counts_the_pods_it_is_reserved_for() -> None:
    cluster = _cluster()
    reserved = {
        c["metadata"]["name"]: len(c.get("status", {}).get("reservedFor", []))
        for c in _items("resourceclaims.json")
    }
    shared = _pod(cluster, "shared-1").claims[0]
    assert shared.claim == "shared-gpu"
    assert shared.shared == reserved["shared-gpu"] == 2


def _h100s() -> tuple[int, int]:
    """Return (H100 devices, H100 devices no claim holds), read from the server's objects."""
    taken = {
        (r["driver"], r["pool"], r["device"])
        for c in _items("resourceclaims.json")
        for r in c.get("status", {}).get("allocation", {}).get("devices", {}).get("results", [])
    }
    h100 = [
        (s["spec"]["driver"], s["spec"]["pool"]["name"], d["name"])
        for s in _items("resourceslices.json")
        for d in s["spec"]["devices"]
        if d["attributes"]["model"]["string"] == "H100"
    ]
    return len(h100), sum(1 for d in h100 if d not in taken)


def test_a_claim_that_cannot_be_allocated_names_its_class_selectors_and_counts() -> None:
    cluster = _cluster()
    waiting = [p for p in cluster.unscheduled if p.name.startswith("h100-")]
    assert len(waiting) == 1  # two H100s, three pods asking for one
    pending = waiting[0].pending
    assert pending is not None
    texts = [c.text for c in pending.causes]
    assert texts[0] == "cannot allocate all claims"  # the scheduler's, with its node count
    matching, free = _h100s()
    named = texts[1]
    assert "of class gpu-h100.example.com" in named
    assert 'device.attributes["gpu.example.com"].model == "H100"' in named
    assert named.endswith(f": {matching} devices match, {free} free")


def test_a_class_that_matches_no_device_says_none_match() -> None:
    pending = _pod(_cluster(), "tpu").pending
    assert pending is not None
    assert pending.causes[-1].text.endswith('tpu.example.com"]: 0 devices match, 0 free')


def test_a_missing_class_and_a_missing_template_are_named() -> None:
    cluster = _cluster()
    classless = _pod(cluster, "classless").pending
    assert classless is not None
    assert [c.text for c in classless.causes] == [
        "claim gpu (no-class): missing DeviceClass no-such-class.example.com"
    ]
    orphan = _pod(cluster, "orphan").pending
    assert orphan is not None
    assert [c.text for c in orphan.causes] == ["missing ResourceClaimTemplate no-such-template"]


def test_without_slices_a_waiting_claim_is_not_counted() -> None:
    pending = _pod(_cluster(slices=False), "tpu").pending
    assert pending is not None
    assert pending.causes[-1].text.endswith("selectors not evaluated")


def test_views_that_do_not_show_devices_get_no_pools() -> None:
    cluster = _cluster(show_pools=False)
    assert all(n.devices is None for n in cluster.nodes)
    assert cluster.devices is None and cluster.device_classes is None
    assert _pod(cluster, "shared-1").claims[0].devices  # the pods' claims are still resolved


def test_a_device_gone_from_its_slice_is_a_vanished_allocation() -> None:
    slices = _items("resourceslices.json")
    gone = [
        {**s, "spec": {**s["spec"], "devices": []}}
        for s in slices
        if s["spec"]["nodeName"] == "gpu-a"
    ]
    kept = [s for s in slices if s["spec"]["nodeName"] != "gpu-a"]
    cluster = build_cluster(
        context="c", server="s", version="v", nodes=_items("nodes.json"), pods=_items("pods.json")
    )
    cluster = with_devices(
        cluster, _items("deviceclasses.json"), kept + gone, _items("resourceclaims.json"), True
    )
    shared = _pod(cluster, "shared-1").claims[0]
    assert shared.vanished == shared.devices and shared.devices


def test_the_json_document_holds_pools_claims_and_classes() -> None:
    document = cluster_dict(_cluster())["cluster"]
    names = [c["metadata"]["name"] for c in _items("deviceclasses.json")]
    assert [c["name"] for c in document["device_classes"]] == sorted(names)
    node = document["nodes"][0]
    assert node["devices"][0]["driver"] == "gpu.example.com"
    pod = next(p for n in document["nodes"] for p in n["pods"])
    assert pod["claims"][0]["devices"]


@pytest.mark.parametrize(
    ("expression", "driver", "attributes", "selected"),
    [
        ('device.driver == "gpu.example.com"', "gpu.example.com", {}, True),
        ('device.driver == "gpu.example.com"', "tpu.example.com", {}, False),
        ('device.driver != "gpu.example.com"', "tpu.example.com", {}, True),
        (
            'device.attributes["gpu.example.com"].model == "H100"',
            "x",
            {("gpu.example.com", "model"): "H100"},
            True,
        ),
        (
            'device.attributes["gpu.example.com"].model == "H100"',
            "x",
            {("gpu.example.com", "model"): "A100"},
            False,
        ),
        (
            'device.attributes["gpu.example.com"].model == "H100"',
            "x",
            {},
            False,
        ),  # no such attribute
        (
            'device.attributes["d"].cores == 8 && device.driver == "x"',
            "x",
            {("d", "cores"): 8},
            True,
        ),
        ('device.attributes["d"].cores == 8', "x", {("d", "cores"): "8"}, False),  # types differ
        ('device.attributes["d"].mig == true', "x", {("d", "mig"): True}, True),
        ('device.capacity["d"].memory.compareTo(quantity("10Gi")) >= 0', "x", {}, None),
        ('device.driver == "a" || device.driver == "b"', "a", {}, None),
    ],
)
def test_simple_cel_selectors_are_evaluated_and_others_are_not(
    expression: str, driver: str, attributes: dict[tuple[str, str], Any], selected: bool | None
) -> None:
    assert evaluate(expression, SelectedDevice(driver, attributes)) is selected


def test_device_reads_go_out_with_the_rest_only_for_views_that_show_them() -> None:
    shown = plan_reads(Selection(with_devices=True))
    assert shown.device_slices in shown.sent_at_once
    assert not set(shown.devices_after) & set(shown.sent_at_once)  # after the slices' answer
    default = plan_reads(Selection())
    assert default.devices_when == "pending"
    paths = [r.path for r in default.sent_at_once]
    assert not [p for p in paths if "resource.k8s.io" in p]


def test_a_snapshot_keeps_what_the_device_views_read_and_no_driver_config() -> None:
    secret = "driver-token-hunter7"
    config = [{"opaque": {"driver": "gpu.example.com", "parameters": {"token": secret}}}]
    for resource in ("deviceclasses", "resourceslices", "resourceclaims"):
        for obj in _items(f"{resource}.json"):
            obj = copy.deepcopy(obj)
            obj["metadata"]["annotations"] = {"example.com/token": secret}
            obj["spec"]["config"] = config  # classes' config
            obj["spec"].setdefault("devices", {})
            if isinstance(obj["spec"]["devices"], dict):
                obj["spec"]["devices"]["config"] = config  # claims' config
            stored = kept(resource, obj)
            assert secret not in json.dumps(stored)
            assert stored["metadata"]["name"] == obj["metadata"]["name"]
    cluster = with_devices(
        build_cluster(
            context="c",
            server="s",
            version="v",
            nodes=_items("nodes.json"),
            pods=_items("pods.json"),
        ),
        [kept("deviceclasses", o) for o in _items("deviceclasses.json")],
        [kept("resourceslices", o) for o in _items("resourceslices.json")],
        [kept("resourceclaims", o) for o in _items("resourceclaims.json")],
        show_pools=True,
    )
    assert cluster == _cluster_without_events()


def _cluster_without_events() -> Cluster:
    cluster = build_cluster(
        context="c", server="s", version="v", nodes=_items("nodes.json"), pods=_items("pods.json")
    )
    return with_devices(
        cluster,
        _items("deviceclasses.json"),
        _items("resourceslices.json"),
        _items("resourceclaims.json"),
        show_pools=True,
    )


def test_a_pod_on_a_vanished_device_is_a_problem_and_fails_pod_claims() -> None:
    slices = _items("resourceslices.json")
    kept_slices = [s for s in slices if s["spec"]["nodeName"] != "gpu-a"]  # gpu-a's unpublished
    cluster = with_devices(
        build_cluster(
            context="c",
            server="s",
            version="v",
            nodes=_items("nodes.json"),
            pods=_items("pods.json"),
        ),
        _items("deviceclasses.json"),
        kept_slices,
        _items("resourceclaims.json"),
        show_pools=False,
    )
    shared = _pod(cluster, "shared-1")
    gone = shared.claims[0].devices[0].text
    assert pod_problem(shared) == f"claim gpu: device {gone} gone from its ResourceSlice"
    assert pod_problem(_pod(cluster, "h100-1")) is None  # gpu-b's slice is still there
    findings = {f.object: f for f in check_pod_claims(cluster, CheckOptions(), datetime.now(UTC))}
    assert not findings["pod/" + shared.namespace + "/shared-1"].passed
    assert "pod/" + shared.namespace + "/h100-1" not in findings  # no PVC, devices fine


def test_the_documents_devices_keys_are_in_the_published_schema() -> None:
    schema = json.loads((Path(kube_inspect.schema.__file__).parent / "v1.json").read_text())
    document = cluster_dict(_cluster())
    jsonschema.validate(document, schema)
    defs = schema["$defs"]
    assert set(pod_claim_dict(_pod(_cluster(), "shared-1").claims[0])) == set(
        defs["pod_claim"]["properties"]
    )
    pool = next(n for n in document["cluster"]["nodes"] if n["devices"])["devices"][0]
    assert set(pool) == set(defs["device_pool"]["properties"])
    broken = copy.deepcopy(document)
    broken["cluster"]["nodes"][0]["devices"][0]["total"] = "two"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_tour_says_what_devices_claims_and_classes_are_on_this_cluster() -> None:
    cluster = _cluster()
    text = " ".join(tour(cluster))
    total = sum(len(s["spec"]["devices"]) for s in _items("resourceslices.json"))
    allocated = sum(_allocated().values())
    assert f"{total} devices in 2 pools: {allocated} allocated, {total - allocated} free." in text
    assert "A device is a piece of hardware" in text and "a ResourceClaim asks" in text
    pod = " ".join(explain_pod(cluster, "dra", "shared-1"))
    assert "Claim gpu (ResourceClaim shared-gpu): gpu.example.com/gpu-a/" in pod
    assert "A device is" not in " ".join(
        tour(build_cluster(context="c", server="s", version="v", nodes=[], pods=[]))
    )


def test_a_pool_tied_to_no_node_is_the_clusters() -> None:
    network = copy.deepcopy(_items("resourceslices.json")[0])
    network["metadata"]["name"] = "fabric"
    spec = network["spec"]
    del spec["nodeName"]
    spec["allNodes"] = True
    spec["driver"], spec["pool"]["name"] = "nic.example.com", "fabric"
    slices = [*_items("resourceslices.json"), network]
    cluster = with_devices(
        build_cluster(context="c", server="s", version="v", nodes=_items("nodes.json"), pods=[]),
        _items("deviceclasses.json"),
        slices,
        [],
        show_pools=True,
    )
    assert cluster.devices is not None
    assert [(p.driver, p.node, p.total) for p in cluster.devices] == [
        ("nic.example.com", None, len(spec["devices"]))
    ]
    assert all(p.driver != "nic.example.com" for n in cluster.nodes for p in n.devices or ())
    out = io.StringIO()
    render_tree(cluster, out, now=datetime.now(UTC))
    first = out.getvalue().splitlines()[0]
    assert first.endswith(
        f"; devices of no node: nic.example.com/fabric=0/{len(spec['devices'])} allocated"
    )


def test_sort_by_devices_puts_the_pods_holding_most_first() -> None:
    cluster = _cluster()
    node = next(n for n in cluster.nodes if n.name == "gpu-a")
    last = node.pods[-1]  # by name
    claim = last.claims[0]
    doubled = replace(last, claims=(replace(claim, devices=claim.devices * 2),))
    node = replace(node, pods=(*node.pods[:-1], doubled))
    cluster = replace(cluster, nodes=(node,))
    assert [p.name for p in arrange(cluster, False, "name").nodes[0].pods][-1] == last.name
    assert arrange(cluster, False, "devices").nodes[0].pods[0].name == last.name
