"""`kube-inspect record` against a real API server, and every view `--from JOURNAL --at TIME`.

At each moment of the test, kubectl's view of the pods is kept; the journal read at that
moment must give the same pods. The recorder is killed with -9, the API server is killed
and started again, the network between them is cut: the journal keeps what was
committed, says where it could not see, and records only the differences it found.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.clusters.faultproxy import FaultProxy
from tests.integration.cli_runner import KUBE_INSPECT, run
from tests.integration.conftest import TestCluster
from tests.integration.process_lines import WAIT, ProcessLines
from tests.integration.restricted_users import issue_user

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]

SETTLE = 2.5  # the recorder commits within a second of a change: a moment this much after


class Recording(ProcessLines):
    """A running `kube-inspect record`, its stderr read line by line."""

    def rest(self) -> list[str]:
        """Return every stderr line of a recorder that ended, from now on."""
        while (line := self.lines.get(timeout=WAIT)) is not None:
            self.seen.append(line)
        return self.seen

    def stop(self) -> int:
        """Stop it as a user would (SIGTERM); return its exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no chance to commit or close anything
        self.process.wait(timeout=30)


def start_recording(kubeconfig: Path, journal: Path, *args: str) -> Recording:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["KUBECONFIG"] = str(kubeconfig)
    command = [str(KUBE_INSPECT), "record", "--journal", str(journal), *args]
    process = subprocess.Popen(
        [*command, "--request-timeout", "5s"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    found = Recording(process, stream="stderr", name="record")
    found.follow()
    found.wait_for(lambda line: "watching" in line, "the first list")
    return found


@pytest.fixture
def recordings() -> Iterator[list[Recording]]:
    """Yield a list the test adds its recorders to; stop those still running after."""
    found: list[Recording] = []
    yield found
    for recording in found:
        if recording.process.poll() is None:
            recording.kill()


def pod_manifest(namespace: str, name: str, node: str, label: str = "one") -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": {"step": label}},
            "spec": {
                "nodeName": node,
                "containers": [
                    {
                        "name": "app",
                        "image": "localhost/busybox:1.35",
                        "command": ["sh", "-c", "sleep infinity"],
                    }
                ],
            },
        }
    )


