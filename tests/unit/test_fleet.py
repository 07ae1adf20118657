"""Several contexts at once, on the recorded cluster: one healthy, one down, one restricted.

Each context gets its own RecordedClient (a real KubeClient answering from the recording);
the one that is down raises what the client raises for a refused connection.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

from kube_inspect.cli import cli
from kube_inspect.cli.options import ClusterFlags
from kube_inspect.errors import EXIT_PARTIAL, EXIT_UNREACHABLE, ClusterUnreachable, Unauthorized
from kube_inspect.kube.client import KubeClient, Target
from kube_inspect.model.fleet import Member, fleet_counts
from kube_inspect.read.fleet import fleet_exit_code
from kube_inspect.schema import load_schema
from tests.unit.recorded import RecordedClient

SERVERS = {"good": "https://good:6443", "down": "https://down:6443", "viewer": "https://v:6443"}
FORBIDDEN = {"viewer": ("nodes",)}


class DownClient(RecordedClient):
    """A client whose server refuses every connection, as a stopped API server does."""

    def _get_once(
        self, path: str, query: Any, decode: Callable[[bytes], Any], accept: str = ""
    ) -> Any:
        raise ClusterUnreachable(
            f"cannot connect to {self.target.server} (context {self.target.context!r}): "
            "is the cluster running?"
        )


def fleet_factory(down: Collection[str] = ("down",)) -> Callable[[ClusterFlags], KubeClient]:
    """Return a factory making one client per context: ``down`` ones refuse connections."""

    def make(flags: ClusterFlags) -> KubeClient:
        assert flags.context is not None and not flags.fleet  # one client per context
        target = Target(flags.context, SERVERS[flags.context])
        kind = DownClient if flags.context in down else RecordedClient
        return kind(FORBIDDEN.get(flags.context, ()), target)

    return make


@pytest.fixture
def kubeconfig(tmp_path: Path) -> str:
    path = tmp_path / "config"
    contexts = [{"name": n, "context": {"cluster": n, "user": "u"}} for n in SERVERS]
    clusters = [{"name": n, "cluster": {"server": s}} for n, s in SERVERS.items()]
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Config", "current-context": "good"}
    doc |= {"contexts": contexts, "clusters": clusters, "users": [{"name": "u", "user": {}}]}
    path.write_text(json.dumps(doc))
    return str(path)


def run(
    kubeconfig: str, *args: str, down: Collection[str] = ("down",), kubeconfig_flag: bool = True
) -> Result:
    """Run the command on the fleet; ``kubeconfig_flag`` False leaves --kubeconfig out (--from)."""
    factory = fleet_factory(down)
    given = ["--kubeconfig", kubeconfig] if kubeconfig_flag else []
    return CliRunner().invoke(cli, [*args, *given], obj={"client_factory": factory})


def test_fleet_tree_has_one_cluster_level_per_context(kubeconfig: str) -> None:
    result = run(kubeconfig, "tree", "--context", "good,down", "--context", "viewer")
    assert result.exit_code == EXIT_PARTIAL
    lines = result.stdout.splitlines()
    assert lines[0] == "fleet of 3 clusters: 1 available, 1 partial, 1 failed"
    tops = [line for line in lines if "cluster/" in line]
    assert [t.split()[1].split("/")[1] for t in tops] == ["good", "down", "viewer"]
    assert "Available" in tops[0] and "server=https://good:6443" in tops[0]
    assert "Unreachable" in tops[1] and "error: cannot connect to https://down:6443" in tops[1]
    assert "Partial" in tops[2] and "unread=nodes" in tops[2]
    # the healthy cluster's nodes hang under it, one level down
    assert any(line.startswith("│   ├── node/") for line in lines)
    assert "warning: context 'viewer': user \"viewer\" may not list nodes" in result.stderr
    # each cluster's notes sit under their own rows, as in one cluster's tree
    stuck = next(i for i, line in enumerate(lines) if "pod/shop/stuck" in line)
    assert "↳ pending: 5 nodes" in lines[stuck + 1]


def test_fleet_json_is_one_document_that_validates(kubeconfig: str) -> None:
    result = run(kubeconfig, "tree", "-o", "json", "--all-contexts")
    assert result.exit_code == EXIT_PARTIAL
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_schema()).validate(doc)
    assert set(doc) == {"schema_version", "clusters"}
    by_context = {c["context"]: c for c in doc["clusters"]}
    assert [c["context"] for c in doc["clusters"]] == ["down", "good", "viewer"]  # sorted
    assert by_context["down"]["error"].startswith("cannot connect to https://down:6443")
    assert by_context["good"]["error"] is None and by_context["good"]["node_count"] == 5
    assert by_context["viewer"]["unread"] == ["nodes"]


def test_one_context_keeps_the_one_cluster_document(kubeconfig: str) -> None:
    result = run(kubeconfig, "tree", "-o", "json", "--context", "good", "--context", "good")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert set(doc) == {"schema_version", "cluster"}
    assert doc["cluster"]["context"] == "good"


def test_every_cluster_down_exits_3(kubeconfig: str) -> None:
    result = run(kubeconfig, "tree", "--all-contexts", down=SERVERS)
    assert result.exit_code == EXIT_UNREACHABLE
    assert result.stdout.count("Unreachable") == 3


def test_flat_views_start_rows_with_the_context(kubeconfig: str) -> None:
    result = run(kubeconfig, "pods", "--context", "good,down", "-n", "batch", "-o", "csv")
    assert result.exit_code == EXIT_PARTIAL
    header, *rows = result.stdout.splitlines()
    assert header.startswith("CONTEXT,NAMESPACE,NAME,")
    assert rows and all(r.startswith("good,batch,") for r in rows)
    assert "error: context 'down': cannot connect to https://down:6443" in result.stderr


def test_flat_json_rows_carry_their_context(kubeconfig: str) -> None:
    result = run(kubeconfig, "nodes", "--context", "good,viewer,down", "-o", "json")
    assert result.exit_code == EXIT_PARTIAL
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_schema()).validate(doc)
    listed = {(n["context"], n["listed"]) for n in doc["nodes"]}
    assert listed == {("good", True), ("viewer", False)}  # viewer's by name, from its pods
    assert [c["error"] is None for c in doc["clusters"]] == [True, True, False]


def test_unknown_context_is_a_usage_error_before_any_read(kubeconfig: str) -> None:
    result = run(kubeconfig, "tree", "--context", "good,nope")
    assert result.exit_code == 2
    assert "context 'nope' not found" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("tree", "--watch"),
        ("tree", "--explain"),
        ("explain",),
    ],
)
def test_one_cluster_views_refuse_a_fleet(kubeconfig: str, args: tuple[str, ...]) -> None:
    result = run(kubeconfig, *args, "--context", "good,viewer")
    assert result.exit_code == 2
    assert "reads one cluster" in result.stderr


def test_all_contexts_with_context_is_a_usage_error(kubeconfig: str) -> None:
    result = run(kubeconfig, "tree", "--all-contexts", "--context", "good")
    assert result.exit_code == 2


def member(error_code: int = 0, warnings: tuple[str, ...] = ()) -> Member[str]:
    """Return a member that was read (code 0), or failed with ``error_code``."""
    if error_code:
        return Member("c", None, None, "why", error_code)
    return Member("c", None, "x", warnings=warnings)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([member(), member()], 0),
        ([member(), member(warnings=("w",))], 4),
        ([member(), member(3)], 4),
        ([member(4), member(3)], 4),  # a 403 on everything is an answer: partial
        ([member(3), member(3)], 3),
        ([member(2), member(2)], 2),
        ([member(2), member(3)], 3),
    ],
)
def test_fleet_exit_code(codes: list[Member[str]], expected: int) -> None:
    assert fleet_exit_code(codes) == expected


def test_fleet_counts_words() -> None:
    assert fleet_counts((member(), member(3))) == "2 clusters: 1 available, 1 failed"


def test_fleet_check_names_the_cluster_of_each_case(kubeconfig: str, tmp_path: Path) -> None:
    junit = tmp_path / "report.xml"
    result = run(kubeconfig, "check", "--all-contexts", "--junit", str(junit))
    assert result.exit_code == 1  # checks failed in good and viewer: 1 wins over 4
    out = result.stdout
    assert "cluster down at <unknown>" not in out  # its server is known from the kubeconfig
    assert "cluster down at https://down:6443\nerror: cannot connect" in out
    assert "FAIL  container-state     good: container/batch/crasher/worker" in out
    assert "skip  node-ready" in out.split("cluster viewer")[1]
    assert out.rstrip().endswith("fleet of 3 clusters: 0 passed, 2 failed checks, 1 not read")
    xml = junit.read_text()
    assert '<testsuite name="down" tests="1" failures="0" errors="1"' in xml
    assert 'classname="viewer/container-state" name="container/batch/crasher/worker"' in xml


def test_fleet_check_json_validates_and_exit_is_partial_when_nothing_failed(
    kubeconfig: str,
) -> None:
    from kube_inspect.schema import load_check_schema

    result = run(
        kubeconfig,
        "check",
        "--context",
        "good,down",
        "-n",
        "shop",
        "--rule",
        "workload-ready",
        "-o",
        "json",
    )
    assert result.exit_code == EXIT_PARTIAL  # good passed, down was not read
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_check_schema()).validate(doc)
    assert [c["passed"] for c in doc["clusters"]] == [True, None]
    assert doc["passed"] is None and doc["clusters"][1]["error"]


def test_fleet_check_every_cluster_down_exits_3(kubeconfig: str) -> None:
    result = run(kubeconfig, "check", "--all-contexts", down=SERVERS)
    assert result.exit_code == EXIT_UNREACHABLE


def test_fleet_github_annotations_name_the_cluster(
    kubeconfig: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = run(kubeconfig, "check", "--context", "good,down", "--rule", "container-state")
    lines = [x for x in result.stdout.splitlines() if x.startswith("::error")]
    good = "::error title=kube-inspect container-state (good)::good: container/batch/"
    assert any(x.startswith(good) for x in lines)
    down = "::error title=kube-inspect (down)::down: cannot connect"
    assert any(x.startswith(down) for x in lines)


@pytest.mark.parametrize(
    ("output", "opening"), [("dot", "subgraph cluster_"), ("mermaid", "subgraph ")]
)
def test_fleet_pictures_hold_one_box_per_cluster_with_distinct_ids(
    kubeconfig: str, output: str, opening: str
) -> None:
    result = run(kubeconfig, "tree", "--all-contexts", "-n", "batch", "-o", output)
    assert result.exit_code == EXIT_PARTIAL
    ids = [
        line.strip().removeprefix(opening).split("[")[0].split(" ")[0]
        for line in result.stdout.splitlines()
        if line.strip().startswith(opening)
    ]
    assert len(ids) == len(set(ids))  # the same node in two clusters is two boxes
    assert {"k1", "k2"} <= set(ids)  # good and viewer hold their nodes
    assert "cannot connect to https://down:6443" in result.stdout  # down says why


def test_context_completion_completes_the_name_after_a_comma(kubeconfig: str) -> None:
    from tests.unit.test_completion import complete

    assert complete("tree", "--kubeconfig", kubeconfig, "--context", "good,v") == [
        ("plain", "good,viewer")
    ]
    assert complete("tree", "--kubeconfig", kubeconfig, "--context", "d") == [("plain", "down")]


def test_a_context_whose_client_cannot_be_made_is_one_line_in_its_place(
    kubeconfig: str,
) -> None:
    """A credential plugin that fails raises while the client is built, before any read."""
    made = fleet_factory()

    def factory(flags: ClusterFlags) -> KubeClient:
        if flags.context == "viewer":
            raise Unauthorized(
                "the credential plugin of context 'viewer' failed (exec: process returned 1)"
            )
        return made(flags)

    result = CliRunner().invoke(
        cli,
        ["tree", "--kubeconfig", kubeconfig, "--context", "good,viewer", "-o", "yaml"],
        obj={"client_factory": factory},
    )
    assert result.exit_code == EXIT_PARTIAL
    doc = yaml.safe_load(result.stdout)
    jsonschema.Draft202012Validator(load_schema()).validate(doc)
    viewer = doc["clusters"][1]
    assert viewer["server"] is None and viewer["error"].startswith("the credential plugin")
    text = run(kubeconfig, "tree", "--context", "good,down", "--depth", "node", "--ascii")
    assert "`-- cluster/down" in text.stdout and "|-- cluster/good" in text.stdout


def test_fleet_pods_read_volumes_as_one_cluster_does(kubeconfig: str) -> None:
    # the VOLUMES column is filled for every cluster read, not "<unknown>" as unread
    one = run(kubeconfig, "pods", "-o", "csv", "--context", "good")
    fleet = run(kubeconfig, "pods", "-o", "csv", "--context", "good,down")
    alone = [r["VOLUMES"] for r in csv.DictReader(io.StringIO(one.stdout))]
    rows = list(csv.DictReader(io.StringIO(fleet.stdout)))
    assert [r["VOLUMES"] for r in rows if r["CONTEXT"] == "good"] == alone
    assert "<unknown>" not in alone
