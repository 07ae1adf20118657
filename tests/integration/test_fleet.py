"""Several clusters in one view, on three real local clusters at once.

One healthy (the session's sample cluster), one started and stopped before the run (its
API server is gone: unreachable), one reached by a user that kwokctl issued and RBAC
restricts to one namespace (so it forbids reading the whole cluster). Their kubeconfigs
are merged into one file with three contexts, as a user's ~/.kube/config would hold them.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml
from playwright.sync_api import BrowserContext

from kube_inspect.schema import load_check_schema, load_schema, load_snapshot_schema
from tests.clusters.kubeconfigs import inline, merge
from tests.clusters.local import LocalCluster, build_binaries
from tests.clusters.sample import SAMPLE
from tests.integration.cli_runner import invoke, run
from tests.integration.conftest import TestCluster
from tests.integration.test_pictures import browser  # noqa: F401 (the fixture)
from tests.integration.test_snapshot import TRIES, masked

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]

CONTEXTS = ("healthy", "stopped", "restricted")


@dataclass(frozen=True)
class Fleet:
    kubeconfig: Path  # healthy, stopped, restricted; stopped-too and badcreds (see fleet)
    healthy: TestCluster
    restricted: LocalCluster
    namespace: str  # the one namespace the restricted user may read
    user: str


@pytest.fixture(scope="module")
def fleet(cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    suffix = uuid.uuid4().hex[:8]
    stopped = LocalCluster(f"ki-fleet-down-{suffix}", build_binaries())
    restricted = LocalCluster(f"ki-fleet-rbac-{suffix}", build_binaries())
    try:
        restricted.start()
        restricted.kubectl("apply", "-f", str(SAMPLE / "kwok"))  # the sample's nodes
        namespace, user = "team", f"fleet-viewer-{suffix}"
        restricted.kubectl("create", "namespace", namespace)
        restricted.kubectl("create", "deployment", "app", "--image=busybox:1.36", "-n", namespace)
        restricted.kubectl(
            "create", "rolebinding", "viewer", "--clusterrole=view", f"--user={user}",
            "-n", namespace,
        )  # fmt: skip
        issued = restricted._kwokctl(
            "get", "kubeconfig", "--user", user, "--group", f"{user}-group"
        ).stdout
        # stopped after the restricted one started: kwokctl would hand the next cluster
        # the port it freed, and this context would reach that cluster instead
        stopped.start()
        stopped_config = stopped.kubeconfig.read_text()
        stopped_config = yaml.safe_dump(inline(yaml.safe_load(stopped_config)))
        survivors = stopped.stop()  # before the run: its server is gone
        assert not survivors, f"processes left behind: {survivors}"
        named = {
            "healthy": cluster.kubeconfig.read_text(),
            "stopped": stopped_config,
            "restricted": issued,
        }
        merged = merge(named)
        again = {"name": "stopped-too", "context": {"cluster": "stopped", "user": "stopped"}}
        merged["contexts"].append(again)
        # the restricted cluster again, with a token its API server never issued: 401
        merged["users"].append({"name": "bogus", "user": {"token": "not-a-token"}})
        bogus = {"name": "badcreds", "context": {"cluster": "restricted", "user": "bogus"}}
        merged["contexts"].append(bogus)
        path = tmp_path_factory.mktemp("fleet") / "config"
        path.write_text(yaml.safe_dump(merged))
        yield Fleet(path, cluster, restricted, namespace, user)
    finally:
        survivors = restricted.stop()
        stopped.stop()  # a second stop finds nothing: it is idempotent
        assert not survivors, f"processes left behind: {survivors}"


def cluster_rows(stdout: str) -> dict[str, str]:
    """Return the tree's cluster rows by context name."""
    rows = {}
    for line in stdout.splitlines():
        name = line.lstrip("├└─│ `|-").split(" ", 1)[0]
        if name.startswith("cluster/"):
            rows[name.removeprefix("cluster/")] = line
    return rows


def node_names(cluster: TestCluster) -> list[str]:
    items = json.loads(cluster.kubectl("get", "nodes", "-o", "json"))["items"]
    return sorted(n["metadata"]["name"] for n in items)