def apply(cluster: TestCluster, manifest: str, tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(manifest)
    cluster.kubectl("apply", "-f", str(path))


def kubectl_pods(cluster: TestCluster, namespace: str) -> set[tuple[str, str, str, str]]:
    """Return the namespace's pods as kubectl shows them: name, node, phase, uid."""
    listed = json.loads(cluster.kubectl("get", "pods", "-n", namespace, "-o", "json"))
    return {
        (
            p["metadata"]["name"],
            p["spec"].get("nodeName") or "",
            p["status"].get("phase") or "",
            p["metadata"]["uid"],
        )
        for p in listed["items"]
        if not p["metadata"].get("deletionTimestamp")
    }


def journal_pods(
    journal: Path, at: str, namespace: str, exit_code: int = 0
) -> set[tuple[str, str, str]]:
    """Return the namespace's pods as `pods --from JOURNAL --at` shows them: name, node, phase."""
    result = run("pods", "--from", str(journal), "--at", at, "-n", namespace, "-o", "json")
    assert result.returncode == exit_code, result.stderr
    return {(p["name"], p["node"] or "", p["phase"]) for p in json.loads(result.stdout)["pods"]}


def settled(
    cluster: TestCluster, namespace: str, wanted: Callable[[set[tuple[str, str, str, str]]], bool]
) -> tuple[str, set[tuple[str, str, str]]]:
    """Wait until kubectl shows what ``wanted`` accepts; return a moment of it, and the pods.

    The moment is taken SETTLE seconds after kubectl's read, and the pods read again
    then: unchanged, they are what the cluster held all that time.
    """
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        first = kubectl_pods(cluster, namespace)
        if wanted(first):
            time.sleep(SETTLE)
            moment = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            time.sleep(SETTLE)
            if kubectl_pods(cluster, namespace) == first:
                return moment, {(name, node, phase) for name, node, phase, _ in first}
        time.sleep(0.5)
    raise AssertionError(f"the pods of {namespace} did not settle: {first}")


def phase_of(name: str, phase: str) -> Callable[[set[tuple[str, str, str, str]]], bool]:
    return lambda pods: any(p[0] == name and p[2] == phase for p in pods)


def nodes(cluster: TestCluster) -> list[str]:
    listed = cluster.kubectl("get", "nodes", "-l", "node-role.kubernetes.io/worker", "-o", "name")
    return sorted(n.removeprefix("node/") for n in listed.split())


def test_each_moment_of_the_journal_is_what_kubectl_showed_then(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path, recordings: list[Recording]
) -> None:
    namespace, journal = scratch_namespace, tmp_path / "journal.sqlite"
    first_node, other_node = nodes(cluster)[:2]
    recordings.append(recording := start_recording(cluster.kubeconfig, journal, "-n", namespace))
    moments = [settled(cluster, namespace, lambda pods: not pods)]
    apply(cluster, pod_manifest(namespace, "web", first_node), tmp_path)
    moments.append(settled(cluster, namespace, phase_of("web", "Running")))
    cluster.kubectl("label", "pod", "web", "-n", namespace, "step=two", "--overwrite")
    moments.append(settled(cluster, namespace, phase_of("web", "Running")))
    cluster.kubectl("delete", "pod", "web", "-n", namespace, "--grace-period=0", "--force")
    moments.append(settled(cluster, namespace, lambda pods: not pods))
    apply(cluster, pod_manifest(namespace, "web", other_node), tmp_path)  # recreated, moved
    moments.append(settled(cluster, namespace, phase_of("web", "Running")))
    assert recording.stop() == 0
    assert recording.wait_for(lambda line: "stopped" in line, "the summary").startswith(
        "record: stopped: "
    )
    for moment, shown in moments:
        assert journal_pods(journal, moment, namespace) == shown, moment
    # the label change is in the journal: the tree of each moment names it
    labelled = [
        run("pods", "--from", str(journal), "--at", moment, "-n", namespace, "-o", "json")
        for moment, _ in moments[1:3]
    ]
    assert [json.loads(r.stdout)["pods"][0]["name"] for r in labelled] == ["web", "web"]
    # every output of tree reads the same moment
    for output in ("tree", "wide", "json", "yaml"):
        result = run("tree", "--from", str(journal), "--at", moments[1][0], "-o", output)
        assert result.returncode == 0 and "web" in result.stdout, (output, result.stderr)
    # diff of two moments of the journal: the pod moved from one node to the other
    result = run("diff", str(journal), "--at", moments[1][0], "--at", moments[4][0], "-o", "json")
    assert result.returncode == 1, result.stderr
    assert first_node in result.stdout and other_node in result.stdout


def test_a_moment_outside_the_journal_is_one_line_and_exit_2(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path, recordings: list[Recording]
) -> None:
    journal = tmp_path / "journal.sqlite"
    recordings.append(rec := start_recording(cluster.kubeconfig, journal, "-n", scratch_namespace))
    assert rec.stop() == 0
    for command in ("tree", "pods", "nodes", "containers", "check", "explain"):
        result = run(command, "--from", str(journal), "--at", "-1h")
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert result.stderr.startswith("error: ") and "is outside the journal" in result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_the_journal_survives_kill_9_and_the_time_away_is_a_gap(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path, recordings: list[Recording]
) -> None:
    namespace, journal = scratch_namespace, tmp_path / "journal.sqlite"
    node = nodes(cluster)[0]
    recordings.append(rec := start_recording(cluster.kubeconfig, journal, "-n", namespace))
    apply(cluster, pod_manifest(namespace, "before", node), tmp_path)
    before, shown_before = settled(cluster, namespace, phase_of("before", "Running"))
    rec.kill()
    # what was committed is readable at once, with the recorder dead
    assert journal_pods(journal, before, namespace) == shown_before
    apply(cluster, pod_manifest(namespace, "while-away", node), tmp_path)
    away, _ = settled(cluster, namespace, phase_of("while-away", "Running"))
    recordings.append(rec := start_recording(cluster.kubeconfig, journal, "-n", namespace))
    after, shown_after = settled(cluster, namespace, phase_of("while-away", "Running"))
    assert rec.stop() == 0
    assert journal_pods(journal, after, namespace) == shown_after
    result = run("tree", "--from", str(journal), "--at", away)
    assert result.returncode == 2
    assert "in a gap" in result.stderr and "the recorder was not running" in result.stderr
    # the relist wrote the pod made while away once, and nothing for the pod that stayed
    changes = changes_of(journal, namespace)
    assert [c for c in changes if c[0] == "before"][:1] == [("before", "added")]
    assert ("before", "added") not in changes[changes.index(("while-away", "added")) :]


def changes_of(journal: Path, namespace: str) -> list[tuple[str, str]]:
    """Return the pods' changes in the journal, in order: (name, change)."""
    import sqlite3

    db = sqlite3.connect(journal)
    rows = db.execute(
        "SELECT name, change FROM changes WHERE resource = 'pods' AND namespace = ? ORDER BY seq",
        (namespace,),
    ).fetchall()
    db.close()
    return [(str(n), str(c)) for n, c in rows]


def invented(journal: Path) -> list[tuple[str, str, str]]:
    """Return each object written twice in a row at one resourceVersion: invented changes."""
    import sqlite3

    db = sqlite3.connect(journal)
    rows = db.execute("SELECT resource, name, uid, resource_version FROM changes ORDER BY seq")
    last: dict[tuple[str, str, str], str] = {}
    twice = []
    for resource, name, uid, version in rows.fetchall():
        key = (str(resource), str(name), str(uid))
        if last.get(key) == version:
            twice.append(key)
        last[key] = str(version)
    db.close()
    return twice


def test_a_network_cut_is_a_gap_and_the_relist_records_what_changed_meanwhile(
    cluster: TestCluster,
    scratch_namespace: str,
    tmp_path: Path,
    recordings: list[Recording],
    fault_proxy: FaultProxy,
) -> None:
    namespace, journal = scratch_namespace, tmp_path / "journal.sqlite"
    node = nodes(cluster)[0]
    through = fault_proxy.kubeconfig_through(cluster.kubeconfig, tmp_path / "proxied.yaml")
    recordings.append(rec := start_recording(through, journal, "-n", namespace))
    apply(cluster, pod_manifest(namespace, "first", node), tmp_path)
    settled(cluster, namespace, phase_of("first", "Running"))
    fault_proxy.disable()
    rec.wait_for(lambda line: " broke (" in line, "the line of the cut")
    apply(cluster, pod_manifest(namespace, "during-cut", node), tmp_path)
    during, _ = settled(cluster, namespace, phase_of("during-cut", "Running"))
    fault_proxy.enable()
    line = rec.wait_for(lambda line: "reconnected" in line, "the line of the reconnect")
    after, shown_after = settled(cluster, namespace, phase_of("during-cut", "Running"))
    assert rec.stop() == 0
    # the pod made during the cut, and whatever else changed meanwhile (the first pod's
    # status, the events of both): at least one, and none of them invented
    found = re.fullmatch(
        r"record: reconnected after \d+s; listed again: (\d+) differences? recorded", line
    )
    assert found is not None and int(found[1]) >= 1, line
    assert not invented(journal), "a relist wrote a version the journal already held"
    assert len([x for x in rec.seen if "the watch of " in x]) == 1, rec.seen
    assert journal_pods(journal, after, namespace) == shown_after
    result = run("pods", "--from", str(journal), "--at", during)
    assert (result.returncode, "in a gap" in result.stderr) == (2, True), result.stderr
    assert [c for c in changes_of(journal, namespace) if c[0] == "during-cut"][:1] == [
        ("during-cut", "added")
    ]


def test_an_api_server_killed_and_started_again_is_a_gap_and_nothing_invented(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path, recordings: list[Recording]
) -> None:
    assert cluster.local is not None
    namespace, journal = scratch_namespace, tmp_path / "journal.sqlite"
    apply(cluster, pod_manifest(namespace, "steady", nodes(cluster)[0]), tmp_path)
    settled(cluster, namespace, phase_of("steady", "Running"))
    recordings.append(rec := start_recording(cluster.kubeconfig, journal, "-n", namespace))
    before = changes_of(journal, namespace)
    restart_api_server(cluster)
    rec.wait_for(lambda line: "reconnected" in line, "the line of the reconnect")
    after, shown = settled(cluster, namespace, phase_of("steady", "Running"))
    assert rec.stop() == 0
    assert any(" broke (" in line for line in rec.seen), rec.seen
    assert changes_of(journal, namespace) == before  # the pod did not change: no change
    assert journal_pods(journal, after, namespace) == shown
    result = run("tree", "--from", str(journal), "--at", after)
    assert result.returncode == 0
    import sqlite3

    db = sqlite3.connect(journal)
    gaps = db.execute("SELECT started_at, ended_at FROM gaps").fetchall()
    db.close()
    assert len(gaps) == 1 and gaps[0][1] is not None and gaps[0][0] < gaps[0][1]


def restart_api_server(cluster: TestCluster) -> None:
    """Kill the API server with -9, then start it again as kwokctl started it."""
    assert cluster.local is not None
    pids = cluster.local.pids()
    pid = pids["kube-apiserver"]
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]
    cwd = os.readlink(f"/proc/{pid}/cwd")
    environ = dict(
        line.split(b"=", 1)
        for line in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        if b"=" in line
    )
    os.kill(pid, signal.SIGKILL)
    time.sleep(3)
    log = open(cluster.local.cluster_dir / "logs" / "kube-apiserver.log", "ab")  # noqa: SIM115
    started = subprocess.Popen(
        command, cwd=cwd, env=environ, stdout=log, stderr=log, start_new_session=True
    )
    log.close()
    (cluster.local.cluster_dir / "pids" / "kube-apiserver.pid").write_text(str(started.pid))
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            cluster.kubectl("get", "--raw", "/readyz", timeout=10)
            return
        except subprocess.CalledProcessError:
            time.sleep(0.5)
    raise AssertionError("the API server did not come back")


