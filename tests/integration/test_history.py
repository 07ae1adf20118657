"""`kube-inspect history` and `check --since` on an incident recorded from a real API server.

Two `kube-inspect record` run at once, one into an SQLite file and one into a real
PostgreSQL server (tests/clusters/postgres.py), while the incident of tests/clusters/story.py
is played: a pod crash-loops, is OOM killed, its node is cordoned and tainted, it is
deleted and recreated on another node. kubectl's view of the pod after each step is kept;
`history` must tell the story in order with the times the API server gave, and both
journals must give the same answers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kube_inspect.journal.store import JournalError, open_journal
from tests.clusters.postgres import PostgresServer
from tests.clusters.story import FIRST_NODE, POD, SECOND_NODE, play_story, restore_node
from tests.integration.cli_runner import KUBE_INSPECT, run
from tests.integration.conftest import TestCluster

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]

STORES = ("sqlite", "postgresql")
WAIT = 120.0  # how long to wait for the recorder before failing (not a speed figure)
SETTLE = 3.0  # the recorder commits within a second or so of a change


@dataclass(frozen=True)
class Incident:
    """The played incident: its namespace, the journals, kubectl's pod after each step."""

    namespace: str
    journals: dict[str, str]  # store -> --from target
    seen: list[dict[str, Any]]
    started: datetime  # before the story began
    ended: datetime  # after it ended, and the recorders caught up


