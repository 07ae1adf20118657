"""A fleet's snapshot: one file for several contexts, read back as the fleet views read live.

The fleet is test_fleet's: one healthy context, one whose server is down, one whose user
may not list nodes (each a RecordedClient, or a client refusing connections).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from kube_inspect.cli import cli
from kube_inspect.cli.options import ClusterFlags
from kube_inspect.errors import EXIT_PARTIAL, EXIT_UNREACHABLE, EXIT_USAGE
from kube_inspect.kube.client import KubeClient, Target
from kube_inspect.offline.document import (
    FailedMember,
    FleetSnapshot,
    Snapshot,
    load_any,
    write_snapshot,
)
from kube_inspect.schema import load_snapshot_schema
from tests.unit.recorded import RecordedClient
from tests.unit.test_fleet import FORBIDDEN, SERVERS, kubeconfig, run

__all__ = ["kubeconfig"]  # the fixture, shared with test_fleet

FLEET_VIEWS = [
    ["tree"],
    ["tree", "-o", "wide"],
    ["tree", "-o", "json"],
    ["tree", "-o", "yaml"],
    ["tree", "-o", "csv"],
    ["tree", "-o", "html"],
    ["tree", "-o", "dot"],
    ["tree", "-o", "mermaid"],
    ["tree", "--depth", "node", "--problems"],
    ["nodes", "-o", "wide"],
    ["pods", "-o", "json"],
    ["pods", "-n", "shop", "-l", "app=web"],
    ["containers", "-o", "csv"],
    ["check"],
    ["check", "-o", "json"],
    ["tree", "--events", "-o", "wide"],
]


@pytest.fixture
def fleet_file(kubeconfig: str, tmp_path: Path) -> Path:
    path = tmp_path / "fleet.json.gz"
    taken = run(kubeconfig, "snapshot", "--all-contexts", "-o", str(path))
    assert taken.exit_code == EXIT_PARTIAL, taken.output
    return path


def _document(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
    return document


@pytest.mark.parametrize("args", FLEET_VIEWS, ids=" ".join)
def test_fleet_snapshot_gives_the_live_fleet_view(
    kubeconfig: str, fleet_file: Path, args: list[str]
) -> None:
    live = run(kubeconfig, *args, "--all-contexts")
    offline = run(kubeconfig, *args, "--from", str(fleet_file), kubeconfig_flag=False)
    assert (offline.exit_code, offline.stdout) == (live.exit_code, live.stdout)
    assert offline.stderr == live.stderr


def test_fleet_snapshot_is_one_versioned_document_per_context(
    kubeconfig: str, fleet_file: Path
) -> None:
    document = _document(fleet_file)
    jsonschema.Draft202012Validator(load_snapshot_schema()).validate(document)
    assert (document["schema_version"], document["kind"]) == (1, "KubeInspectFleetSnapshot")
    down, good, viewer = document["clusters"]
    assert down == {
        "context": "down",
        "server": SERVERS["down"],
        "error": down["error"],
        "error_kind": "ClusterUnreachable",
        "exit_code": EXIT_UNREACHABLE,
        "warnings": [],
    }
    assert down["error"].startswith("cannot connect to https://down:6443")
    assert good["kind"] == "KubeInspectSnapshot" and good["cluster"]["context"] == "good"
    assert viewer["resources"]["nodes"]["error"]["status"] == 403
    assert viewer["warnings"] and not good["warnings"]


def test_fleet_snapshot_round_trips_through_its_reader(fleet_file: Path, tmp_path: Path) -> None:
    first = load_any(str(fleet_file))
    assert isinstance(first, FleetSnapshot)
    assert first.contexts == ("down", "good", "viewer")
    assert isinstance(first.clusters[0], FailedMember)
    assert all(isinstance(c, Snapshot) for c in first.clusters[1:])
    again = tmp_path / "again.json"
    with again.open("wb") as out:
        write_snapshot(first, out, compress=False)
    assert load_any(str(again)) == first


def test_one_cluster_of_a_fleet_snapshot_is_a_snapshot(
    kubeconfig: str, fleet_file: Path, tmp_path: Path
) -> None:
    good = next(c for c in _document(fleet_file)["clusters"] if c.get("cluster"))
    alone = tmp_path / "good.json"
    alone.write_text(json.dumps(good))  # what `jq '.clusters[1]'` writes
    offline = run(kubeconfig, "tree", "--from", str(alone), kubeconfig_flag=False)
    live = run(kubeconfig, "tree", "--context", "good")
    assert (offline.exit_code, offline.stdout) == (live.exit_code, live.stdout)


def test_every_context_down_is_exit_3_live_and_offline(kubeconfig: str, tmp_path: Path) -> None:
    path = tmp_path / "down.json"
    taken = run(kubeconfig, "snapshot", "--context", "good,down", "-o", str(path), down=SERVERS)
    assert taken.exit_code == EXIT_UNREACHABLE
    assert taken.stderr.count("error: context ") == 2
    live = run(kubeconfig, "tree", "--context", "good,down", down=SERVERS)
    offline = run(kubeconfig, "tree", "--from", str(path), kubeconfig_flag=False)
    assert (offline.exit_code, offline.stdout) == (live.exit_code, live.stdout)
    assert offline.stdout.count("Unreachable") == 2


def test_each_cluster_ages_count_to_its_own_snapshot_time(
    kubeconfig: str, fleet_file: Path, tmp_path: Path
) -> None:
    document = _document(fleet_file)
    good = document["clusters"][1]
    created = min(p["metadata"]["creationTimestamp"] for p in good["resources"]["pods"]["items"])
    good["taken_at"] = created  # as if good's were taken as its first pod was created
    path = tmp_path / "early.json"
    path.write_text(json.dumps(document))
    result = run(kubeconfig, "pods", "-o", "csv", "--from", str(path), kubeconfig_flag=False)
    ages = {(row["CONTEXT"], row["AGE"]) for row in csv.DictReader(io.StringIO(result.stdout))}
    assert ("good", "0s") in ages
    assert all("d" in age for c, age in ages if c == "viewer")  # the sample's pods: days old
    tree = run(kubeconfig, "tree", "--from", str(path), kubeconfig_flag=False).stdout
    good_part = tree.split("cluster/viewer")[0]
    assert "0s" in good_part and "0s" not in tree.split("cluster/viewer")[1]


def _fleet_with(tmp_path: Path, fleet_file: Path, change: dict[str, Any]) -> Path:
    document = _document(fleet_file) | change
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"clusters": "none"}, "a damaged fleet snapshot (clusters that are not objects)"),
        ({"clusters": []}, "a damaged fleet snapshot (no clusters)"),
        ({"clusters": [{"context": "down", "error": "x"}]}, "a damaged snapshot (at 'exit_code')"),
        ({"clusters": [{"kind": "KubeInspectSnapshot", "schema_version": 1}]}, "damaged snapshot"),
        ({"schema_version": 2}, "written by a newer kube-inspect"),
        ({"taken_at": "yesterday"}, "a damaged snapshot (taken_at 'yesterday')"),
    ],
)
def test_a_damaged_fleet_snapshot_is_one_line_and_exit_2(
    kubeconfig: str, fleet_file: Path, tmp_path: Path, change: dict[str, Any], says: str
) -> None:
    path = _fleet_with(tmp_path, fleet_file, change)
    for args in (["tree"], ["pods", "-o", "json"], ["check"]):
        result = run(kubeconfig, *args, "--from", str(path), kubeconfig_flag=False)
        assert result.exit_code == EXIT_USAGE and result.stdout == ""
        assert result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
        assert result.stderr.startswith(f"error: {path}")


def test_a_duplicated_context_is_a_damaged_fleet_snapshot(
    kubeconfig: str, fleet_file: Path, tmp_path: Path
) -> None:
    clusters = _document(fleet_file)["clusters"]
    path = _fleet_with(tmp_path, fleet_file, {"clusters": [clusters[1], clusters[1]]})
    result = run(kubeconfig, "tree", "--from", str(path), kubeconfig_flag=False)
    assert (result.exit_code, result.stderr) == (
        EXIT_USAGE,
        f"error: {path}: a damaged fleet snapshot (a context twice)\n",
    )


def test_a_truncated_fleet_snapshot_is_one_line_and_exit_2(
    kubeconfig: str, fleet_file: Path, tmp_path: Path
) -> None:
    for name, body in (
        ("cut.json.gz", fleet_file.read_bytes()[:200]),
        ("cut.json", gzip.decompress(fleet_file.read_bytes())[:500]),
    ):
        path = tmp_path / name
        path.write_bytes(body)
        result = run(kubeconfig, "tree", "--from", str(path), kubeconfig_flag=False)
        assert result.exit_code == EXIT_USAGE and result.stdout == ""
        assert result.stderr.count("\n") == 1 and "cut short" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["explain", "--from", "{fleet}"],
        ["tree", "--explain", "--from", "{fleet}"],
        ["diff", "{fleet}"],
    ],
    ids=" ".join,
)
def test_one_cluster_commands_refuse_a_fleet_snapshot_in_one_line(
    kubeconfig: str, fleet_file: Path, args: list[str]
) -> None:
    given = [a.format(fleet=fleet_file) for a in args]
    result = run(kubeconfig, *given, kubeconfig_flag=args[0] == "diff")
    assert result.exit_code == EXIT_USAGE and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "fleet snapshot" in result.stderr and "one cluster" in result.stderr


def test_snapshot_of_a_fleet_names_each_context_on_stderr(kubeconfig: str, tmp_path: Path) -> None:
    result = run(kubeconfig, "snapshot", "--context", "viewer,down", "--node", "kwok-gpu-1")
    assert result.exit_code == EXIT_PARTIAL
    assert "error: context 'down': cannot connect" in result.stderr
    assert "warning: context 'viewer': user \"viewer\" may not" in result.stderr
    document = json.loads(result.stdout)  # no -o: the document on stdout
    assert [
        c["context"] if "error" in c else c["cluster"]["context"] for c in document["clusters"]
    ] == [
        "viewer",
        "down",
    ]


def _failing(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("FAIL")]


def test_check_baseline_of_a_fleet_matches_clusters_by_context(
    kubeconfig: str, fleet_file: Path
) -> None:
    plain = run(kubeconfig, "check", "--context", "good,viewer")
    assert plain.exit_code == 1 and _failing(plain.stdout)  # the sample's known problems
    fleet = run(kubeconfig, "check", "--context", "good,viewer", "--baseline", str(fleet_file))
    assert fleet.exit_code == EXIT_PARTIAL, fleet.output  # viewer's forbidden reads remain
    assert _failing(fleet.stdout) == []
    as_json = run(
        kubeconfig, "check", "--context", "good,viewer", "--baseline", str(fleet_file), "-o", "json"
    )
    assert "already failing in the baseline: " in as_json.stdout
    one = run(kubeconfig, "check", "--context", "good", "--baseline", str(fleet_file))
    assert one.exit_code == 0 and _failing(one.stdout) == []
    offline = run(
        kubeconfig, "check", "--from", str(fleet_file), "--baseline", str(fleet_file),
        kubeconfig_flag=False,
    )  # fmt: skip
    assert offline.exit_code == EXIT_PARTIAL and _failing(offline.stdout) == []


def test_check_baseline_of_a_fleet_fails_on_a_new_problem_in_its_cluster(
    kubeconfig: str, fleet_file: Path, tmp_path: Path
) -> None:
    document = _document(fleet_file)
    good = document["clusters"][1]
    pods = good["resources"]["pods"]["items"]
    pods[:] = [p for p in pods if p["metadata"]["name"] != "crasher"]  # it was fine then
    before = tmp_path / "before-crasher.json"
    before.write_text(json.dumps(document))
    result = run(kubeconfig, "check", "--context", "good,viewer", "--baseline", str(before))
    assert result.exit_code == 1
    good_part, viewer_part = result.stdout.split("cluster viewer at ", 1)
    assert _failing(good_part) and all("/batch/crasher" in f for f in _failing(good_part))
    assert _failing(viewer_part) == []  # viewer's baseline still has its crasher


def test_check_baseline_context_the_fleet_did_not_read(
    kubeconfig: str, fleet_file: Path, tmp_path: Path
) -> None:
    alone = run(kubeconfig, "check", "--context", "down", "--baseline", str(fleet_file))
    assert alone.exit_code == EXIT_USAGE
    assert alone.stderr == (
        f"error: --baseline {fleet_file}: the fleet snapshot did not read context 'down' "
        "(it holds down, good, viewer)\n"
    )
    # viewer was down when the baseline was taken: each of its failures is new
    before = tmp_path / "viewer-down.json"
    taken = run(
        kubeconfig, "snapshot", "--context", "good,viewer", "-o", str(before), down=["viewer"]
    )
    assert taken.exit_code == EXIT_PARTIAL
    fleet = run(kubeconfig, "check", "--context", "good,viewer", "--baseline", str(before))
    assert fleet.exit_code == 1
    assert "notice: context 'viewer': not read in the baseline: every failure counts" in (
        fleet.stderr
    )
    good_part, viewer_part = fleet.stdout.split("cluster viewer at ", 1)
    assert _failing(good_part) == [] and _failing(viewer_part)


def test_check_of_several_contexts_refuses_a_one_cluster_baseline(
    kubeconfig: str, fleet_file: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_document(fleet_file)["clusters"][1]))
    result = run(kubeconfig, "check", "--context", "good,viewer", "--baseline", str(good))
    assert result.exit_code == EXIT_USAGE and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "one cluster's snapshot" in result.stderr


def test_check_baseline_of_a_fleet_keeps_each_contexts_namespace(
    kubeconfig: str, fleet_file: Path
) -> None:
    """With --baseline each context's namespace is read as without it: the same objects."""

    def in_shop(flags: ClusterFlags) -> KubeClient:  # contexts whose namespace is shop
        assert flags.context is not None
        target = Target(flags.context, SERVERS[flags.context], namespace="shop")
        return RecordedClient(FORBIDDEN.get(flags.context, ()), target)

    def checked(*args: str) -> list[tuple[str, str, str]]:
        given = ["check", "--context", "good,viewer", "-o", "json", "--kubeconfig", kubeconfig]
        result = CliRunner().invoke(cli, [*given, *args], obj={"client_factory": in_shop})
        clusters = json.loads(result.stdout)["clusters"]
        return sorted(
            (c["context"], f["rule"], f["object"]) for c in clusters for f in c["findings"]
        )

    plain = checked()
    pods = [o for _, rule, o in plain if rule.startswith(("pod-", "container-"))]
    assert pods and all(o.split("/")[1] == "shop" for o in pods)
    assert checked("--baseline", str(fleet_file)) == plain
