"""history's story, on the watch events of a real incident (tests/clusters/story.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from kube_inspect.interpret.history import tell_history
from kube_inspect.interpret.problems import journal_problems
from kube_inspect.model.journal import ChangeType, ObjectKey
from tests.unit.story import NAMESPACE, story_changes

POD = ObjectKey("pods", NAMESPACE, "web")
NODE = ObjectKey("nodes", None, "kwok-worker-1")


def _history(key: ObjectKey):  # type: ignore[no-untyped-def]
    changes = story_changes()
    own = [c for c in changes if c.key == key]
    events = [c for c in changes if c.key.resource == "events"]
    return tell_history("story", key, own, events)


def _texts(key: ObjectKey) -> list[str]:
    return [m.text for m in _history(key).moments]


def test_pod_story_is_told_in_order() -> None:
    texts = _texts(POD)
    wanted = [
        "created",
        "scheduled to kwok-worker-1",
        "container app: running",
        "container app: waiting: CrashLoopBackOff",
        "container app: restarted (restart 2): its last run ended Error (exit 1)",
        "Warning BackOff",
        "container app: restarted (restart 3): its last run ended OOMKilled (exit 137)",
        "deletion asked",
        "deleted from kwok-worker-1",
        "recreated: a new uid",
        "moved: recreated on kwok-worker-2 (the pod before, of the same name, was on ",
    ]
    positions = [next(i for i, t in enumerate(texts) if t.startswith(w)) for w in wanted]
    assert positions == sorted(positions), texts


def test_each_restart_is_told_with_the_time_its_run_ended() -> None:
    changes = story_changes()
    restarts = [m for m in _history(POD).moments if m.what in ("restart", "oom-killed")]
    assert [m.container for m in restarts] == ["app"] * 3
    finished = [
        c.object["status"]["containerStatuses"][0]["lastState"]["terminated"]["finishedAt"]
        for c in changes
        if c.key == POD
        and c.change is ChangeType.MODIFIED
        and c.object["status"].get("containerStatuses", [{}])[0].get("lastState")
    ]
    assert {m.at.strftime("%Y-%m-%dT%H:%M:%SZ") for m in restarts} <= set(finished)
    assert all(m.time_source == "api" for m in restarts)


def test_oom_kill_has_its_reason_and_exit_code() -> None:
    killed = [m for m in _history(POD).moments if m.what == "oom-killed"]
    assert [(m.reason, m.exit_code) for m in killed] == [("OOMKilled", 137)]


def test_recreated_pod_on_another_node_is_a_move_with_a_new_uid() -> None:
    moments = _history(POD).moments
    moved = [m for m in moments if m.what == "moved"]
    assert len(moved) == 1
    first_uid = moments[0].uid
    assert moved[0].uid != first_uid and moved[0].uid is not None


def test_crash_loop_is_judged_failing_and_the_new_pod_healthy() -> None:
    moments = _history(POD).moments
    crash = next(m for m in moments if "CrashLoopBackOff" in m.text and m.what == "container")
    assert crash.verdict == "failing"
    judged = [m for m in moments if m.verdict is not None]
    assert judged[-1].verdict == "healthy"


def test_events_stay_in_the_story_after_the_api_server_deleted_them() -> None:
    changes = story_changes()
    backoff = next(c for c in changes if c.key.resource == "events" and "BackOff" in str(c.object))
    gone = replace(
        backoff,
        seq=10_000,
        change=ChangeType.DELETED,
        observed_at=backoff.observed_at + timedelta(hours=1),
    )
    own = [c for c in changes if c.key == POD]
    events = [c for c in changes if c.key.resource == "events"] + [gone]
    history = tell_history("story", POD, own, events)
    told = [m for m in history.moments if m.what == "event" and m.reason == "BackOff"]
    assert len(told) == 1 and told[0].gone_at == gone.observed_at


def test_node_cordon_and_taint_are_told_without_the_cordon_taint() -> None:
    texts = _texts(NODE)
    assert texts[:2] == ["created", "Ready"]
    assert texts[2:] == [
        "cordoned: no new pod is placed here",
        "tainted incident=oom:NoSchedule",
        "untainted incident=oom:NoSchedule",
        "uncordoned",
    ]


def test_problems_name_the_crash_loop_and_the_oom_kill_with_their_times() -> None:
    problems = journal_problems(story_changes())
    pods = [p for p in problems if p.kind == "Pod"]
    assert [p.reason.split(":")[0] for p in pods] == ["container app", "container app"]
    assert "CrashLoopBackOff" in pods[0].reason and pods[0].cleared_at is not None
    assert "OOMKilled" in pods[1].reason
    assert [p.at for p in pods] == sorted(p.at for p in pods)


def test_problems_since_leave_out_what_appeared_before() -> None:
    changes = story_changes()
    all_found = journal_problems(changes)
    later = journal_problems(changes, since=all_found[0].at + timedelta(microseconds=1))
    assert later == [p for p in all_found if p.at > all_found[0].at]


def test_a_cordoned_node_is_a_warning_only_while_it_lasts() -> None:
    changes = story_changes()
    problems = journal_problems(changes)
    assert not [p for p in problems if p.kind == "Node"]
    cordoned = next(c for c in changes if c.key == NODE and c.object["spec"].get("unschedulable"))
    until = cordoned.observed_at
    nodes = [p for p in journal_problems(changes, until=until) if p.kind == "Node"]
    assert [(p.verdict, p.reason.split(":")[0]) for p in nodes] == [
        ("warning", "SchedulingDisabled")
    ]
