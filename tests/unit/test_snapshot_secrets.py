"""Snapshots carry no secret: what a cluster's objects hold beyond what the views read stays out.

The recorded cluster, each object of every kind given secret-like values where a real one
carries them (env values and ``valueFrom``, command lines, annotations, the
last-applied-configuration ``kubectl apply`` writes); the snapshot holds none of them,
and draws every view as the cluster does.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kube_inspect.cli import cli
from kube_inspect.offline.kept import ANNOTATIONS_KEPT, KEPT, kept
from tests.unit.recorded import RecordedClient, recorded_answer
from tests.unit.test_snapshot import VIEWS

SECRETS = {
    "env": "env-value-hunter2",
    "from": "secret-ref-name-hunter3",
    "args": "--password=hunter4",
    "annotation": "https://hooks.example.com/T000/hunter5",
    "applied": "applied-hunter6",
}


def _containers(secret_spec: dict[str, Any]) -> None:
    for key in ("initContainers", "containers"):
        for container in secret_spec.get(key) or ():
            container["env"] = [
                {"name": "DB_PASSWORD", "value": SECRETS["env"]},
                {
                    "name": "API_TOKEN",
                    "valueFrom": {"secretKeyRef": {"name": SECRETS["from"], "key": "t"}},
                },
            ]
            container["args"] = [SECRETS["args"]]


def planted(obj: dict[str, Any]) -> dict[str, Any]:
    """Return ``obj`` holding a secret in each place a real object may carry one."""
    obj = copy.deepcopy(obj)
    meta = obj.setdefault("metadata", {})
    applied = {"kind": obj.get("kind", "?"), "metadata": {"annotations": {"a": SECRETS["applied"]}}}
    meta["annotations"] = {
        **(meta.get("annotations") or {}),
        "example.com/webhook": SECRETS["annotation"],
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied),
    }
    spec = obj.get("spec")
    if isinstance(spec, dict):
        _containers(spec)
        template = spec.get("template")
        if isinstance(template, dict):
            template.setdefault("metadata", {})["annotations"] = dict(meta["annotations"])
            _containers(template.setdefault("spec", {}))
    return obj


class PlantedClient(RecordedClient):
    """The recorded cluster, every object of every kind with secrets planted."""

    def _get_once(
        self, path: str, query: Any, decode: Callable[[bytes], Any], accept: str = ""
    ) -> Any:
        self.paths.append(path)
        answer = recorded_answer(path, query, self.forbidden)
        if "items" in answer:
            answer = {**answer, "items": [planted(o) for o in answer["items"]]}
        elif "metadata" in answer:
            answer = planted(answer)
        return decode(json.dumps(answer).encode())


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj={"client_factory": lambda f: PlantedClient()})


@pytest.fixture(scope="module")
def planted_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("planted") / "planted.json"
    taken = run("snapshot", "-o", str(path))
    assert taken.exit_code == 0, taken.output
    return path


def test_the_planted_cluster_carries_the_secrets() -> None:
    # the test could fail: the live views read objects that do hold them
    text = json.dumps([planted(o) for o in recorded_answer("/apis/apps/v1/deployments")["items"]])
    assert all(secret in text for secret in SECRETS.values())


def test_a_snapshot_holds_no_planted_secret(planted_snapshot: Path) -> None:
    text = planted_snapshot.read_text()
    document = json.loads(text)
    stored = {r for r, answer in document["resources"].items() if "items" in answer}
    # the recorded sample holds no DRA objects (tests/unit/test_devices.py keeps those)
    unrecorded = {"nodemetrics", "podmetrics", "deviceclasses", "resourceslices", "resourceclaims"}
    assert stored >= (set(KEPT) - unrecorded) | {"pods"}
    for name, secret in SECRETS.items():
        assert secret not in text, f"the snapshot holds the planted {name} value"
    assert "last-applied-configuration" not in text
    assert "managedFields" not in text
    assert "DB_PASSWORD" not in text  # no pod template, no env: not even the names


def test_a_node_read_by_name_is_kept_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    taken = run("snapshot", "--node", "kwok-worker-1", "-o", str(path))
    assert taken.exit_code == 0, taken.output
    assert SECRETS["annotation"] not in path.read_text()
    assert "kwok-worker-1" in path.read_text()


@pytest.mark.parametrize("args", VIEWS, ids=" ".join)
def test_a_kept_snapshot_draws_the_live_view(planted_snapshot: Path, args: list[str]) -> None:
    live = run(*args)
    offline = run(*args, "--from", str(planted_snapshot))
    assert (offline.exit_code, offline.stdout) == (live.exit_code, live.stdout)
    assert offline.stderr == live.stderr


def test_only_the_listed_annotations_are_kept() -> None:
    deployment = {
        "metadata": {
            "name": "web",
            "annotations": {
                "deployment.kubernetes.io/revision": "3",
                "example.com/token": "t",
            },
            "managedFields": [{"manager": "kubectl"}],
        },
        "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "c"}]}}},
        "status": {"readyReplicas": 2, "observedGeneration": 4},
    }
    assert kept("deployments", deployment) == {
        "metadata": {"name": "web", "annotations": {"deployment.kubernetes.io/revision": "3"}},
        "spec": {"replicas": 2},
        "status": {"readyReplicas": 2, "observedGeneration": 4},
    }
    assert "deployment.kubernetes.io/revision" in ANNOTATIONS_KEPT


def test_a_pod_decoded_whole_loses_its_container_secrets() -> None:
    pod = {
        "metadata": {"name": "p", "annotations": {"x": "y"}},
        "spec": {"containers": [{"name": "c", "image": "i", "env": [{"value": "v"}]}]},
        "status": {"phase": "Running"},
    }
    assert kept("pods", pod) == {
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
        "status": {"phase": "Running"},
    }
