"""Restricted users on the real cluster, with real RBAC: partial results, clear refusals."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster
from tests.integration.restricted_users import issue_user, reader_of
from tests.integration.shown import (
    PARSERS,
    TREE_OUTPUTS,
    Shown,
    from_check_json,
    from_json,
    from_tour,
)

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]


@dataclass(frozen=True)
class Users:
    namespace: str
    viewer: Path  # bound to the view ClusterRole in ``namespace`` only
    nobody: Path  # authenticated, bound to nothing
    viewer_name: str
    nobody_name: str


def wait_ready(cluster: TestCluster, namespace: str, deployment: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = json.loads(
            cluster.kubectl("get", "deployment", deployment, "-n", namespace, "-o", "json")
        )
        if doc.get("status", {}).get("readyReplicas") == doc["spec"]["replicas"]:
            return
        time.sleep(0.5)
    raise AssertionError(f"deployment {namespace}/{deployment} not ready in {timeout}s")


@pytest.fixture(scope="module")
def users(cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Users]:
    suffix = uuid.uuid4().hex[:6]
    namespace = f"rbac-{suffix}"
    workdir = tmp_path_factory.mktemp("users")
    cluster.kubectl("create", "namespace", namespace)
    cluster.kubectl(
        "create",
        "deployment",
        "app",
        "--image=localhost/busybox:1.35",
        "--replicas=2",
        "-n",
        namespace,
        "--",
        "sleep",
        "3600",  # keeps running on a real kubelet too
    )
    viewer, nobody = f"viewer-{suffix}", f"nobody-{suffix}"
    cluster.kubectl(
        "create", "rolebinding", "viewer-view", "--clusterrole=view", f"--user={viewer}",
        "-n", namespace,
    )  # fmt: skip
    wait_ready(cluster, namespace, "app")
    yield Users(
        namespace,
        issue_user(cluster, viewer, workdir / "viewer.yaml"),
        issue_user(cluster, nobody, workdir / "nobody.yaml"),
        viewer,
        nobody,
    )
    cluster.kubectl("delete", "namespace", namespace, "--timeout=120s", timeout=150)


def test_viewer_gets_the_namespace_tree_with_nodes_known_by_name(
    cluster: TestCluster, users: Users
) -> None:
    result = run("tree", "-n", users.namespace, "-o", "json", kubeconfig=users.viewer)
    assert result.returncode == 4, result.stderr
    doc = json.loads(result.stdout)["cluster"]
    pods = json.loads(cluster.kubectl("get", "pods", "-n", users.namespace, "-o", "json"))["items"]
    shown = sorted((n["name"], p["name"]) for n in doc["nodes"] for p in n["pods"])
    assert shown == sorted((p["spec"]["nodeName"], p["metadata"]["name"]) for p in pods)
    assert all(n["listed"] is False and n["status"] is None for n in doc["nodes"])
    assert result.stderr == (
        f'warning: user "{users.viewer_name}" may not list nodes: nodes are shown by name '
        "only, without status\n"
        # the DRA pools are cluster-wide too (issue 24); its claims the view role may read
        f'warning: user "{users.viewer_name}" may not list resourceslices: devices not shown\n'
    )


def test_viewer_tree_text_marks_nodes_not_listed(users: Users) -> None:
    result = run("tree", "-n", users.namespace, kubeconfig=users.viewer)
    assert result.returncode == 4
    assert "(not listed)" in result.stdout and f"pod/{users.namespace}/app-" in result.stdout
    assert "Traceback" not in result.stderr


def test_viewer_asking_for_the_whole_cluster_gets_one_clear_line(users: Users) -> None:
    result = run("tree", kubeconfig=users.viewer)
    assert result.returncode == 4
    assert result.stdout == ""
    assert result.stderr == (
        f"error: forbidden: user '{users.viewer_name}' may not list nodes or pods: ask for a "
        "RoleBinding (e.g. to the view ClusterRole), or pass -n NAMESPACE where you have one\n"
    )


@pytest.mark.parametrize("command", ["tree", "check"])
def test_user_with_no_rights_gets_one_clear_line(users: Users, command: str) -> None:
    result = run(command, "-n", users.namespace, kubeconfig=users.nobody)
    assert result.returncode == 4
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: forbidden: user '{users.nobody_name}' may not list"
    )


def test_viewer_check_of_the_namespace_is_partial_without_node_rights(users: Users) -> None:
    result = run("check", "-n", users.namespace, kubeconfig=users.viewer)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "skip  node-ready          not checked" in result.stdout
    assert "skip  node-pressure       not checked" in result.stdout
    assert "ok    workload-ready      1/1 passed" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("2 not checked")  # never "all passed"
    assert result.stderr == (
        f'warning: user "{users.viewer_name}" may not list nodes: '
        "nodes are shown by name only, without status\n"
    )


def test_viewer_check_skipping_node_rules_passes(users: Users) -> None:
    result = run(
        "check", "-n", users.namespace, "--skip-rule", "node-ready", "--skip-rule",
        "node-pressure", kubeconfig=users.viewer,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""


# Issue 11: the same partial result from every view, and the awkward cases of a new user.

NAMESPACED_VIEWS: dict[str, tuple[str, ...]] = {
    **{f"tree-{o}": ("tree", "-o", o) for o in TREE_OUTPUTS},
    "tree-explain": ("tree", "--explain"),
    **{f"{v}-{o}": (v, "-o", o) for v in ("pods", "containers") for o in ("table", "json")},
    "check": ("check", "-o", "json"),
}


def namespace_pods(cluster: TestCluster, namespace: str) -> set[tuple[str, str]]:
    items = json.loads(cluster.kubectl("get", "pods", "-n", namespace, "-o", "json"))["items"]
    return {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in items}


def parser(command: tuple[str, ...]) -> Callable[[str], Shown]:
    """Return the parser of what ``command`` prints."""
    if command[0] == "check":
        return from_check_json
    return PARSERS["tree" if command[-1] == "--explain" else command[-1]]


def warnings_of(stderr: str, user: str) -> list[str]:
    """Return the warning lines, asserting stderr holds nothing else but notices."""
    lines = stderr.splitlines()
    assert all(line.startswith(("warning: ", "notice: ")) for line in lines), stderr
    warnings = [line for line in lines if line.startswith("warning: ")]
    assert len(warnings) == len(set(warnings)), f"a forbidden read reported twice: {stderr}"
    nodes = (
        f'warning: user "{user}" may not list nodes',
        f'warning: user "{user}" may not get nodes',
    )
    assert any(line.startswith(nodes) for line in warnings), stderr
    return warnings


@pytest.mark.parametrize("view", list(NAMESPACED_VIEWS))
def test_viewer_gets_its_pods_a_warning_and_exit_4_from_every_view(
    cluster: TestCluster, users: Users, view: str
) -> None:
    command = NAMESPACED_VIEWS[view]
    result = run(*command, "-n", users.namespace, kubeconfig=users.viewer)
    assert result.returncode == 4, result.stdout + result.stderr
    warnings_of(result.stderr, users.viewer_name)
    assert parser(command)(result.stdout).pod_set == namespace_pods(cluster, users.namespace)


def test_viewer_nodes_view_names_only_the_nodes_of_its_pods(
    cluster: TestCluster, users: Users
) -> None:
    result = run("nodes", "-n", users.namespace, "-o", "json", kubeconfig=users.viewer)
    assert result.returncode == 4, result.stdout + result.stderr
    warnings_of(result.stderr, users.viewer_name)
    items = json.loads(cluster.kubectl("get", "pods", "-n", users.namespace, "-o", "json"))
    assert set(from_json(result.stdout).nodes) <= {p["spec"]["nodeName"] for p in items["items"]}


def test_viewer_explain_tour_covers_its_namespace(cluster: TestCluster, users: Users) -> None:
    result = run("explain", "-n", users.namespace, kubeconfig=users.viewer)
    assert result.returncode == 4, result.stdout + result.stderr
    warnings_of(result.stderr, users.viewer_name)
    tour = from_tour(result.stdout)
    pods = namespace_pods(cluster, users.namespace)
    assert tour.total == len(pods) and tour.named <= pods


def test_viewer_explain_pod_explains_it_with_a_warning(cluster: TestCluster, users: Users) -> None:
    namespace, name = sorted(namespace_pods(cluster, users.namespace))[0]
    result = run("explain", "pod", f"{namespace}/{name}", kubeconfig=users.viewer)
    assert result.returncode == 4, result.stdout + result.stderr
    warnings_of(result.stderr, users.viewer_name)
    node = cluster.kubectl("get", "pod", "-n", namespace, name, "-o", "jsonpath={.spec.nodeName}")
    assert name in result.stdout and node in result.stdout


def test_viewer_check_says_which_rules_it_could_not_check(users: Users) -> None:
    result = run("check", "-n", users.namespace, kubeconfig=users.viewer)
    assert result.returncode == 4, result.stdout + result.stderr
    verdict = result.stdout.splitlines()[-1]
    assert "not checked" in verdict, result.stdout
    assert "passed" in verdict and "all" not in verdict, verdict


# what a Node object says: unknown to a user who may not read it
NODE_FIELDS = ("ready", "unschedulable", "roles", "kubelet_version", "created", "taints",
               "pressures", "os", "arch", "internal_ip", "zone", "instance_type")  # fmt: skip


@pytest.mark.parametrize("command", ["tree", "nodes"])
def test_viewer_json_says_null_for_what_it_could_not_read(users: Users, command: str) -> None:
    result = run(command, "-n", users.namespace, "-o", "json", kubeconfig=users.viewer)
    assert result.returncode == 4, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    nodes = doc["cluster"]["nodes"] if command == "tree" else doc["nodes"]
    assert nodes
    for node in nodes:
        assert node["listed"] is False
        assert {k: node[k] for k in NODE_FIELDS} == dict.fromkeys(NODE_FIELDS), node["name"]
        allocatable = node["allocatable"]
        assert allocatable is None or set(allocatable.values()) == {None}, node["name"]


def test_viewer_tables_say_unknown_not_none_for_what_it_could_not_read(users: Users) -> None:
    result = run("nodes", "-n", users.namespace, "-o", "csv", kubeconfig=users.viewer)
    assert result.returncode == 4, result.stdout + result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    for row in rows:
        node_facts = {k: v for k, v in row.items() if k not in ("NAME", "PODS")}
        unknown_shown_as_known = {k: v for k, v in node_facts.items() if v in ("<none>", "false")}
        assert unknown_shown_as_known == {}, row["NAME"]


@dataclass(frozen=True)
class ClusterReader:
    """A user bound cluster-wide to a role that may read only one kind of object."""

    kubeconfig: Path
    name: str


def cluster_reader(
    cluster: TestCluster, resource: str, workdir: Path, suffix: str
) -> Iterator[ClusterReader]:
    name = f"{resource}-reader-{suffix}"
    with reader_of(cluster, name, resource, workdir / f"{name}.yaml") as kubeconfig:
        yield ClusterReader(kubeconfig, name)


@pytest.fixture(scope="module")
def pod_reader(
    cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterReader]:
    """A user who may list pods in every namespace, but not nodes."""
    workdir = tmp_path_factory.mktemp("pod-reader")
    yield from cluster_reader(cluster, "pods", workdir, uuid.uuid4().hex[:6])


@pytest.fixture(scope="module")
def node_reader(
    cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterReader]:
    """A user who may list nodes, but no pods."""
    workdir = tmp_path_factory.mktemp("node-reader")
    yield from cluster_reader(cluster, "nodes", workdir, uuid.uuid4().hex[:6])


def busiest_node(cluster: TestCluster) -> str:
    pods = json.loads(cluster.kubectl("get", "pods", "-A", "-o", "json"))["items"]
    counts: dict[str, int] = {}
    for pod in pods:
        if node := pod["spec"].get("nodeName"):
            counts[node] = counts.get(node, 0) + 1
    return max(sorted(counts), key=lambda n: counts[n])


@pytest.mark.parametrize(
    "command",
    [
        ("tree", "-o", "json"),
        ("tree", "-o", "tree"),
        ("pods", "-o", "json"),
        ("check", "-o", "json"),
    ],
    ids=["tree-json", "tree-tree", "pods-json", "check"],
)
def test_pod_reader_asking_for_a_node_gets_the_pods_on_it(
    cluster: TestCluster, pod_reader: ClusterReader, command: tuple[str, ...]
) -> None:
    node = busiest_node(cluster)
    result = run(*command, "--node", node, kubeconfig=pod_reader.kubeconfig)
    # check: failed checks (exit 1) win over a partial result (4)
    failed = command[0] == "check" and not json.loads(result.stdout)["passed"]
    assert result.returncode == (1 if failed else 4), result.stdout + result.stderr
    warnings_of(result.stderr, pod_reader.name)
    items = json.loads(
        cluster.kubectl(
            "get", "pods", "-A", "--field-selector", f"spec.nodeName={node}", "-o", "json"
        )
    )["items"]
    expected = {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in items}
    assert expected and parser(command)(result.stdout).pod_set == expected


@pytest.mark.parametrize(
    "args",
    [("tree",), ("tree", "-n", "shop"), ("pods", "-n", "shop"), ("check", "-n", "shop")],
    ids=["tree", "tree-n", "pods-n", "check-n"],
)
def test_refused_pod_list_is_a_warning_not_no_pods_found(
    node_reader: ClusterReader, args: tuple[str, ...]
) -> None:
    result = run(*args, kubeconfig=node_reader.kubeconfig)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "No pods found" not in result.stderr + result.stdout
    assert "nothing to check" not in result.stdout
    lines = result.stderr.splitlines()
    assert any(
        line.startswith(f'warning: user "{node_reader.name}" may not list pods') for line in lines
    ), result.stderr


def test_refused_pod_list_is_null_in_json(cluster: TestCluster, node_reader: ClusterReader) -> None:
    result = run("tree", "-o", "json", kubeconfig=node_reader.kubeconfig)
    assert result.returncode == 4, result.stdout + result.stderr
    doc = json.loads(result.stdout)["cluster"]
    nodes = json.loads(cluster.kubectl("get", "nodes", "-o", "json"))["items"]
    assert sorted(n["name"] for n in doc["nodes"]) == sorted(n["metadata"]["name"] for n in nodes)
    assert doc["pod_count"] is None and doc["unscheduled"] is None
    assert all(n["pods"] is None and n["pod_count"] is None for n in doc["nodes"])


def test_check_of_a_node_that_does_not_exist_is_missing_for_admin_unknown_for_viewer(
    cluster: TestCluster, users: Users
) -> None:
    node = f"no-such-node-{uuid.uuid4().hex[:6]}"
    admin = run("check", "-n", users.namespace, "--node", node, kubeconfig=cluster.kubeconfig)
    viewer = run("check", "-n", users.namespace, "--node", node, kubeconfig=users.viewer)
    assert admin.returncode == 1, admin.stdout + admin.stderr
    failures = [line for line in admin.stdout.splitlines() if line.startswith("FAIL")]
    assert failures == [f"FAIL  node-ready          node/{node}: no such node"]
    # the API server answers a viewer 403 for a node that exists and one that does not:
    # what it cannot tell is not checked (a partial result), never "no such node"
    assert viewer.returncode == 4, viewer.stdout + viewer.stderr
    assert "no such node" not in viewer.stdout
    assert "skip  node-ready          not checked" in viewer.stdout
    assert viewer.stderr.startswith(f'warning: user "{users.viewer_name}" may not get nodes')