def test_a_restricted_user_records_its_namespace_partial_and_says_so(
    cluster: TestCluster, scratch_namespace: str, tmp_path: Path, recordings: list[Recording]
) -> None:
    namespace, journal = scratch_namespace, tmp_path / "journal.sqlite"
    user = f"viewer-{uuid.uuid4().hex[:6]}"
    cluster.kubectl(
        "create", "rolebinding", "viewer-view", "--clusterrole=view", f"--user={user}",
        "-n", namespace,
    )  # fmt: skip
    kubeconfig = issue_user(cluster, user, tmp_path / "viewer.yaml")
    apply(cluster, pod_manifest(namespace, "mine", nodes(cluster)[0]), tmp_path)
    recordings.append(rec := start_recording(kubeconfig, journal, "-n", namespace))
    moment, shown = settled(cluster, namespace, phase_of("mine", "Running"))
    assert rec.stop() == 4
    warnings = [line for line in rec.rest() if line.startswith("warning: ")]
    assert warnings and all("nodes" in line for line in warnings), rec.seen
    assert journal_pods(journal, moment, namespace, exit_code=4) == shown
    # the journal is as honest as the recorder: nodes were not read, the views say so
    result = run("tree", "--from", str(journal), "--at", moment, "-n", namespace)
    assert result.returncode == 4, result.stderr
    assert "mine" in result.stdout and "warning: " in result.stderr
    whole = run("tree", "--from", str(journal), "--at", moment)
    assert whole.returncode == 4 and "mine" in whole.stdout, whole.stderr
