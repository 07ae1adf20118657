from __future__ import annotations

from typing import Any

import pytest

from kube_inspect.interpret.objects import build_pod
from kube_inspect.model.cluster import Resources
from kube_inspect.model.quantity import format_bytes, format_cpu, millicores, parse_quantity, whole

MI = 2**20

# Worked by hand, as the scheduler counts (resourcehelper.PodRequests):
#   app containers a + b         = 300m, 150Mi
#   plus the sidecar s1          = 350m, 350Mi   (sidecars run beside the apps)
#   init sequence: init1 alone   = 500m,  10Mi
#                  s1 starts     =  50m, 200Mi   (sidecars so far)
#                  init2 + s1    = 450m, 500Mi
#   peak of the init sequence    = 500m, 500Mi
#   effective = max(350m, 500m), max(350Mi, 500Mi) = 500m, 500Mi; + overhead 10m, 20Mi
#             = 510m, 520Mi
HAND_WORKED: dict[str, Any] = {
    "initContainers": [
        {"name": "init1", "resources": {"requests": {"cpu": "500m", "memory": "10Mi"}}},
        {
            "name": "s1",
            "restartPolicy": "Always",
            "resources": {
                "requests": {"cpu": "50m", "memory": "200Mi"},
                "limits": {"cpu": "100m", "memory": "256Mi"},
            },
        },
        {"name": "init2", "resources": {"requests": {"cpu": "0.4", "memory": "300Mi"}}},
    ],
    "containers": [
        {
            "name": "a",
            "resources": {
                "requests": {"cpu": "100m", "memory": "100Mi"},
                "limits": {"cpu": "1", "memory": "1Gi"},
            },
        },
        {"name": "b", "resources": {"requests": {"cpu": "200m", "memory": "50Mi"}}},
    ],
    "overhead": {"cpu": "10m", "memory": "20Mi"},
}


def test_effective_requests_follow_the_scheduler() -> None:
    assert build_pod({"spec": HAND_WORKED}).requests == Resources(510, 520 * MI)


def test_effective_limits_add_sidecars_and_overhead() -> None:
    # apps 1000m/1Gi + sidecar 100m/256Mi = 1100m/1280Mi; no init limit is larger
    assert build_pod({"spec": HAND_WORKED}).limits == Resources(1110, 1300 * MI)


def test_pod_without_resources_asks_for_nothing_known() -> None:
    assert build_pod({"spec": {"containers": [{"name": "x"}]}}).requests == Resources(None, None)


@pytest.mark.parametrize(
    ("text", "cpu_m"), [("250m", 250), ("1", 1000), ("0.5", 500), ("1.5", 1500), ("100u", 1)]
)
def test_cpu_quantities(text: str, cpu_m: int) -> None:
    assert millicores(text) == cpu_m


@pytest.mark.parametrize(
    ("text", "count"),
    [("64Mi", 64 * MI), ("1Gi", 2**30), ("1e3", 1000), ("129M", 129_000_000), ("1k", 1000)],
)
def test_memory_quantities(text: str, count: int) -> None:
    assert whole(text) == count


def test_garbage_is_no_quantity() -> None:
    assert parse_quantity("lots") is None and parse_quantity(None) is None


def test_formats() -> None:
    assert (format_cpu(250), format_cpu(2000), format_cpu(None)) == ("250m", "2", "-")
    assert (format_bytes(64 * MI), format_bytes(3 * 2**29), format_bytes(512)) == (
        "64Mi",
        "1.5Gi",
        "512",
    )