def test_fleet_tree_shows_each_cluster_as_it_is(fleet: Fleet) -> None:
    result = run("tree", "--context", "healthy,stopped,restricted", kubeconfig=fleet.kubeconfig)
    assert result.returncode == 4, result.stderr  # partial: one answered, two did not
    first, *_ = result.stdout.splitlines()
    assert first == "fleet of 3 clusters: 1 available, 2 failed"
    rows = cluster_rows(result.stdout)
    assert list(rows) == list(CONTEXTS)  # in the order given
    assert " Available " in rows["healthy"]
    assert " Unreachable " in rows["stopped"]
    assert "error: " in rows["stopped"] and "context 'stopped'" in rows["stopped"]
    assert " Forbidden " in rows["restricted"]
    assert f"error: forbidden: user '{fleet.user}' may not list nodes or pods" in rows["restricted"]
    # the healthy cluster's nodes are all there, one level under it
    shown = sorted(
        line.split("node/", 1)[1].split()[0]
        for line in result.stdout.splitlines()
        if "── node/" in line
    )
    assert shown == node_names(fleet.healthy)
    assert "Traceback" not in result.stderr


def test_fleet_tree_of_the_restricted_users_namespace_is_partial(fleet: Fleet) -> None:
    result = run("tree", "-n", fleet.namespace, "--all-contexts", kubeconfig=fleet.kubeconfig)
    assert result.returncode == 4, result.stderr
    rows = cluster_rows(result.stdout)
    assert " Partial " in rows["restricted"] and "unread=nodes" in rows["restricted"]
    section = result.stdout.split("cluster/restricted", 1)[1]
    pods = json.loads(fleet.restricted.kubectl("get", "pods", "-n", fleet.namespace, "-o", "json"))
    for pod in pods["items"]:
        assert f"pod/{fleet.namespace}/{pod['metadata']['name']}" in section
    assert "(not listed)" in section
    assert f"warning: context 'restricted': user \"{fleet.user}\" may not list nodes" in (
        result.stderr
    )


def test_fleet_json_names_each_cluster_as_it_is(fleet: Fleet) -> None:
    result = run(
        "tree", "-o", "json", "--context", "healthy,stopped,restricted", kubeconfig=fleet.kubeconfig
    )
    assert result.returncode == 4, result.stderr
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_schema()).validate(doc)
    healthy, stopped, restricted = doc["clusters"]
    assert [c["context"] for c in doc["clusters"]] == list(CONTEXTS)
    assert healthy["error"] is None
    assert sorted(n["name"] for n in healthy["nodes"]) == node_names(fleet.healthy)
    assert stopped["error"] and "context 'stopped'" in stopped["error"]
    assert stopped["version"] is None and stopped["server"].startswith("https://127.0.0.1:")
    assert restricted["error"].startswith(f"forbidden: user '{fleet.user}' may not list")


def test_one_context_keeps_the_one_cluster_document(fleet: Fleet) -> None:
    result = run("tree", "-o", "json", "--context", "healthy", kubeconfig=fleet.kubeconfig)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) == {"schema_version", "cluster"}


def test_fleet_where_no_cluster_answers_exits_3(fleet: Fleet) -> None:
    result = run("tree", "--context", "stopped,stopped-too", kubeconfig=fleet.kubeconfig)
    assert result.returncode == 3, result.stderr
    rows = cluster_rows(result.stdout)
    assert list(rows) == ["stopped", "stopped-too"]
    assert all(" Unreachable " in row for row in rows.values())


def test_fleet_cluster_that_refuses_the_credentials_is_one_line(fleet: Fleet) -> None:
    result = run("tree", "--context", "healthy,badcreds", kubeconfig=fleet.kubeconfig)
    assert result.returncode == 4, result.stderr
    row = cluster_rows(result.stdout)["badcreds"]
    assert " Unauthorized " in row
    assert "rejected the credentials of context 'badcreds' (401 Unauthorized)" in row


def test_fleet_pods_have_a_context_column(fleet: Fleet) -> None:
    result = run("pods", "--all-contexts", "-o", "csv", kubeconfig=fleet.kubeconfig)
    assert result.returncode == 4, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["CONTEXT"] for r in rows} == {"healthy"}
    pods = json.loads(fleet.healthy.kubectl("get", "pods", "-A", "-o", "json"))["items"]
    expected = {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in pods}
    assert {(r["NAMESPACE"], r["NAME"]) for r in rows} == expected
    assert "error: context 'stopped': " in result.stderr
    assert "error: context 'restricted': forbidden: " in result.stderr


