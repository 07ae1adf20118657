"""Issue 4 against a real API server: every field, filter and output checked against the
server's own objects or kubectl's answer."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from typing import Any

import jsonschema
import pytest
import yaml

from kube_inspect.model.quantity import millicores, whole
from kube_inspect.schema import load_schema
from tests.integration.cli_runner import KUBE_INSPECT, run
from tests.integration.conftest import TestCluster, holds_within
from tests.unit.test_resources import HAND_WORKED

pytestmark = pytest.mark.integration


def kubectl_items(cluster: TestCluster, *args: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(cluster.kubectl("get", *args, "-o", "json"))["items"]
    return items


def inspect_json(cluster: TestCluster, *args: str) -> dict[str, Any]:
    result = run(*args, "-o", "json", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(doc, load_schema())
    return doc


def pod_keys(doc: dict[str, Any]) -> set[str]:
    pods = (
        doc["pods"]
        if "pods" in doc
        else [p for n in doc["cluster"]["nodes"] for p in n["pods"]] + doc["cluster"]["unscheduled"]
    )
    return {f"{p['namespace']}/{p['name']}" for p in pods}


def kubectl_keys(items: list[dict[str, Any]]) -> set[str]:
    return {f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in items}


def test_node_fields_match_the_node_objects(cluster: TestCluster) -> None:
    shown = {n["name"]: n for n in inspect_json(cluster, "nodes")["nodes"]}
    for node in kubectl_items(cluster, "nodes"):
        mine = shown[node["metadata"]["name"]]
        labels, status = node["metadata"].get("labels", {}), node["status"]
        taints = [
            f"{t['key']}={t['value']}:{t['effect']}"
            if t.get("value")
            else f"{t['key']}:{t['effect']}"
            for t in node["spec"].get("taints", [])
        ]
        assert mine["taints"] == taints
        assert mine["os"] == status["nodeInfo"]["operatingSystem"]
        assert mine["arch"] == status["nodeInfo"]["architecture"]
        ips = [a["address"] for a in status.get("addresses", []) if a["type"] == "InternalIP"]
        assert mine["internal_ip"] == (ips[0] if ips else None)
        assert mine["zone"] == labels.get("topology.kubernetes.io/zone")
        assert mine["instance_type"] == labels.get("node.kubernetes.io/instance-type")
        allocatable = status["allocatable"]
        assert mine["allocatable"] == {
            "cpu_m": millicores(allocatable["cpu"]),
            "memory_bytes": whole(allocatable["memory"]),
            "other": {  # every other resource the node advertises, whole units
                k: whole(v) for k, v in allocatable.items() if k not in ("cpu", "memory", "pods")
            },
            "pods": whole(allocatable["pods"]),
        }
        pressures = [
            c["type"]
            for c in status["conditions"]
            if c["type"].endswith("Pressure") and c["status"] == "True"
        ]
        assert sorted(mine["pressures"]) == sorted(pressures)


def _top_owner(
    pod: dict[str, Any], owners: dict[tuple[str, str, str], dict[str, Any]]
) -> str | None:
    meta = pod["metadata"]
    refs = [r for r in meta.get("ownerReferences", []) if r.get("controller")]
    while refs:
        ref = refs[0]
        parent = owners.get((meta["namespace"], ref["kind"], ref["name"]))
        if parent is None:
            return f"{ref['kind']}/{ref['name']}"
        refs = [r for r in parent["metadata"].get("ownerReferences", []) if r.get("controller")]
        if not refs:
            return f"{ref['kind']}/{ref['name']}"
    return None


def test_pod_and_container_fields_match_the_pod_objects(cluster: TestCluster) -> None:
    # a real kubelet moves the crasher on between two reads: compare until they agree
    def check() -> None:
        owners = {
            (o["metadata"]["namespace"], kind, o["metadata"]["name"]): o
            for kind, resource in (("ReplicaSet", "replicasets"), ("Job", "jobs"))
            for o in kubectl_items(cluster, resource, "-A")
        }
        shown = {f"{p['namespace']}/{p['name']}": p for p in inspect_json(cluster, "pods")["pods"]}
        kinds = set()
        for pod in kubectl_items(cluster, "pods", "-A"):
            mine = shown[f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"]
            status = pod["status"]
            assert mine["owner"] == _top_owner(pod, owners)
            kinds.add((mine["owner"] or "none/").split("/")[0])
            assert mine["qos_class"] == status.get("qosClass")
            assert mine["ip"] == status.get("podIP")
            assert mine["priority_class"] == pod["spec"].get("priorityClassName")
            statuses = {
                s["name"]: s
                for s in status.get("containerStatuses", [])
                + status.get("initContainerStatuses", [])
            }
            specs = {
                c["name"]: c
                for c in pod["spec"]["containers"] + pod["spec"].get("initContainers", [])
            }
            for container in mine["containers"]:
                spec, cs = specs[container["name"]], statuses.get(container["name"], {})
                ports = [
                    (f"{p['name']}:" if p.get("name") else "")
                    + f"{p['containerPort']}/{p.get('protocol', 'TCP')}"
                    for p in spec.get("ports", [])
                ]
                assert container["ports"] == ports
                assert container["image_id"] == (cs.get("imageID") or None)
                assert container["started"] == cs.get("started")
                last = cs.get("lastState", {}).get("terminated")
                assert (container["last_termination"] or {}).get("reason") == (last or {}).get(
                    "reason"
                )
                requests = spec.get("resources", {}).get("requests", {})
                assert container["requests"]["cpu_m"] == millicores(requests.get("cpu"))
                assert container["requests"]["memory_bytes"] == whole(requests.get("memory"))
        assert {"Deployment", "StatefulSet", "DaemonSet", "Job"} <= kinds

    holds_within(check)


def test_every_problem_state_of_the_sample_is_shown(cluster: TestCluster) -> None:
    def shown() -> None:
        reasons = {
            c["reason"]
            for p in inspect_json(cluster, "pods")["pods"]
            for c in p["containers"]
            if c["reason"]
        }
        wanted = {"CrashLoopBackOff", "OOMKilled", "Completed"}
        assert wanted <= reasons and reasons & {"ImagePullBackOff", "ErrImagePull"}

    holds_within(shown)


def test_node_requests_match_kubectl_describe_for_a_hand_worked_pod(
    cluster: TestCluster, scratch_namespace: str
) -> None:
    node = kubectl_items(cluster, "nodes")[0]["metadata"]["name"]
    runtime_class = f"{scratch_namespace}-rc"
    manifest = [
        {
            "apiVersion": "node.k8s.io/v1",
            "kind": "RuntimeClass",
            "metadata": {"name": runtime_class},
            "handler": "runc",
            "overhead": {"podFixed": {"cpu": "10m", "memory": "20Mi"}},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "hand-worked", "namespace": scratch_namespace},
            "spec": {
                "nodeName": node,
                "runtimeClassName": runtime_class,
                "tolerations": [{"operator": "Exists"}],
                "initContainers": [
                    {**c, "image": "localhost/busybox:1.35", "command": ["true"]}
                    for c in HAND_WORKED["initContainers"]
                ],
                "containers": [
                    {**c, "image": "localhost/busybox:1.35", "command": ["sleep", "3600"]}
                    for c in HAND_WORKED["containers"]
                ],
            },
        },
    ]
    subprocess.run(
        [cluster.kubectl_bin, "--kubeconfig", str(cluster.kubeconfig), "apply", "-f", "-"],
        input=yaml.safe_dump_all(manifest),
        text=True,
        check=True,
        capture_output=True,
    )
    try:
        pods = inspect_json(cluster, "pods", "-n", scratch_namespace)["pods"]
        assert pods[0]["requests"] == {"cpu_m": 510, "memory_bytes": 520 * 2**20, "other": {}}
        mine = inspect_json(cluster, "nodes", "--node", node)["nodes"][0]
        described = cluster.kubectl("describe", "node", node)
        allocated = described.split("Allocated resources:")[1]
        cpu_line = next(line for line in allocated.splitlines() if line.strip().startswith("cpu"))
        memory_line = next(
            line for line in allocated.splitlines() if line.strip().startswith("memory")
        )
        assert mine["requests"]["cpu_m"] == millicores(cpu_line.split()[1])
        assert mine["requests"]["memory_bytes"] == whole(memory_line.split()[1])
        assert mine["limits"]["cpu_m"] == millicores(cpu_line.split()[3])
    finally:
        cluster.kubectl("delete", "runtimeclass", runtime_class)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (["-l", "app=web"], ["-A", "-l", "app=web"]),
        (["-n", "shop", "-l", "app in (web,db)"], ["-n", "shop", "-l", "app in (web,db)"]),
        (
            ["--field-selector", "status.phase=Running"],
            ["-A", "--field-selector", "status.phase=Running"],
        ),
        (["-n", "batch"], ["-n", "batch"]),
    ],
)
def test_pod_filters_agree_with_kubectl(
    cluster: TestCluster, ours: list[str], theirs: list[str]
) -> None:
    expected = kubectl_keys(kubectl_items(cluster, "pods", *theirs))
    assert expected, "the filter should select something on the sample cluster"
    assert pod_keys(inspect_json(cluster, "tree", *ours)) == expected
    assert pod_keys(inspect_json(cluster, "pods", *ours)) == expected


def test_node_filters_agree_with_kubectl(cluster: TestCluster) -> None:
    nodes = kubectl_items(cluster, "nodes")
    first, second = nodes[0]["metadata"]["name"], nodes[-1]["metadata"]["name"]
    expected = kubectl_keys(
        kubectl_items(cluster, "pods", "-A", "--field-selector", f"spec.nodeName={first}")
        + kubectl_items(cluster, "pods", "-A", "--field-selector", f"spec.nodeName={second}")
    )
    doc = inspect_json(cluster, "tree", "--node", first, "--node", second)
    assert pod_keys(doc) == expected
    assert sorted(n["name"] for n in doc["cluster"]["nodes"]) == sorted({first, second})
    selector = "kubernetes.io/os=linux"
    selected = {n["metadata"]["name"] for n in kubectl_items(cluster, "nodes", "-l", selector)}
    doc = inspect_json(cluster, "tree", "--node-selector", selector)
    assert {n["name"] for n in doc["cluster"]["nodes"]} == selected
    on_selected = {
        f"{p['metadata']['namespace']}/{p['metadata']['name']}"
        for p in kubectl_items(cluster, "pods", "-A")
        if p["spec"].get("nodeName") in selected
    }
    assert pod_keys(doc) == on_selected


def test_unknown_node_is_a_clear_error(cluster: TestCluster) -> None:
    result = run("tree", "--node", "no-such-node", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 2
    assert result.stderr == 'error: node "no-such-node" not found: see kubectl get nodes\n'


def test_problems_are_the_pods_kubectl_calls_unready(cluster: TestCluster) -> None:
    # readiness and restarts are what a real kubelet changes as it goes (any pod may restart
    # or miss a probe on a loaded machine): compare until the two reads agree
    def check() -> None:
        expected = set()
        for pod in kubectl_items(cluster, "pods", "-A"):
            status = pod["status"]
            ready = any(
                c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions", [])
            )
            restarts = sum(s.get("restartCount", 0) for s in status.get("containerStatuses", []))
            if status.get("phase") != "Succeeded" and (not ready or restarts):
                expected.add(f"{pod['metadata']['namespace']}/{pod['metadata']['name']}")
        doc = inspect_json(cluster, "tree", "--problems")
        assert pod_keys(doc) == expected
        assert all(n["pods"] for n in doc["cluster"]["nodes"])

    holds_within(check)


def test_every_output_format_parses_back(cluster: TestCluster) -> None:
    pods = kubectl_items(cluster, "pods", "-A")
    containers = sum(
        len(p["spec"]["containers"]) + len(p["spec"].get("initContainers", [])) for p in pods
    )
    tree_yaml = run("tree", "-o", "yaml", kubeconfig=cluster.kubeconfig)
    assert pod_keys(yaml.safe_load(tree_yaml.stdout)) == kubectl_keys(pods)
    jsonschema.validate(yaml.safe_load(tree_yaml.stdout), load_schema())
    for command, count in (("pods", len(pods)), ("containers", containers), ("nodes", None)):
        result = run(command, "-o", "csv", kubeconfig=cluster.kubeconfig)
        assert result.returncode == 0, result.stderr
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert rows and len(rows) == (
            count if count is not None else len(kubectl_items(cluster, "nodes"))
        )
        for fmt in ("plain", "github", "grid"):
            table = run(command, "-o", "wide", "--fmt", fmt, kubeconfig=cluster.kubeconfig)
            assert table.returncode == 0 and "NAME" in table.stdout.splitlines()[int(fmt == "grid")]
    flat = run("tree", "-o", "csv", kubeconfig=cluster.kubeconfig)
    assert len(list(csv.DictReader(io.StringIO(flat.stdout)))) == containers
    wide = run("tree", "-o", "wide", kubeconfig=cluster.kubeconfig)
    assert "CPU-REQ" in wide.stdout and "owner=Deployment/web" in wide.stdout


def test_usage_reads_na_with_one_notice_when_metrics_are_not_served(cluster: TestCluster) -> None:
    served = (
        subprocess.run(
            [
                cluster.kubectl_bin,
                "--kubeconfig",
                str(cluster.kubeconfig),
                "get",
                "--raw",
                "/apis/metrics.k8s.io/v1beta1/nodes",
            ],
            capture_output=True,
        ).returncode
        == 0
    )
    result = run("tree", "-o", "wide", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0
    if served:  # a kind cluster with metrics-server, say
        assert "metrics.k8s.io" not in result.stderr
    else:
        assert result.stderr.count("notice:") == 1
        assert (
            "notice: metrics.k8s.io is not served by this cluster: usage reads n/a" in result.stderr
        )
        assert " n/a " in result.stdout


def test_colour_follows_the_flag_and_no_color(cluster: TestCluster) -> None:
    always = run("tree", "--color", "always", kubeconfig=cluster.kubeconfig)
    assert "\x1b[" in always.stdout
    auto = run("tree", kubeconfig=cluster.kubeconfig)  # stdout is a pipe here
    assert "\x1b[" not in auto.stdout


def test_shell_completion_lists_contexts_namespaces_and_nodes(cluster: TestCluster) -> None:
    script = run("completion", "bash")
    assert script.returncode == 0 and "_KUBE_INSPECT_COMPLETE" in script.stdout

    def complete(words: str) -> list[str]:
        env = dict(
            os.environ,
            KUBECONFIG=str(cluster.kubeconfig),
            _KUBE_INSPECT_COMPLETE="bash_complete",
            COMP_WORDS=words,
            COMP_CWORD=str(len(words.split(" ")) - 1),
        )
        out = subprocess.run(
            [str(KUBE_INSPECT)], env=env, capture_output=True, text=True, timeout=60
        ).stdout
        return [line.split(",", 1)[1] for line in out.splitlines() if "," in line]

    namespaces = {n["metadata"]["name"] for n in kubectl_items(cluster, "namespaces")}
    assert set(complete("kube-inspect tree -n ")) == namespaces
    nodes = {n["metadata"]["name"] for n in kubectl_items(cluster, "nodes")}
    assert set(complete("kube-inspect pods --node ")) == nodes
    context = cluster.kubectl("config", "current-context").strip()
    assert context in complete("kube-inspect tree --context ")