def _start_recorder(kubeconfig: Path, target: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["KUBECONFIG"] = str(kubeconfig)
    with open(log, "wb") as err:
        return subprocess.Popen(
            [str(KUBE_INSPECT), "record", "--journal", target, "--metrics-interval", "0"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _wait_recording(target: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the journal holds the cluster (its first list is committed)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"record ended: {log.read_text()}"
        try:
            journal = open_journal(target)
        except JournalError:
            time.sleep(0.5)
            continue
        try:
            if journal.spans():
                return
        finally:
            journal.close()
        time.sleep(0.5)
    raise AssertionError(f"record did not write {target} within {WAIT:g}s: {log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)  # as a user stops it: by its PID
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
        raise


@pytest.fixture(scope="module")
def incident(
    cluster: TestCluster,
    postgres_server: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Incident]:
    workdir = tmp_path_factory.mktemp("history")
    namespace = f"ki-story-{uuid.uuid4().hex[:8]}"
    journals = {
        "sqlite": str(workdir / "journal.sqlite"),
        "postgresql": postgres_server.create_database(f"ki_{uuid.uuid4().hex[:12]}"),
    }
    cluster.kubectl("create", "namespace", namespace)
    recorders = {
        store: _start_recorder(cluster.kubeconfig, target, workdir / f"{store}.log")
        for store, target in journals.items()
    }
    try:
        for store, target in journals.items():
            _wait_recording(target, recorders[store], workdir / f"{store}.log")
        started = datetime.now(UTC)
        seen = play_story(cluster.kubectl, namespace, say=lambda _: None)
        time.sleep(SETTLE)
        ended = datetime.now(UTC)
        for process in recorders.values():
            _stop(process)
        yield Incident(namespace, journals, seen, started, ended)
    finally:
        for process in recorders.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        restore_node(cluster.kubectl)
        cluster.kubectl("delete", "namespace", namespace, "--wait=false")


def _history(incident: Incident, store: str, *args: str) -> dict[str, Any]:
    done = run("history", *args, "--from", incident.journals[store], "-o", "json")
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def _pod_story(incident: Incident, store: str) -> list[dict[str, Any]]:
    moments: list[dict[str, Any]] = _history(
        incident, store, f"pod/{POD}", "-n", incident.namespace
    )["moments"]
    return moments


def _at(moment: dict[str, Any]) -> str:
    return datetime.fromisoformat(moment["at"]).strftime("%Y-%m-%dT%H:%M:%SZ")


def _last_run(pod: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
    return found


@pytest.mark.parametrize("store", STORES)
def test_history_tells_the_incident_in_order(incident: Incident, store: str) -> None:
    texts = [m["text"] for m in _pod_story(incident, store)]
    wanted = [
        "created",
        f"scheduled to {FIRST_NODE}",
        "container app: waiting: CrashLoopBackOff",
        "Warning BackOff",
        "container app: restarted",  # ... its last run ended OOMKilled (exit 137)
        "deleted from " + FIRST_NODE,
        "recreated: a new uid",
        f"moved: recreated on {SECOND_NODE}",
    ]
    where, start = [], 0
    for text in wanted:
        found = next(
            (i for i in range(start, len(texts)) if texts[i].startswith(text)),
            None,
        )
        assert found is not None, f"{text!r} not after position {start}:\n" + "\n".join(texts)
        if text == "container app: restarted":  # the one that was the OOM kill
            found = next(i for i in range(start, len(texts)) if "OOMKilled (exit 137)" in texts[i])
        where.append(found)
        start = found + 1
    assert where == sorted(where)


@pytest.mark.parametrize("store", STORES)
def test_restarts_and_the_oom_kill_have_the_times_the_api_server_gave(
    incident: Incident, store: str
) -> None:
    moments = _pod_story(incident, store)
    looping, killed, _ = incident.seen
    restarts = looping["status"]["containerStatuses"][0]["restartCount"]
    told = next(m for m in moments if f"(restart {restarts})" in m["text"])
    assert (_at(told), told["reason"], told["exit_code"]) == (
        _last_run(looping)["finishedAt"],
        _last_run(looping)["reason"],
        _last_run(looping)["exitCode"],
    )
    oom = [m for m in moments if m["what"] == "oom-killed"]
    assert [(_at(m), m["reason"], m["exit_code"], m["time_source"]) for m in oom] == [
        (_last_run(killed)["finishedAt"], "OOMKilled", 137, "api")
    ]
    created = next(m for m in moments if m["what"] == "created")
    assert _at(created) == looping["metadata"]["creationTimestamp"]


@pytest.mark.parametrize("store", STORES)
def test_the_recreated_pod_is_the_one_kubectl_saw_on_the_other_node(
    incident: Incident, store: str
) -> None:
    first, _, recreated = incident.seen
    moments = _pod_story(incident, store)
    moved = [m for m in moments if m["what"] == "moved"]
    assert [m["node"] for m in moved] == [recreated["spec"]["nodeName"]] == [SECOND_NODE]
    renewed = [m for m in moments if m["text"].startswith("recreated")]
    assert [_at(m) for m in renewed] == [recreated["metadata"]["creationTimestamp"]]
    own = [m for m in moments if m["what"] != "event"]
    assert [own[0]["uid"], moved[0]["uid"]] == [
        first["metadata"]["uid"],
        recreated["metadata"]["uid"],
    ]
    assert moments[-1]["verdict"] in ("healthy", None)


@pytest.mark.parametrize("store", STORES)
def test_the_nodes_cordon_and_taint_are_in_its_history(incident: Incident, store: str) -> None:
    moments = _history(incident, store, f"node/{FIRST_NODE}", "--since", _rfc(incident.started))
    # beside them: the events the node controller wrote about it, its status words
    told = [m["what"] for m in moments["moments"] if m["what"] not in ("event", "status")]
    assert told == ["cordoned", "tainted", "untainted", "uncordoned"], moments["moments"]


def _rfc(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("store", STORES)
def test_problems_and_check_since_name_what_broke(incident: Incident, store: str) -> None:
    since = _rfc(incident.started)
    found = _history(incident, store, "--problems", "--since", since)["problems"]
    ours = [p for p in found if p["namespace"] == incident.namespace]
    assert any("CrashLoopBackOff" in p["reason"] for p in ours)
    assert any("OOMKilled (exit 137)" in p["reason"] for p in ours)
    journal = incident.journals[store]
    broke = run("check", "--from", journal, "--since", since, "-n", incident.namespace)
    assert broke.returncode == 1, broke.stdout + broke.stderr
    assert f"FAIL  appeared-since      pod/{incident.namespace}/{POD}" in broke.stdout
    after = run(
        "check", "--from", journal, "--since", _rfc(incident.ended), "-n", incident.namespace
    )
    assert after.returncode == 0, after.stdout + after.stderr


def test_sqlite_and_postgresql_journals_give_the_same_answers(incident: Incident) -> None:
    def comparable(store: str) -> tuple[list[tuple[Any, ...]], ...]:
        # the two recorders saw each change a few milliseconds apart: the API's times and
        # what was told must agree, the recorders' own clocks need not; nor the order in
        # which each received the pod's changes and the events (two watches)
        told = [
            (m["what"], m["text"], m["verdict"], m["uid"], m["node"])
            + ((m["at"],) if m["time_source"] == "api" else ())
            for m in _pod_story(incident, store)
        ]
        return [t for t in told if t[0] != "event"], sorted(t for t in told if t[0] == "event")

    assert comparable("sqlite") == comparable("postgresql")
    problems = {
        store: [
            (p["kind"], p["namespace"], p["name"], p["verdict"], p["reason"].split(" (")[0])
            for p in _history(incident, store, "--problems", "--since", _rfc(incident.started))[
                "problems"
            ]
            if p["namespace"] == incident.namespace
        ]
        for store in STORES
    }
    assert problems["sqlite"] == problems["postgresql"]


def test_every_view_reads_the_postgresql_journal_as_the_sqlite_one(incident: Incident) -> None:
    def pods(store: str) -> Any:
        done = run(
            "pods", "--from", incident.journals[store], "-n", incident.namespace, "-o", "json"
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["pods"]

    found = pods("postgresql")
    assert found == pods("sqlite")
    assert [(p["name"], p["node"]) for p in found] == [(POD, SECOND_NODE)]