def test_fleet_check_names_the_cluster_of_each_case(fleet: Fleet, tmp_path: Path) -> None:
    junit = tmp_path / "report.xml"
    result = run("check", "--all-contexts", "--junit", str(junit), kubeconfig=fleet.kubeconfig)
    single = run("check", "--context", "healthy", kubeconfig=fleet.kubeconfig)
    assert single.returncode in (0, 1), single.stderr
    # the sample's known problems fail the healthy cluster's checks: 1 wins over 4
    assert result.returncode == single.returncode or single.returncode == 0
    out = result.stdout
    assert "cluster healthy at https://" in out
    assert "cluster stopped at https://" in out.split("cluster healthy")[1]
    stopped = out.split("cluster stopped at ", 1)[1].splitlines()[1]
    assert stopped.startswith("error: ") and "context 'stopped'" in stopped
    restricted = out.split("cluster restricted at ", 1)[1].splitlines()[1]
    assert restricted.startswith(f"error: forbidden: user '{fleet.user}'")
    assert out.rstrip().splitlines()[-1].startswith("fleet of 5 clusters: ")
    suites = {s.get("name"): s for s in ET.parse(junit).getroot()}
    for name in ("stopped", "restricted", "stopped-too", "badcreds"):
        assert suites[name].get("errors") == "1"
    assert "healthy/node-ready" in suites


def test_fleet_check_passing_where_read_is_partial_exits_4(fleet: Fleet) -> None:
    result = run(
        "check", "--context", "healthy,stopped", "-n", "kube-public", "--rule", "pod-pending",
        "-o", "json", kubeconfig=fleet.kubeconfig,
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_check_schema()).validate(doc)
    assert [c["passed"] for c in doc["clusters"]] == [True, None]
    assert doc["clusters"][1]["error"]


