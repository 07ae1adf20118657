"""Snapshots and --from on the recorded cluster: the same views offline; bad files, one line."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

from kube_inspect.cli import cli
from kube_inspect.offline.document import load_source
from kube_inspect.schema import load_diff_schema, load_snapshot_schema
from tests.unit.conftest import load
from tests.unit.recorded import RecordedClient, invoke

VIEWS = [
    ["tree"],
    ["tree", "-o", "wide"],
    ["tree", "-o", "json"],
    ["tree", "-o", "yaml"],
    ["tree", "-o", "csv"],
    ["tree", "-o", "html"],
    ["tree", "-o", "dot"],
    ["tree", "-o", "mermaid"],
    ["tree", "--explain"],
    ["nodes", "-o", "wide"],
    ["pods", "-o", "wide"],
    ["containers"],
    ["explain"],
    ["explain", "pod", "shop/multi"],
    ["check"],
    ["tree", "-n", "shop", "-l", "app=web"],
    ["pods", "--field-selector", "status.phase=Running"],
    ["tree", "--node", "kwok-worker-1", "--problems"],
    ["nodes", "--node-selector", "kube-inspect.dev/role=worker"],
    ["tree", "--events", "-o", "wide"],
    ["pods", "--events", "-o", "json"],
    ["explain", "pod", "shop/stuck"],
]


@pytest.fixture(scope="module")
def snapshot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("snap") / "sample.json.gz"
    result = invoke("snapshot", "-o", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("args", VIEWS, ids=" ".join)
def test_snapshot_gives_the_live_view(snapshot_file: Path, args: list[str]) -> None:
    live = invoke(*args)
    offline = invoke(*args, "--from", str(snapshot_file))
    assert (offline.exit_code, offline.stdout) == (live.exit_code, live.stdout)
    assert offline.stderr == live.stderr


def test_snapshot_is_gzipped_and_versioned(snapshot_file: Path) -> None:
    document = json.loads(gzip.decompress(snapshot_file.read_bytes()))
    jsonschema.validate(document, load_snapshot_schema())
    assert document["schema_version"] == 1
    assert document["kind"] == "KubeInspectSnapshot"
    assert document["cluster"]["context"] == "kwok-sample"
    names = {p["metadata"]["name"] for p in document["resources"]["pods"]["items"]}
    assert names == {p["metadata"]["name"] for p in load("pods.json")["items"]}
    assert "managedFields" not in json.dumps(document)
    assert document["resources"]["nodemetrics"]["error"]["status"] == 404


def test_snapshot_on_stdout_is_plain_json() -> None:
    result = invoke("snapshot", "-n", "shop")
    document = json.loads(result.stdout)
    namespaces = {p["metadata"]["namespace"] for p in document["resources"]["pods"]["items"]}
    assert namespaces == {"shop"}
    assert document["selection"]["namespace"] == "shop"
    assert document["selection"]["namespaces"] == ["shop"]


def test_snapshot_of_several_namespaces_records_each() -> None:
    result = invoke("snapshot", "-n", "shop,batch")
    document = json.loads(result.stdout)
    read = {p["metadata"]["namespace"] for p in document["resources"]["pods"]["items"]}
    assert read == {"shop", "batch"}
    assert document["selection"]["namespaces"] == ["shop", "batch"]
    assert document["selection"]["namespace"] is None
    jsonschema.validate(document, load_snapshot_schema())


def test_forbidden_reads_come_back_from_the_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "viewer.json"
    taken = invoke("snapshot", "-o", str(path), forbidden=("nodes",))
    assert taken.exit_code == 4
    live = invoke("tree", forbidden=("nodes",))
    offline = invoke("tree", "--from", str(path))
    assert (offline.exit_code, offline.stdout, offline.stderr) == (
        live.exit_code,
        live.stdout,
        live.stderr,
    )


def test_ages_count_to_the_snapshot_time(tmp_path: Path, snapshot_file: Path) -> None:
    document = json.loads(gzip.decompress(snapshot_file.read_bytes()))
    created = min(
        p["metadata"]["creationTimestamp"] for p in document["resources"]["pods"]["items"]
    )
    document["taken_at"] = created  # as if taken the moment the first pod was created
    path = tmp_path / "early.json"
    path.write_text(json.dumps(document))
    assert load_source(str(path)).taken_at.isoformat().startswith(created[:19])
    result = invoke("pods", "--from", str(path))
    assert result.exit_code == 0
    assert "6d" not in result.stdout and "0s" in result.stdout


def _kubectl_list(*names: str) -> dict[str, Any]:
    items = []
    for name in names:
        kind = {"nodes": "Node", "pods": "Pod", "replicasets": "ReplicaSet", "jobs": "Job"}[name]
        items += [{"kind": kind, **item} for item in load(f"{name}.json")["items"]]
    return {"apiVersion": "v1", "kind": "List", "metadata": {}, "items": items}


def test_a_kubectl_list_gives_the_tree(tmp_path: Path) -> None:
    path = tmp_path / "all.json"
    path.write_text(json.dumps(_kubectl_list("nodes", "pods", "replicasets", "jobs")))
    live = invoke("tree")
    offline = invoke("tree", "--from", str(path))
    assert offline.exit_code == 0, offline.output
    assert offline.stdout.splitlines()[1:] == live.stdout.splitlines()[1:]
    assert offline.stdout.splitlines()[0].startswith("cluster all.json at file ")


def test_a_directory_of_lists_is_one_cluster(tmp_path: Path) -> None:
    for name in ("nodes", "pods", "replicasets", "jobs"):
        (tmp_path / f"{name}.json").write_text(json.dumps(_kubectl_list(name)))
    (tmp_path / "notes.txt").write_text("not read")
    live = invoke("pods", "-o", "wide")
    offline = invoke("pods", "-o", "wide", "--from", str(tmp_path))
    assert offline.exit_code == 0, offline.output
    assert offline.stdout == live.stdout


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"hello", "is not JSON"),
        (b'{"kind": "List", "items": [{"kind": "Pod"', "is cut short"),
        (b'{"kind": "Service", "metadata": {}}', "neither a kube-inspect snapshot nor"),
        (b"[1, 2]", "neither a kube-inspect snapshot nor"),
        (b'{"kind": "List", "items": []}', "holds no nodes and no pods"),
        (
            b'{"kind": "KubeInspectSnapshot", "schema_version": 2}',
            "written by a newer kube-inspect (snapshot schema_version 2",
        ),
        (b'{"kind": "KubeInspectSnapshot", "schema_version": 1}', "a damaged snapshot"),
        (gzip.compress(b'{"kind": "List", "items": []}')[:15], "cut short or damaged"),
    ],
)
def test_a_bad_file_is_one_line_and_exit_2(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    for args in (["tree"], ["pods"], ["check"], ["explain"]):
        result = invoke(*args, "--from", str(path))
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
        assert result.stderr.startswith(f"error: {path}")


def test_missing_file_and_empty_directory(tmp_path: Path) -> None:
    missing = invoke("tree", "--from", str(tmp_path / "nope.json"))
    assert (missing.exit_code, missing.stderr) == (
        2,
        f"error: {tmp_path}/nope.json: no such file\n",
    )
    empty = invoke("tree", "--from", str(tmp_path))
    assert empty.exit_code == 2 and "no .json files" in empty.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["tree", "--watch"], "--watch follows a live cluster"),
        (["tree", "--context", "prod"], "drop --context"),
        (["check", "--wait"], "--wait watches a live cluster"),
        (["snapshot"], "snapshot reads a live cluster"),
    ],
)
def test_from_with_a_live_only_flag_is_a_usage_error(
    snapshot_file: Path, args: list[str], says: str
) -> None:
    result = invoke(*args, "--from", str(snapshot_file))
    assert result.exit_code == 2
    assert says in result.stderr


def test_snapshot_refuses_view_flags() -> None:
    result = invoke("snapshot", "--problems")
    assert result.exit_code == 2
    assert "--problems does not apply to snapshot" in result.stderr


def test_check_baseline_passes_on_known_problems(snapshot_file: Path) -> None:
    assert invoke("check").exit_code == 1  # the sample has its known problems
    result = invoke("check", "--baseline", str(snapshot_file))
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.stdout
    document = json.loads(invoke("check", "--baseline", str(snapshot_file), "-o", "json").stdout)
    known = {
        (f["rule"], f["object"])
        for f in document["findings"]
        if f["message"].startswith("already failing in the baseline: ")
    }
    live = json.loads(invoke("check", "-o", "json").stdout)["findings"]
    assert known == {(f["rule"], f["object"]) for f in live if not f["passed"]}


def test_check_baseline_fails_on_a_new_problem(snapshot_file: Path, tmp_path: Path) -> None:
    document = json.loads(gzip.decompress(snapshot_file.read_bytes()))
    pods = document["resources"]["pods"]["items"]
    pods[:] = [p for p in pods if p["metadata"]["name"] != "crasher"]  # it was fine then
    baseline = tmp_path / "before-crasher.json"
    baseline.write_text(json.dumps(document))
    result = invoke("check", "--baseline", str(baseline))
    assert result.exit_code == 1
    failing = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failing and all("/batch/crasher" in line for line in failing)


def test_check_baseline_file_errors_are_usage_errors(tmp_path: Path) -> None:
    result = invoke("check", "--baseline", str(tmp_path / "none.json"))
    assert (result.exit_code, result.stderr) == (2, f"error: {tmp_path}/none.json: no such file\n")


def test_the_demo_snapshot_fixture_reads() -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "sample-snapshot.json"
    result = invoke("tree", "--from", str(fixture))
    assert result.exit_code == 0, result.output
    names = {p["metadata"]["name"].rsplit("-", 1)[0] for p in load("pods.json")["items"]}
    assert all(f"/{name}" in result.stdout for name in names if not name.startswith("web"))


def test_snapshot_of_a_node_that_is_not_there_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("snapshot", "--node", "no-such-node", "-o", str(tmp_path / "s.json"))
    assert result.exit_code == 2
    assert result.stderr == 'error: node "no-such-node" not found: see kubectl get nodes\n'
    assert not (tmp_path / "s.json").exists()


def test_diff_against_the_live_cluster_and_between_files(
    snapshot_file: Path, tmp_path: Path
) -> None:
    same = invoke("diff", str(snapshot_file))
    assert (same.exit_code, same.stdout.endswith(": no changes\n")) == (0, True)
    document = json.loads(gzip.decompress(snapshot_file.read_bytes()))
    for node in document["resources"]["nodes"]["items"]:
        if node["metadata"]["name"] == "kwok-worker-1":
            node["spec"]["unschedulable"] = True
    after = tmp_path / "after.json"
    after.write_text(json.dumps(document))
    changed = invoke("diff", str(snapshot_file), str(after), "-o", "yaml")
    assert changed.exit_code == 1
    found = yaml.safe_load(changed.stdout)
    jsonschema.validate(found, load_diff_schema())
    assert found["nodes"] == [
        {
            "name": "kwok-worker-1",
            "presence": "changed",
            "changes": [{"field": "schedulable", "before": "schedulable", "after": "cordoned"}],
            "pods": [],
        }
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "x.json"], "give BEFORE [AFTER], not --from"),
        (["--problems"], "--problems does not apply to diff"),
    ],
)
def test_diff_usage_errors(snapshot_file: Path, args: list[str], says: str) -> None:
    result = invoke("diff", str(snapshot_file), *args)
    assert result.exit_code == 2 and says in result.stderr


def test_diff_of_a_bad_file_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{")
    result = invoke("diff", str(tmp_path / "bad.json"))
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {tmp_path}/bad.json is")


class MetricsClient(RecordedClient):
    """The recorded cluster with metrics.k8s.io serving usage for every node and container."""

    def _get_once(
        self, path: str, query: Any, decode: Callable[[bytes], Any], accept: str = ""
    ) -> Any:
        usage = {"cpu": "123m", "memory": "45Mi"}
        items: list[dict[str, Any]]
        if path == "/apis/metrics.k8s.io/v1beta1/nodes":
            items = [
                {"metadata": {"name": n["metadata"]["name"]}, "window": "30s", "usage": usage}
                for n in load("nodes.json")["items"]
            ]
        elif path == "/apis/metrics.k8s.io/v1beta1/pods":
            items = [
                {
                    "metadata": {k: p["metadata"][k] for k in ("name", "namespace")},
                    "containers": [
                        {"name": c["name"], "usage": usage} for c in p["spec"]["containers"]
                    ],
                }
                for p in load("pods.json")["items"]
            ]
        else:
            return super()._get_once(path, query, decode)
        self.paths.append(path)
        return decode(json.dumps({"kind": "List", "items": items}).encode())


def test_usage_comes_back_from_the_snapshot(tmp_path: Path) -> None:
    def run(*args: str) -> Result:
        factory = {"client_factory": lambda flags: MetricsClient()}
        return CliRunner().invoke(cli, list(args), obj=factory)

    path = tmp_path / "usage.json"
    assert run("snapshot", "-o", str(path)).exit_code == 0
    for args in (["tree", "-o", "wide"], ["pods", "-o", "wide"], ["nodes"]):
        live, offline = run(*args), run(*args, "--from", str(path))
        assert "123m" in live.stdout
        assert (offline.exit_code, offline.stdout) == (live.exit_code, live.stdout)


def test_a_kubectl_list_without_claims_leaves_them_unknown_not_missing(tmp_path: Path) -> None:
    path = tmp_path / "all.json"
    path.write_text(json.dumps(_kubectl_list("nodes", "pods")))
    check = invoke("check", "--rule", "pod-claims", "--from", str(path))
    assert check.exit_code == 4, check.output  # not checked, never passed
    assert "skip  pod-claims          not checked" in check.stdout
    assert check.stderr == (
        "warning: persistentvolumeclaims are not in the file: pods' claims are not judged "
        "(Pending, Lost or missing)\n"
    )
    problems = invoke("tree", "--problems", "--from", str(path))
    assert problems.exit_code == 0, problems.output
    assert problems.stdout.splitlines()[1:] == invoke("tree", "--problems").stdout.splitlines()[1:]
