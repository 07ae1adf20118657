"""Every resource beyond cpu and memory: parsed, summed as the scheduler sums, sorted by."""

from __future__ import annotations

import pytest

from kube_inspect.errors import UsageError
from kube_inspect.interpret.arrange import check_sort_key, sort_cluster
from kube_inspect.interpret.objects import build_pod
from kube_inspect.interpret.resources import known_resources, resource_names, resources_of
from kube_inspect.model.cluster import Cluster, Node, Resources, add_resources
from kube_inspect.model.quantity import format_amount
from tests.unit.recorded import invoke

GI = 2**30


def test_every_resource_is_kept_in_whole_units() -> None:
    amounts = resources_of(
        {
            "cpu": "2",
            "memory": "1Gi",
            "nvidia.com/gpu": "4",
            "nvidia.com/mig-1g.10gb": "7",
            "hugepages-2Mi": "1Gi",
            "ephemeral-storage": "100Gi",
            "pods": "110",
        }
    )
    assert amounts.cpu_m == 2000 and amounts.memory_bytes == GI
    assert amounts.other == (
        ("ephemeral-storage", 100 * GI),
        ("hugepages-2Mi", GI),
        ("nvidia.com/gpu", 4),
        ("nvidia.com/mig-1g.10gb", 7),
    )  # a node's pods are its own count (allocatable_pods), not a resource asked for
    assert amounts.amount("nvidia.com/gpu") == 4 and amounts.amount("amd.com/gpu") is None


def test_sums_merge_resources_by_name() -> None:
    a = Resources(100, None, (("nvidia.com/gpu", 1),))
    b = Resources(None, 5, (("amd.com/gpu", 2), ("nvidia.com/gpu", 2)))
    assert add_resources(a, b) == Resources(100, 5, (("amd.com/gpu", 2), ("nvidia.com/gpu", 3)))


def test_a_pod_asks_for_the_larger_of_its_init_peak_and_its_apps() -> None:
    gpu = {"requests": {"nvidia.com/gpu": "2"}, "limits": {"nvidia.com/gpu": "2"}}
    pod = build_pod(
        {
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": {
                "initContainers": [{"name": "warm", "resources": gpu}],
                "containers": [
                    {"name": "a", "resources": {"requests": {"nvidia.com/gpu": "1"}}},
                    {"name": "b", "resources": {"requests": {"ephemeral-storage": "1Gi"}}},
                ],
            },
        }
    )
    assert pod.requests.other == (("ephemeral-storage", GI), ("nvidia.com/gpu", 2))
    assert pod.limits.other == (("nvidia.com/gpu", 2),)


@pytest.mark.parametrize(
    ("resource", "amount", "shown"),
    [
        ("nvidia.com/gpu", 3, "3"),
        ("hugepages-2Mi", 256 * 2**20, "256Mi"),
        ("ephemeral-storage", GI, "1Gi"),
        ("cpu", 1500, "1500m"),
        ("amd.com/gpu", None, "-"),
    ],
)
def test_amounts_are_printed_as_kubectl_prints_them(
    resource: str, amount: int | None, shown: str
) -> None:
    assert format_amount(resource, amount) == shown


def _cluster() -> Cluster:
    def node(name: str, gpus: int, requested: int) -> Node:
        pod = build_pod(
            {
                "metadata": {"name": f"on-{name}", "namespace": "ns"},
                "spec": {
                    "nodeName": name,
                    "containers": [
                        {"name": "c", "resources": {"requests": {"nvidia.com/gpu": requested}}}
                    ],
                },
                "status": {"phase": "Running"},
            }
        )
        allocatable = Resources(1000, GI, (("hugepages-1Gi", 0), ("nvidia.com/gpu", gpus)))
        return Node(name, (), True, False, None, None, (pod,), allocatable=allocatable)

    return Cluster("c", "s", "v", (node("a", 8, 1), node("b", 4, 3)), ())


def test_columns_are_for_resources_the_cluster_has_not_zero_ones() -> None:
    cluster = _cluster()
    assert resource_names(cluster) == ("nvidia.com/gpu",)
    assert known_resources(cluster) == ("hugepages-1Gi", "nvidia.com/gpu")


def test_sorting_by_a_resource_puts_the_biggest_request_first() -> None:
    ordered = sort_cluster(_cluster(), "nvidia.com/gpu")
    assert [n.name for n in ordered.nodes] == ["b", "a"]


def test_a_sort_key_the_cluster_lacks_names_the_valid_ones() -> None:
    check_sort_key(_cluster(), "hugepages-1Gi")  # advertised, if at zero: accepted
    with pytest.raises(UsageError, match=r"example.com/fpga.*name, cpu.*nvidia.com/gpu"):
        check_sort_key(_cluster(), "example.com/fpga")


def test_an_unknown_sort_key_exits_2_with_one_line() -> None:
    result = invoke("nodes", "--sort", "example.com/fpga")
    assert result.exit_code == 2, result.output
    assert "no such resource in the cluster" in result.output
    result = invoke("nodes", "--sort", "bad key!")
    assert result.exit_code == 2 and "--sort" in result.output


def test_the_recorded_nodes_have_no_extra_columns_without_extra_resources() -> None:
    result = invoke("nodes")
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if line.startswith("NAME")).split()
    assert header[-1] == "MEM-USE"  # the recorded sample advertises cpu, memory, pods only


def test_a_node_with_a_gpu_gets_a_column() -> None:
    from kube_inspect.render.rows import flat_rows

    cluster = _cluster()
    nodes = flat_rows(cluster, "node", wide=False)
    assert [r["NVIDIA.COM/GPU"] for r in nodes] == ["1/8", "3/4"]
    pods = flat_rows(cluster, "pod", wide=False)
    assert [p["NVIDIA.COM/GPU-REQ"] for p in pods] == ["1", "3"]
