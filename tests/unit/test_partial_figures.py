"""What could not be read is unknown, never a figure: recorded JSON, partial reads (issue 22).

A user who may not list nodes, a view of one namespace, finished pods on a node, a diff
of an admin's snapshot against a viewer's read: each figure shown is true or marked.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from kube_inspect.cli import cli
from kube_inspect.cli.streams import locale_is_utf8
from kube_inspect.interpret.objects import build_cluster
from kube_inspect.model.quantity import millicores, whole
from kube_inspect.render.cells import NAME_CAP, node_other_resources
from kube_inspect.schema import load_diff_schema, load_schema
from tests.unit.conftest import load
from tests.unit.recorded import factory, invoke

SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "sample-snapshot.json"
FINISHED = ("Succeeded", "Failed")


def recorded_pods(namespace: str | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = load("pods.json")["items"]
    return [p for p in items if namespace is None or p["metadata"]["namespace"] == namespace]


def _cpu(container: dict[str, Any]) -> int:
    return millicores(container.get("resources", {}).get("requests", {}).get("cpu")) or 0


def pod_cpu_m(pod: dict[str, Any]) -> int:
    """Return the pod's cpu requests as the scheduler sums them, native sidecars included."""
    steady = sum(map(_cpu, pod["spec"]["containers"]))
    sidecars = peak = 0
    for init in pod["spec"].get("initContainers", []):
        if init.get("restartPolicy") == "Always":
            sidecars += _cpu(init)
            steady += _cpu(init)
        else:
            peak = max(peak, _cpu(init) + sidecars)
    return max(steady, peak)


def json_of(*args: str, forbidden: tuple[str, ...] = ()) -> dict[str, Any]:
    result = invoke(*args, "-o", "json", forbidden=forbidden)
    assert result.exit_code in (0, 4), result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_schema()).validate(doc)
    return doc


# 1. nodes the user may not read


@pytest.mark.parametrize("command", ["tree", "nodes"])
def test_a_node_that_was_not_read_has_no_status_in_json(command: str) -> None:
    doc = json_of(command, "-n", "shop", forbidden=("nodes",))
    nodes = doc["cluster"]["nodes"] if command == "tree" else doc["nodes"]
    assert nodes and {n["status"] for n in nodes} == {None}
    assert all(n["allocatable"] is None for n in nodes)


@pytest.mark.parametrize("picture", ["dot", "mermaid"])
def test_pictures_mark_a_node_not_read_never_with_the_status_unknown(picture: str) -> None:
    result = invoke("tree", "-n", "shop", "-o", picture, forbidden=("nodes",))
    assert result.exit_code == 4, result.output
    node_lines = [line for line in result.stdout.splitlines() if "node/" in line]
    assert node_lines and all("(not listed)" in line for line in node_lines), node_lines
    assert "Unknown" not in result.stdout


