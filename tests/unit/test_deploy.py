"""deploy/: the Helm chart says what the plain manifests say, and the recorder is held as
the check Job is.

The chart is rendered by helm itself (`helm template`, helm built from its Go module and
cached: tests/clusters/helm.py) as a release named ``kube-inspect`` in the namespace
``kube-inspect``: then every object it makes must be the plain manifest's object, hooks
aside. So the ClusterRole's rules, which tests/integration/test_read_only.py holds to the
audit log of a full run, have one source of truth, deploy/rbac.yaml.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from kube_inspect import __version__
from tests.clusters.helm import CHART, helm_path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
Object = dict[str, Any]


def _documents(text: str) -> dict[tuple[str, str], Object]:
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(text) if d}


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], Object]:
    """Return the chart's objects by (kind, name), its Job and test hook included."""
    done = subprocess.run(
        [
            str(helm_path()), "template", "kube-inspect", str(CHART), "--namespace",
            "kube-inspect", "--set", "checkJob.enabled=true", "--set", "check.namespace=default",
        ],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return _documents(done.stdout)


def _plain() -> dict[tuple[str, str], Object]:
    text = "\n---\n".join((DEPLOY / n).read_text() for n in ("rbac.yaml", "check-job.yaml"))
    return _documents(text)


def _without_annotations(obj: Object) -> Object:
    meta = {k: v for k, v in obj["metadata"].items() if k not in ("annotations", "labels")}
    return {**obj, "metadata": meta}


def test_chart_makes_the_plain_manifests_objects(rendered: dict[tuple[str, str], Object]) -> None:
    plain = _plain()
    plain.pop(("Namespace", "kube-inspect"))  # helm install --create-namespace, or the user's
    test_hook = rendered.pop(("Pod", "kube-inspect-check"))
    assert sorted(rendered) == sorted(plain)
    for key, obj in plain.items():
        assert _without_annotations(rendered[key]) == _without_annotations(obj), key
    # the test hook is the check Job's pod, run once by `helm test`
    assert test_hook["spec"] == plain[("Job", "kube-inspect-check")]["spec"]["template"]["spec"]
    assert test_hook["metadata"]["annotations"]["helm.sh/hook"] == "test"


def test_chart_passes_helm_lint() -> None:
    done = subprocess.run(
        [str(helm_path()), "lint", "--strict", str(CHART)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _recorder() -> tuple[Object, Object]:
    docs = _documents((DEPLOY / "recorder.yaml").read_text())
    return docs[("Deployment", "kube-inspect-recorder")], docs[
        ("PersistentVolumeClaim", "kube-inspect-journal")
    ]


def test_recorder_is_one_writer_stopped_before_the_next_starts() -> None:
    deployment, _ = _recorder()
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_recorder_runs_as_the_check_job_does() -> None:
    deployment, claim = _recorder()
    job = _plain()[("Job", "kube-inspect-check")]["spec"]["template"]["spec"]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == job["serviceAccountName"]
    pod_context = {k: v for k, v in pod["securityContext"].items() if k != "fsGroup"}
    assert pod_context == job["securityContext"]
    (container,) = pod["containers"]
    assert container["securityContext"] == job["containers"][0]["securityContext"]
    assert container["image"] == job["containers"][0]["image"]
    # the root is read-only; the journal's volume is the claim, mounted writable
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    journal = next(
        name
        for name, v in volumes.items()
        if v.get("persistentVolumeClaim", {}).get("claimName") == claim["metadata"]["name"]
    )
    assert not mounts[journal].get("readOnly", False)
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["KUBE_INSPECT_JOURNAL"].startswith(mounts[journal]["mountPath"] + "/")
    args = container["args"]
    assert args[0] == "record" and args[args.index("--journal") + 1] == "$(KUBE_INSPECT_JOURNAL)"


def test_chart_app_version_is_kube_inspects() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["appVersion"] == __version__  # a release bumps kube_inspect/__init__.py and this