def test_fleet_html_page_has_a_box_per_cluster_in_a_real_browser(
    fleet: Fleet,
    browser: BrowserContext,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    result = run(
        "tree", "-o", "html", "--context", "healthy,stopped,restricted", kubeconfig=fleet.kubeconfig
    )
    assert result.returncode == 4, result.stderr
    html = tmp_path / "fleet.html"
    html.write_text(result.stdout)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.route("http*://**", lambda route: route.abort())
    page.goto(html.as_uri())
    page.wait_for_selector("[data-cluster]")
    boxes = page.locator("[data-cluster]")
    assert [boxes.nth(i).get_attribute("data-cluster") for i in range(3)] == list(CONTEXTS)
    healthy = page.locator('[data-cluster="healthy"]')
    shown = sorted(
        healthy.locator("[data-node]").nth(i).get_attribute("data-node") or ""
        for i in range(healthy.locator("[data-node]").count())
    )
    assert [n for n in shown if n != "(unscheduled)"] == node_names(fleet.healthy)
    pods = json.loads(fleet.healthy.kubectl("get", "pods", "-A", "-o", "json"))["items"]
    assert healthy.locator("[data-pod]").count() == len(pods)
    stopped = page.locator('[data-cluster="stopped"]').inner_text()
    assert "Unreachable" in stopped and "context 'stopped'" in stopped
    assert "Forbidden" in page.locator('[data-cluster="restricted"]').inner_text()
    page.locator('[data-cluster="stopped"] > .head').click()
    assert page.locator("#details h2").inner_text() == "cluster stopped"
    assert errors == [], f"console errors: {errors}"
    page.close()


FLEET_VIEWS = [
    ["tree"],
    ["tree", "-o", "json"],
    ["tree", "-o", "wide", "-n", "{namespace}"],
    ["pods", "-o", "wide"],
    ["check"],
]
SNAPPED = "healthy,stopped,restricted,badcreds"


@pytest.mark.parametrize("args", FLEET_VIEWS, ids=" ".join)
def test_a_fleet_snapshot_draws_what_the_live_fleet_view_draws(
    fleet: Fleet, tmp_path: Path, args: list[str]
) -> None:
    """The snapshot of the three clusters (and a refused credential) read back with --from.

    Each try takes the snapshot then reads the live fleet right after, ages masked; a
    cluster that changed in between (a scrape) is tried again, a wrong playback never
    matches.
    """
    given = [a.format(namespace=fleet.namespace) for a in args]
    selection = given[given.index("-n") :] if "-n" in given else []
    path = tmp_path / "fleet.json.gz"
    for _ in range(TRIES):
        taken = invoke(
            "snapshot", "--context", SNAPPED, *selection, "-o", str(path),
            kubeconfig=fleet.kubeconfig,
        )  # fmt: skip
        assert taken.returncode == 4, taken.stderr  # partial: some answered, some did not
        live = invoke(*given, "--context", SNAPPED, kubeconfig=fleet.kubeconfig)
        offline = invoke(*given, "--from", str(path), kubeconfig=fleet.kubeconfig)
        assert offline.returncode == live.returncode, offline.stderr
        assert offline.stderr == live.stderr
        if masked(offline.stdout) == masked(live.stdout):
            break
    assert masked(offline.stdout) == masked(live.stdout)
    assert len(offline.stdout.splitlines()) > 3
    assert "context 'stopped'" in offline.stdout + offline.stderr


def test_fleet_snapshot_keeps_each_cluster_as_it_was_read(fleet: Fleet, tmp_path: Path) -> None:
    path = tmp_path / "fleet.json"
    taken = run("snapshot", "--context", SNAPPED, "-o", str(path), kubeconfig=fleet.kubeconfig)
    assert taken.returncode == 4, taken.stderr
    assert "error: context 'stopped': " in taken.stderr
    doc = json.loads(path.read_text())
    jsonschema.Draft202012Validator(load_snapshot_schema()).validate(doc)
    healthy, stopped, restricted, badcreds = doc["clusters"]
    assert healthy["cluster"]["context"] == "healthy"
    names = sorted(n["metadata"]["name"] for n in healthy["resources"]["nodes"]["items"])
    assert names == node_names(fleet.healthy)
    assert (stopped["context"], stopped["error_kind"], stopped["exit_code"]) == (
        "stopped",
        "ClusterUnreachable",
        3,
    )
    assert restricted["error_kind"] == "Forbidden"
    assert badcreds["error_kind"] == "Unauthorized"
    # no kubeconfig and no network: the fleet comes back from the file alone
    offline = run("tree", "--from", str(path), kubeconfig=tmp_path / "no-such-kubeconfig")
    assert offline.returncode == 4, offline.stderr
    assert list(cluster_rows(offline.stdout)) == SNAPPED.split(",")


def test_fleet_snapshot_where_no_cluster_answers_exits_3(fleet: Fleet, tmp_path: Path) -> None:
    path = tmp_path / "down.json.gz"
    taken = run(
        "snapshot", "--context", "stopped,stopped-too", "-o", str(path),
        kubeconfig=fleet.kubeconfig,
    )  # fmt: skip
    assert taken.returncode == 3, taken.stderr
    offline = run("tree", "--from", str(path))
    assert offline.returncode == 3, offline.stderr
    rows = cluster_rows(offline.stdout)
    assert list(rows) == ["stopped", "stopped-too"]
    assert all(" Unreachable " in row for row in rows.values())


def test_check_baseline_of_a_fleet_snapshot_knows_each_clusters_problems(
    fleet: Fleet, tmp_path: Path
) -> None:
    """Each context is checked against its own cluster in the fleet's baseline."""
    baseline = tmp_path / "baseline.json.gz"
    plain = invoke("check", "--context", "healthy,stopped", kubeconfig=fleet.kubeconfig)
    assert plain.returncode == 1, plain.stdout  # the sample's known problems
    for _ in range(TRIES):  # the sample's crasher may cross --max-restarts between reads
        invoke("snapshot", "--context", SNAPPED, "-o", str(baseline), kubeconfig=fleet.kubeconfig)
        known = invoke(
            "check", "--context", "healthy,stopped", "--baseline", str(baseline),
            kubeconfig=fleet.kubeconfig,
        )  # fmt: skip
        if known.returncode == 4:  # healthy passes; stopped is still not read
            break
    assert known.returncode == 4, known.stdout
    assert not [line for line in known.stdout.splitlines() if line.startswith("FAIL")]