def test_an_extended_resource_of_a_node_not_read_is_not_out_of_zero(
    nodes: list[dict[str, Any]],
) -> None:
    pods = copy.deepcopy(recorded_pods("shop"))
    web = next(p for p in pods if p["metadata"]["name"].startswith("web-"))
    web["spec"]["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] = "3"
    cluster = build_cluster(context="c", server="s", version="v", nodes=[], pods=pods)
    node = next(n for n in cluster.nodes if n.name == web["spec"]["nodeName"])
    assert not node.listed
    # the node's allocatable is unknown, not 0: "3/0" would say it has none
    assert node_other_resources(node, ["nvidia.com/gpu"]) == {"NVIDIA.COM/GPU": "3/?"}


def test_a_viewer_without_node_rights_reads_its_share_marked_and_no_node_total() -> None:
    result = invoke("nodes", "-n", "shop", "-o", "csv", forbidden=("nodes",))
    assert result.exit_code == 4, result.output
    rows = {r["NAME"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    for name, row in rows.items():
        shop = [p for p in recorded_pods("shop") if p["spec"].get("nodeName") == name]
        assert row["CPU-REQ"] == f"{sum(map(pod_cpu_m, shop))}m*", row
        assert row["PODS"].endswith("/?"), row
    doc = json_of("nodes", "-n", "shop", forbidden=("nodes",))
    for node in doc["nodes"]:
        assert node["requests"] is None and node["limits"] is None  # the node's: unknown
        shop = [p for p in recorded_pods("shop") if p["spec"].get("nodeName") == node["name"]]
        assert node["selected_requests"]["cpu_m"] == sum(map(pod_cpu_m, shop))


def test_explain_says_what_it_cannot_see_and_advises_only_what_the_user_may_run() -> None:
    result = invoke("explain", "-n", "shop", forbidden=("nodes",))
    assert result.exit_code == 4, result.output
    on = sorted({p["spec"]["nodeName"] for p in recorded_pods("shop") if p["spec"].get("nodeName")})
    text = " ".join(result.stdout.split())
    assert "This one has" not in text  # the cluster's node count is unknown to this user
    assert "may not list nodes" in text and f"run on {len(on)} of them" in text
    assert "kubectl describe node" not in result.stdout
    assert "every node is Ready" not in result.stdout
    node = invoke("explain", "node", on[0], "-n", "shop", forbidden=("nodes",))
    assert "kubectl describe node" not in node.stdout, node.stdout


# 2. figures of a namespace: the selected pods' share


def test_node_figures_of_one_namespace_are_marked_as_its_share() -> None:
    whole_doc = json_of("nodes")
    shop_doc = json_of("nodes", "-n", "shop")
    assert shop_doc["pod_filter"] == ["-n shop"] and whole_doc["pod_filter"] == []
    totals = {n["name"]: n for n in whole_doc["nodes"]}
    for node in shop_doc["nodes"]:
        shop = [p for p in recorded_pods("shop") if p["spec"].get("nodeName") == node["name"]]
        assert node["requests"] is None  # not the node's total
        assert node["selected_requests"]["cpu_m"] == sum(map(pod_cpu_m, shop))
        everyone = [p for p in recorded_pods() if p["spec"].get("nodeName") == node["name"]]
        total = sum(pod_cpu_m(p) for p in everyone if p["status"]["phase"] not in FINISHED)
        assert totals[node["name"]]["requests"]["cpu_m"] == total
    result = invoke("nodes", "-n", "shop")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()[1:]
    assert lines and all("m* (" in line for line in lines), result.stdout
    assert "notice: * marks a node's figures that count only the pods shown (-n shop)" in (
        result.stderr
    )
    assert "*" not in invoke("nodes").stdout


def test_the_tree_of_one_namespace_marks_its_share_of_each_node() -> None:
    result = invoke("tree", "-n", "shop")
    node_lines = [line for line in result.stdout.splitlines() if "node/" in line]
    assert node_lines and all("cpu-req=" in line and "%*" in line for line in node_lines)
    assert "%*" not in invoke("tree").stdout


# 3. PODS counts what holds a slot


def test_pods_column_counts_only_pods_that_are_not_finished() -> None:
    result = invoke("nodes", "-o", "csv")
    rows = {r["NAME"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    allocatable = {
        n["metadata"]["name"]: whole(n["status"]["allocatable"]["pods"])
        for n in load("nodes.json")["items"]
    }
    finished_somewhere = False
    for name, row in rows.items():
        on = [p for p in recorded_pods() if p["spec"].get("nodeName") == name]
        active = [p for p in on if p["status"]["phase"] not in FINISHED]
        finished_somewhere |= len(active) < len(on)
        assert row["PODS"] == f"{len(active)}/{allocatable[name]}", row
    assert finished_somewhere, "the recording has finished pods on a node: the case tested"
    doc = json_of("nodes")
    for node in doc["nodes"]:
        assert (
            f"{node['non_terminated_pod_count']}/{allocatable[node['name']]}"
            == (rows[node["name"]]["PODS"])
        )


# 4. diff of an admin's snapshot against a viewer's read


def test_diff_against_a_read_without_node_rights_compares_no_node() -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["diff", str(SNAPSHOT), "-n", "shop", "-o", "json"],
        obj={"client_factory": factory(("nodes",))},
    )
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_diff_schema()).validate(doc)
    assert doc["not_compared"] == ["nodes: AFTER may not list them"]
    assert [n for n in doc["nodes"] if n["presence"] != "changed" or n["changes"]] == []
    text = runner.invoke(
        cli, ["diff", str(SNAPSHOT), "-n", "shop"], obj={"client_factory": factory(("nodes",))}
    )
    assert "not compared: nodes: AFTER may not list them" in text.stdout
    assert "removed" not in "".join(line for line in text.stdout.splitlines() if "node/" in line), (
        text.stdout
    )
    assert "Unknown" not in text.stdout


def test_diff_of_a_snapshot_with_itself_compares_everything() -> None:
    result = CliRunner().invoke(cli, ["diff", str(SNAPSHOT), str(SNAPSHOT), "-o", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["not_compared"] == []


# 6. small ones


def test_fmt_help_names_only_the_outputs_it_styles() -> None:
    runner = CliRunner()
    for command in ("tree", "pods"):
        text = " ".join(runner.invoke(cli, [command, "--help"]).stdout.split())
        styled = text.split("Table style for -o ", 1)[1].split(" ", 1)[0].split("/")
        for output in styled:
            result = runner.invoke(
                cli,
                [command, "--from", str(SNAPSHOT), "-o", output, "--fmt", "github"],
            )
            assert result.exit_code == 0, (command, output, result.output)


@pytest.mark.parametrize(
    ("environ", "utf8"),
    [
        ({"LC_ALL": "C"}, False),
        ({"LC_ALL": "POSIX", "LANG": "en_US.UTF-8"}, False),
        ({"LC_CTYPE": "en_US.ISO-8859-1"}, False),
        ({"LANG": "C.UTF-8"}, True),
        ({"LC_ALL": "en_US.utf8"}, True),
        ({}, True),
    ],
)
def test_the_locale_decides_whether_boxes_are_drawn(environ: dict[str, str], utf8: bool) -> None:
    assert locale_is_utf8(environ) is utf8


def test_lc_all_c_draws_ascii_even_when_python_writes_utf8() -> None:
    # under LC_ALL=C Python's UTF-8 mode keeps stdout UTF-8: CliRunner's stdout is too
    result = CliRunner(env={"LC_ALL": "C"}).invoke(cli, ["tree", "--from", str(SNAPSHOT)])
    assert result.exit_code == 0, result.output
    assert "|-- node/" in result.stdout
    assert not any(ord(ch) > 127 for ch in result.stdout)


def test_a_very_long_pod_name_does_not_widen_every_row(
    nodes: list[dict[str, Any]],
) -> None:
    from kube_inspect.render.rows import flat_rows
    from kube_inspect.render.table import write_table

    pods = copy.deepcopy(recorded_pods())
    long_name = "x" * 200 + "-5bf97bb7fb-abcde" + "y" * 26
    assert len(long_name) == 243
    pods[0]["metadata"]["name"] = long_name
    cluster = build_cluster(context="c", server="s", version="v", nodes=nodes, pods=pods)
    table = io.StringIO()
    write_table(flat_rows(cluster, "pod", wide=False), table)
    name_column = max(len(line.split("  ")[1]) for line in table.getvalue().splitlines()[1:])
    assert name_column <= NAME_CAP
    assert long_name not in table.getvalue()
    wide = io.StringIO()
    write_table(flat_rows(cluster, "pod", wide=True), wide)
    assert long_name in wide.getvalue()  # -o wide shows whole names


# 5. tree --watch names owners as tree does


@pytest.mark.parametrize("namespace", [None, "shop"])
def test_the_watch_names_each_pods_owner_as_the_tree_does(namespace: str | None) -> None:
    from kube_inspect.read.cluster import read_cluster
    from kube_inspect.read.partial import ForbiddenReads
    from kube_inspect.read.selection import Selection
    from kube_inspect.read.watch import follow_cluster
    from tests.unit.recorded import RecordedClient

    selection = Selection(namespace=namespace)
    tree = read_cluster(RecordedClient(), selection, ForbiddenReads())
    frames = follow_cluster(RecordedClient(), selection, ForbiddenReads())
    first = next(frames).cluster  # read before any watch stream starts
    owners = {(p.namespace, p.name): p.owner for p in tree.pods}
    assert {(p.namespace, p.name): p.owner for p in first.pods} == owners
    assert "Deployment/web" in owners.values()  # the case tested: a ReplicaSet's pods


def test_the_watch_without_rights_on_replicasets_names_them_with_a_notice() -> None:
    from kube_inspect.read.partial import ForbiddenReads
    from kube_inspect.read.selection import Selection
    from kube_inspect.read.watch import follow_cluster
    from tests.unit.recorded import RecordedClient

    forbidden = ForbiddenReads()
    client = RecordedClient(forbidden=("replicasets",))
    first = next(follow_cluster(client, Selection(namespace="shop"), forbidden)).cluster
    assert not forbidden  # an extra, as in tree: not a partial result
    assert any(p.owner and p.owner.startswith("ReplicaSet/") for p in first.pods)
    assert first.notices == (
        "reading replicasets is forbidden for this user: owners shown one level up only",
    )


def test_a_pod_named_after_its_deployment_once_its_replicaset_is_read_is_redrawn(
    sample: Any,
) -> None:
    from dataclasses import replace

    from kube_inspect.render.watching import compare, signatures

    pod = next(p for p in sample.pods if p.owner == "Deployment/web")
    node = next(n for n in sample.nodes if pod in n.pods)
    early = replace(pod, owner=pod.controller)  # its ReplicaSet not read yet
    before = replace(
        sample,
        nodes=tuple(
            replace(n, pods=tuple(early if p is pod else p for p in n.pods)) if n is node else n
            for n in sample.nodes
        ),
    )
    changes = compare(signatures(before), signatures(sample))
    assert changes.changed == {f"pod/{pod.namespace}/{pod.name}"}
