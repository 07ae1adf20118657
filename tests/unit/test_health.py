"""The health table: every state kube-inspect can show has a verdict and plain words."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from kube_inspect.interpret.health import (
    CONTAINER_STATES,
    LEVELS,
    NODE_STATES,
    POD_STATES,
    PRESSURES,
    VERDICTS,
    VOLUME_STATES,
    container_state,
    container_state_key,
    judge_container,
    judge_node,
    judge_pod,
    node_state,
    pod_problem,
    pod_state,
)
from kube_inspect.interpret.scheduling import scheduler_reasons
from kube_inspect.model.cluster import Cluster, Container, ContainerState, Node, Pod, StateName

# The reasons the kubelet puts in containerStatuses (pkg/kubelet/images/types.go,
# pkg/kubelet/kuberuntime, pkg/kubelet/kubelet_pods.go), and the one the aggregator
# gives a terminated container that reports none.
KUBELET_WAITING_REASONS = (
    "ContainerCreating",
    "PodInitializing",
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "ErrImageNeverPull",
    "InvalidImageName",
    "ImageInspectError",
    "RegistryUnavailable",
    "SignatureValidationFailed",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "PreStartHookError",
    "PostStartHookError",
)
KUBELET_TERMINATED_REASONS = (
    "Completed",
    "Error",
    "OOMKilled",
    "ContainerCannotRun",
    "DeadlineExceeded",
    "StartError",
    "ContainerStatusUnknown",
    "Evicted",
    "Terminated",
)
POD_PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")


def container(state: ContainerState, ready: bool = False) -> Container:
    return Container("c", "app", "busybox", state, ready, 0)


def test_every_level_of_the_tree_has_a_meaning() -> None:
    assert list(LEVELS) == ["cluster", "node", "pod", "container"]
    assert all(len(text) > 20 for text in LEVELS.values())


@pytest.mark.parametrize("name", typing.get_args(StateName))
def test_every_container_state_name_has_a_text(name: str) -> None:
    assert name in CONTAINER_STATES
    key, text = container_state(container(ContainerState(name), ready=name == "running"))  # type: ignore[arg-type]
    assert key == name and text is CONTAINER_STATES[name]


@pytest.mark.parametrize("reason", KUBELET_WAITING_REASONS)
def test_every_waiting_reason_of_the_kubelet_has_a_text(reason: str) -> None:
    key, text = container_state(container(ContainerState("waiting", reason)))
    assert CONTAINER_STATES[key] is text and text.unusual


@pytest.mark.parametrize("reason", KUBELET_TERMINATED_REASONS)
def test_every_terminated_reason_of_the_kubelet_has_a_text(reason: str) -> None:
    key, text = container_state(container(ContainerState("terminated", reason, 1)))
    assert CONTAINER_STATES[key] is text
    assert text.unusual == (reason != "Completed")


def test_a_reason_not_in_the_table_still_gets_words() -> None:
    key, text = container_state(container(ContainerState("waiting", "SomethingNew")))
    assert key == "waiting/SomethingNew" and key not in CONTAINER_STATES
    assert "SomethingNew" in text.meaning and CONTAINER_STATES["waiting"].meaning in text.meaning


def test_a_running_container_that_is_not_ready_is_unusual() -> None:
    assert container_state_key(ContainerState("running"), ready=False) == "running/not ready"
    assert not container_state(container(ContainerState("running"), ready=True))[1].unusual
    assert container_state(container(ContainerState("running"), ready=False))[1].unusual


@pytest.mark.parametrize("ready", [True, False, None])
@pytest.mark.parametrize("unschedulable", [True, False])
def test_every_node_status_kube_inspect_shows_has_a_text(
    ready: bool | None, unschedulable: bool
) -> None:
    node = Node("n", (), ready, unschedulable, None, None, ())
    words = node_state(node)
    assert ",".join(w for w, _ in words) == node.status
    assert all(NODE_STATES[w] is text for w, text in words)
    assert any(text.unusual for _, text in words) == (ready is not True or unschedulable)


def test_a_node_known_only_from_its_pods_has_a_text() -> None:
    node = Node("n", (), None, False, None, None, (), listed=False)
    assert node_state(node) == [("(not listed)", NODE_STATES["(not listed)"])]


@pytest.mark.parametrize("phase", POD_PHASES)
def test_every_pod_phase_has_a_text(phase: str) -> None:
    pod = Pod("ns", "p", "n", phase, None, (container(ContainerState("running"), True),))
    key, text = pod_state(pod)
    assert key == phase and POD_STATES[phase] is text


def test_pending_pod_the_scheduler_cannot_place_has_its_own_text() -> None:
    pod = Pod("ns", "p", None, "Pending", None, ())
    assert pod_state(pod, unschedulable=True)[0] == "Pending/Unschedulable"
    assert pod_state(pod)[0] == "Pending"


def test_every_state_of_the_recorded_cluster_is_in_the_table(sample: Cluster) -> None:
    for node in sample.nodes:
        assert all(text is NODE_STATES[word] for word, text in node_state(node))
    for pod in sample.pods:
        key, text = pod_state(pod)
        assert POD_STATES[key] is text
        for c in pod.containers:
            ckey, ctext = container_state(c)
            assert CONTAINER_STATES[ckey] is ctext, ckey


def test_scheduler_message_becomes_one_phrase_per_cause() -> None:
    message = (
        "0/5 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match "
        "Pod's node affinity/selector, 2 node(s) had untolerated taint(s). no new claims "
        "to deallocate, preemption: 0/5 nodes are available: 5 Preemption is not helpful."
    )
    assert scheduler_reasons(message) == [
        "1 node is cordoned (SchedulingDisabled)",
        "2 nodes lack the labels the pod's nodeSelector or affinity asks for",
        "2 nodes carry a taint the pod does not tolerate (reserved nodes)",
    ]


def test_scheduler_message_of_older_servers_names_the_taint_and_resource() -> None:
    message = (
        "0/3 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 2 Insufficient memory."
    )
    assert scheduler_reasons(message) == [
        "1 node carries a taint the pod does not tolerate (node-role.kubernetes.io/control-plane)",
        "2 nodes lack enough unrequested memory for the pod's requests",
    ]


def test_scheduler_message_in_an_unknown_shape_is_kept_as_is() -> None:
    assert scheduler_reasons("something else entirely") == ["something else entirely"]
    assert scheduler_reasons("") == []


# --- verdicts: one judgement of health --------------------------------------------------

TABLES = {
    "node": NODE_STATES,
    "pod": POD_STATES,
    "container": CONTAINER_STATES,
    "volume": VOLUME_STATES,
}
STATES_PAGE = Path(__file__).resolve().parents[2] / "docs" / "tree.md"


@pytest.mark.parametrize(
    ("level", "key"), [(level, key) for level, table in TABLES.items() for key in table]
)
def test_every_state_key_has_a_verdict_and_words(level: str, key: str) -> None:
    text = TABLES[level][key]
    assert text.verdict in VERDICTS
    assert len(text.meaning) >= 10 and not text.meaning.endswith(".")
    assert not text.finished or text.verdict == "healthy"


def test_the_healthy_states_are_the_ones_explain_leaves_alone() -> None:
    healthy = {(lvl, k) for lvl, table in TABLES.items() for k, t in table.items() if not t.unusual}
    assert healthy == {
        ("node", "Ready"),
        ("pod", "Running"),
        ("pod", "Succeeded"),
        ("container", "running"),
        ("container", "terminated/Completed"),
        ("volume", "Bound"),
    }
    finished = {k for table in TABLES.values() for k, t in table.items() if t.finished}
    assert finished == {"Succeeded", "terminated/Completed"}


def test_a_pod_is_made_worse_by_its_failing_container(sample: Cluster) -> None:
    crasher = next(p for p in sample.pods if p.name == "crasher")
    judged = judge_pod(crasher)
    assert judged.key == "Running/NotReady" and judged.verdict == "failing"
    assert judged.reason.startswith("container worker: CrashLoopBackOff: it keeps crashing")


def test_a_finished_pod_is_judged_by_its_phase_alone() -> None:
    killed = ContainerState("terminated", "Error", 137)
    pod = Pod("ns", "p", "n", "Succeeded", None, (container(killed),))
    assert judge_pod(pod).verdict == "healthy" and judge_pod(pod).finished
    assert pod_problem(pod) is None


def test_a_node_under_pressure_is_failing() -> None:
    node = Node("n", (), True, False, None, None, (), pressures=("DiskPressure",))
    assert judge_node(node).verdict == "failing" and judge_node(node).key == "DiskPressure"
    assert PRESSURES == ("MemoryPressure", "DiskPressure", "PIDPressure")


def test_an_unknown_waiting_reason_is_a_warning_not_a_failure() -> None:
    judged = judge_container(container(ContainerState("waiting", "SomethingNew")))
    assert judged.verdict == "warning" and "SomethingNew" in judged.reason


def health_table_markdown() -> str:
    """Return the manual's table of states (docs/tree.md), generated from the health table."""
    lines = ["| Level | State | Verdict | Meaning |", "|---|---|---|---|"]
    for level, table in TABLES.items():
        for key, text in table.items():
            verdict = f"{text.verdict} (finished)" if text.finished else text.verdict
            lines.append(f"| {level} | `{key}` | {verdict} | {text.meaning} |")
    return "\n".join(lines) + "\n"


def test_the_manual_shows_the_health_table() -> None:
    assert health_table_markdown() in STATES_PAGE.read_text(), (
        "docs/tree.md's table of states is stale: replace it with the output of "
        "`python -m tests.unit.test_health`"
    )


if __name__ == "__main__":
    print(health_table_markdown(), end="")
