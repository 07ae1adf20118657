"""Naming the taints kube-scheduler 1.36 leaves unnamed: Kubernetes' toleration matching."""

from __future__ import annotations

from typing import Any

import pytest

from kube_inspect.interpret.scheduling import parse_scheduler_message
from kube_inspect.interpret.taints import (
    TaintedNode,
    name_taints,
    tainted_node,
    tolerates,
    untolerated_counts,
)
from kube_inspect.model.cluster import Pending, PendingCause

GPU = ("dedicated", "gpu", "NoSchedule")
CONTROL_PLANE = ("node-role.kubernetes.io/control-plane", "", "NoSchedule")
# the real scheduler's message on the recorded sample's shop/stuck (5 nodes, v1.36)
STUCK = (
    "0/5 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's "
    "node affinity/selector, 2 node(s) had untolerated taint(s). no new claims to "
    "deallocate, preemption: 0/5 nodes are available: 5 Preemption is not helpful."
)


@pytest.mark.parametrize(
    ("toleration", "taint", "expected"),
    [
        ({"key": "dedicated", "operator": "Equal", "value": "gpu"}, GPU, True),
        ({"key": "dedicated", "value": "gpu"}, GPU, True),  # Equal is the default
        ({"key": "dedicated", "value": "tpu"}, GPU, False),
        ({"key": "dedicated", "operator": "Exists"}, GPU, True),
        ({"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}, GPU, False),
        ({"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}, GPU, True),
        ({"operator": "Exists"}, GPU, True),  # an empty key with Exists tolerates all
        ({"operator": "Exists", "effect": "NoExecute"}, GPU, False),
        ({"key": "other", "operator": "Exists"}, GPU, False),
        ({"key": CONTROL_PLANE[0], "operator": "Exists"}, CONTROL_PLANE, True),
        ({"key": CONTROL_PLANE[0]}, CONTROL_PLANE, True),  # Equal to the empty value
        ({"key": "dedicated", "operator": "Gt", "value": "1"}, GPU, False),  # not known here
    ],
)
def test_a_toleration_matches_a_taint_as_kubernetes_does(
    toleration: dict[str, Any], taint: tuple[str, str, str], expected: bool
) -> None:
    assert tolerates(toleration, taint) is expected


DEFAULT_TOLERATIONS = [  # what the API server adds to every pod
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
]


def test_each_node_counts_its_first_untolerated_filtering_taint() -> None:
    nodes = [
        tainted_node({"taints": [dict(zip(("key", "value", "effect"), GPU, strict=True))]}),
        tainted_node(
            {
                "taints": [
                    {"key": "soft", "effect": "PreferNoSchedule"},  # not a filter's business
                    {"key": CONTROL_PLANE[0], "effect": "NoSchedule"},
                    {"key": "dedicated", "value": "gpu", "effect": "NoExecute"},
                ]
            }
        ),
        tainted_node({}),
        tainted_node(
            {
                "unschedulable": True,  # ruled out as cordoned before its taints are read
                "taints": [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}],
            }
        ),
    ]
    assert untolerated_counts(nodes, DEFAULT_TOLERATIONS) == {
        "dedicated=gpu:NoSchedule": 1,
        "node-role.kubernetes.io/control-plane:NoSchedule": 1,
    }
    gpu_tolerated = [*DEFAULT_TOLERATIONS, {"key": "dedicated", "operator": "Exists"}]
    assert untolerated_counts(nodes, gpu_tolerated) == {
        "node-role.kubernetes.io/control-plane:NoSchedule": 1
    }
    everything = [{"operator": "Exists"}]  # tolerates cordoning too: the taints are read
    assert untolerated_counts(nodes, everything) == {}


def _sample_nodes(extra: int = 0) -> list[TaintedNode]:
    return [
        TaintedNode(False, (CONTROL_PLANE,)),
        TaintedNode(False, ()),
        TaintedNode(False, (GPU,)),
        TaintedNode(True, (("node.kubernetes.io/unschedulable", "", "NoSchedule"),)),
        TaintedNode(False, ()),
        *[TaintedNode(False, (GPU,))] * extra,
    ]


def test_unnamed_taints_are_named_with_their_counts_in_the_schedulers_place() -> None:
    nodes, causes = parse_scheduler_message(STUCK)
    named = name_taints(Pending(causes, nodes), _sample_nodes(), DEFAULT_TOLERATIONS)
    assert named.causes == (
        PendingCause("cordoned", 1, "cordoned"),
        PendingCause("node selector/affinity mismatch", 2, "selector"),
        PendingCause("untolerated taint dedicated=gpu:NoSchedule", 1, "taint"),
        PendingCause(
            "untolerated taint node-role.kubernetes.io/control-plane:NoSchedule", 1, "taint"
        ),
    )
    assert sum(c.nodes or 0 for c in named.causes) == 5  # the scheduler's total is kept


def test_taints_that_do_not_add_up_keep_the_schedulers_words() -> None:
    nodes, causes = parse_scheduler_message(STUCK)
    pending = Pending(causes, nodes)
    # a node was tainted since the scheduler looked: 3 untolerated, it said 2
    assert name_taints(pending, _sample_nodes(extra=1), DEFAULT_TOLERATIONS) is pending
    assert name_taints(pending, [], DEFAULT_TOLERATIONS) is pending
