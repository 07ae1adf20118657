"""A pod held back by a readiness gate is a problem, in the one health table.

The recorded web pod, given a readiness gate whose condition is False, with the Ready
condition the kubelet writes then (pkg/kubelet/status/generate.go: containers ready,
Ready False, reason ReadinessGatesNotReady, one message per gate not True).
"""

from __future__ import annotations

import copy
from typing import Any

from kube_inspect.explain.tour import problems
from kube_inspect.interpret.arrange import only_problems
from kube_inspect.interpret.health import judge_pod, pod_problem
from kube_inspect.interpret.objects import build_pod
from tests.unit.conftest import check_input, load, pod_named

GATE = "example.com/load-balancer-ready"


def gated_pod() -> dict[str, Any]:
    pod: dict[str, Any] = copy.deepcopy(pod_named(load("pods.json")["items"], "shop", "web-"))
    pod["spec"]["readinessGates"] = [{"conditionType": GATE}]
    conditions = pod["status"]["conditions"]
    ready = next(c for c in conditions if c["type"] == "Ready")
    ready.update(
        status="False",
        reason="ReadinessGatesNotReady",
        message=f'the status of pod readiness gate "{GATE}" is not "True", but False',
    )
    conditions.append({"type": GATE, "status": "False"})
    return pod


def test_a_pod_held_by_a_readiness_gate_is_a_problem_saying_which_gate() -> None:
    pod = build_pod(gated_pod())
    assert pod.ready_count == len(pod.counted_containers)  # every container is ready
    why = pod_problem(pod)
    assert why is not None and "ReadinessGatesNotReady" in why and GATE in why
    judgement = judge_pod(pod)
    assert (judgement.key, judgement.verdict) == ("Running/ReadinessGatesNotReady", "warning")
    assert "readiness gate" in judgement.reason


def test_problems_and_explain_list_the_gated_pod() -> None:
    gated = gated_pod()
    cluster = check_input(load("nodes.json")["items"], [gated])
    assert [p.name for p in only_problems(cluster).pods] == [gated["metadata"]["name"]]
    found = problems(cluster)
    assert any(obj.endswith(gated["metadata"]["name"]) for obj, _, _ in found), found
    untouched = pod_named(load("pods.json")["items"], "shop", "web-")
    assert pod_problem(build_pod(untouched)) is None  # the recorded pod, its gate-free self
