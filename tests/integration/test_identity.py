"""The identity the kubeconfig names, on the real API server with real RBAC, beside kubectl.

The admin kubeconfig, its user given ``as: <viewer>`` (a user bound to the view
ClusterRole in one namespace only), must be refused where kubectl with the same
kubeconfig is refused, and read what kubectl reads; the audit log must show the
impersonated user, groups and extras exactly as it shows kubectl's.
"""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.certs import self_signed
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster
from tests.integration.test_rbac import wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.local_backend]

EXTRA_KEY = "example.com/reason"  # a '/' the header name cannot hold: sent %-escaped


@dataclass(frozen=True)
class Identity:
    namespace: str
    viewer: str  # bound to view in ``namespace`` only
    groups: tuple[str, str]
    as_viewer: Path  # the admin kubeconfig, its user acting as the viewer; context namespace
    fleet: Path  # contexts admin and as-viewer, on the same cluster
    admin: Path
    kubectl_bin: str


def kubectl(kubeconfig: Path, kubectl_bin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [kubectl_bin, "--kubeconfig", str(kubeconfig), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def impersonating(user: dict[str, Any], viewer: str, groups: tuple[str, str]) -> dict[str, Any]:
    return {
        **user,
        "as": viewer,
        "as-groups": list(groups),
        "as-user-extra": {EXTRA_KEY: ["audit test"]},
    }


@pytest.fixture(scope="module")
def identity(cluster: TestCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Identity]:
    suffix = uuid.uuid4().hex[:6]
    namespace, viewer = f"qa-a-{suffix}", f"qa-viewer-{suffix}"
    groups = (f"qa-{suffix}", f"auditors-{suffix}")
    workdir = tmp_path_factory.mktemp("identity")
    cluster.kubectl("create", "namespace", namespace)
    cluster.kubectl(
        "create", "deployment", "app", "--image=localhost/busybox:1.35", "--replicas=2",
        "-n", namespace, "--", "sleep", "3600",
    )  # fmt: skip
    cluster.kubectl(
        "create", "rolebinding", "viewer-view", "--clusterrole=view", f"--user={viewer}",
        "-n", namespace,
    )  # fmt: skip
    wait_ready(cluster, namespace, "app")
    admin = yaml.safe_load(cluster.kubeconfig.read_text())
    context = admin["contexts"][0]
    user = next(u for u in admin["users"] if u["name"] == context["context"]["user"])
    as_viewer = copy.deepcopy(admin)
    for entry in as_viewer["users"]:
        entry["user"] = impersonating(entry["user"], viewer, groups)
    for entry in as_viewer["contexts"]:
        entry["context"]["namespace"] = namespace
    fleet = copy.deepcopy(admin)
    fleet["users"].append(
        {"name": "as-viewer", "user": impersonating(user["user"], viewer, groups)}
    )
    fleet["contexts"] = [
        {"name": "admin", "context": context["context"]},
        {"name": "as-viewer", "context": {**context["context"], "user": "as-viewer"}},
    ]
    fleet["current-context"] = "admin"
    yield Identity(
        namespace,
        viewer,
        groups,
        write(workdir / "as-viewer.yaml", as_viewer),
        write(workdir / "fleet.yaml", fleet),
        cluster.kubeconfig,
        cluster.kubectl_bin,
    )
    cluster.kubectl("delete", "namespace", namespace, "--timeout=120s", timeout=150)


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(doc))
    return path


def pod_names(stdout: str) -> list[str]:
    doc = json.loads(stdout)
    items = doc["items"] if "items" in doc else doc["pods"]
    return sorted(p["metadata"]["name"] if "metadata" in p else p["name"] for p in items)


@pytest.mark.parametrize(
    "command", [["tree"], ["pods"], ["check"], ["explain"], ["containers", "-o", "json"]]
)
def test_impersonated_viewer_is_refused_the_whole_cluster_as_kubectl_is(
    identity: Identity, command: list[str]
) -> None:
    refused = kubectl(identity.as_viewer, identity.kubectl_bin, "get", "pods", "-A")
    assert refused.returncode == 1
    assert f'User "{identity.viewer}" cannot list resource "pods"' in refused.stderr
    result = run(*command, "-A", kubeconfig=identity.as_viewer)
    assert result.returncode == 4, (result.stdout[:300], result.stderr)  # before: 0, as admin
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: forbidden: user '{identity.viewer}' may not list")
    assert len(result.stderr.splitlines()) == 1


def test_impersonated_viewer_reads_its_context_namespace_as_kubectl(identity: Identity) -> None:
    listed = kubectl(identity.as_viewer, identity.kubectl_bin, "get", "pods", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    expected = pod_names(listed.stdout)
    assert len(expected) == 2
    pods = run("pods", "-o", "json", kubeconfig=identity.as_viewer)
    assert pods.returncode == 4, pods.stderr  # nodes are not the viewer's to list
    assert pod_names(pods.stdout) == expected
    assert f'user "{identity.viewer}" may not list nodes' in pods.stderr
    tree = run("tree", "-o", "json", kubeconfig=identity.as_viewer)
    assert tree.returncode == 4, tree.stderr
    shown = [p["name"] for n in json.loads(tree.stdout)["cluster"]["nodes"] for p in n["pods"]]
    assert sorted(shown) == expected
    explained = run("explain", "pod", expected[0], kubeconfig=identity.as_viewer)
    assert explained.stdout.startswith(f"Pod {identity.namespace}/{expected[0]} is"), (
        explained.stderr
    )


def test_impersonated_check_of_its_namespace_judges_what_kubectl_lists(
    identity: Identity,
) -> None:
    result = run("check", "-o", "json", kubeconfig=identity.as_viewer)
    assert result.returncode == 4, result.stderr  # the node rules cannot run: partial
    doc = json.loads(result.stdout)
    judged = {f["object"] for f in doc["findings"] if f["object"].startswith("pod/")}
    listed = kubectl(identity.as_viewer, identity.kubectl_bin, "get", "pods", "-o", "name")
    assert judged <= {f"pod/{identity.namespace}/{n.split('/')[1]}" for n in listed.stdout.split()}
    assert any("nodes" in w for w in doc["warnings"])


def test_explain_of_a_pod_elsewhere_is_refused_as_kubectl_refuses_it(
    identity: Identity, cluster: TestCluster
) -> None:
    name = cluster.kubectl("get", "pods", "-n", "shop", "-o", "name").split()[0].split("/")[1]
    refused = kubectl(identity.as_viewer, identity.kubectl_bin, "get", "pod", "-n", "shop", name)
    assert refused.returncode == 1 and "Forbidden" in refused.stderr
    result = run("explain", "pod", f"shop/{name}", kubeconfig=identity.as_viewer)
    assert result.returncode == 4, result.stderr  # before: "pod not found", exit 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: forbidden: user '{identity.viewer}' may not list")
    assert len(result.stderr.splitlines()) == 1


def test_fleet_shows_the_impersonated_context_forbidden_never_available(
    identity: Identity,
) -> None:
    result = run("tree", "--all-contexts", "-A", "-o", "json", kubeconfig=identity.fleet)
    assert result.returncode == 4, result.stderr
    admin, as_viewer = json.loads(result.stdout)["clusters"]
    assert (admin["context"], admin["error"]) == ("admin", None)
    assert as_viewer["context"] == "as-viewer"
    assert as_viewer["error"].startswith(f"forbidden: user '{identity.viewer}' may not list")
    text = run("tree", "--all-contexts", "-A", kubeconfig=identity.fleet)
    rows = [line for line in text.stdout.splitlines() if "cluster/as-viewer" in line]
    assert len(rows) == 1 and " Forbidden " in rows[0] and "Available" not in rows[0]
    # --as applies to every context, as it would to each kubectl run
    both = run("pods", "--all-contexts", "-A", "--as", identity.viewer, kubeconfig=identity.fleet)
    assert both.returncode == 4, both.stderr  # each answered 403: partial, not unreachable
    assert both.stdout == ""
    assert both.stderr.count(f"forbidden: user '{identity.viewer}' may not list") == 2


def test_as_flags_are_the_kubeconfigs_as_and_kubectls(identity: Identity) -> None:
    flags = ["--as", identity.viewer, "--as-group", identity.groups[0]]
    refused = kubectl(identity.admin, identity.kubectl_bin, *flags, "get", "pods", "-A")
    assert refused.returncode == 1 and identity.viewer in refused.stderr
    result = run("pods", "-A", *flags, kubeconfig=identity.admin)
    assert result.returncode == 4 and f"'{identity.viewer}'" in result.stderr
    listed = kubectl(
        identity.admin, identity.kubectl_bin, *flags, "get", "pods", "-n", identity.namespace,
        "-o", "json",
    )  # fmt: skip
    ours = run("pods", "-n", identity.namespace, "-o", "json", *flags, kubeconfig=identity.admin)
    assert pod_names(ours.stdout) == pod_names(listed.stdout)


def test_audit_log_names_the_impersonated_user_as_for_kubectl(
    identity: Identity, cluster: TestCluster
) -> None:
    assert cluster.audit_log is not None
    mark = f"/api/v1/namespaces/{identity.namespace}/pods"
    kubectl(identity.as_viewer, identity.kubectl_bin, "get", "pods", "-o", "json")
    run("pods", "-o", "json", kubeconfig=identity.as_viewer)
    events = [json.loads(line) for line in cluster.audit_log.read_text().splitlines() if line]
    mine = [
        e
        for e in events
        if e.get("requestURI", "").startswith(mark) and e["stage"] == "ResponseComplete"
    ]
    ours = [e for e in mine if e.get("userAgent", "").startswith("kube-inspect")]
    theirs = [e for e in mine if e.get("userAgent", "").startswith("kubectl")]
    assert ours and theirs
    impersonated = ours[-1]["impersonatedUser"]
    assert impersonated["username"] == identity.viewer
    assert impersonated["groups"] == [*identity.groups, "system:authenticated"]
    assert impersonated["extra"] == {EXTRA_KEY: ["audit test"]}
    assert impersonated == theirs[-1]["impersonatedUser"]
    assert ours[-1]["user"]["username"] == theirs[-1]["user"]["username"]  # the admin, acting


def broken_ca(identity: Identity, tmp_path: Path) -> Path:
    """Return the admin kubeconfig trusting another CA, and the real CA in a file beside it."""
    doc = yaml.safe_load(identity.admin.read_text())
    cluster = doc["clusters"][0]["cluster"]
    real = cluster.pop("certificate-authority-data", None)
    if real is None:
        real_path = Path(cluster.pop("certificate-authority"))
        if not real_path.is_absolute():
            real_path = identity.admin.parent / real_path
        (tmp_path / "real-ca.crt").write_bytes(real_path.read_bytes())
    else:
        (tmp_path / "real-ca.crt").write_bytes(base64.b64decode(real))
    _, other = self_signed("another-ca", ca=True)
    (tmp_path / "other-ca.crt").write_bytes(other)
    cluster["certificate-authority"] = str(tmp_path / "other-ca.crt")
    return write(tmp_path / "broken-ca.yaml", doc)


def test_ca_and_insecure_flags_win_over_the_kubeconfig_as_in_kubectl(
    identity: Identity, tmp_path: Path
) -> None:
    config = broken_ca(identity, tmp_path)
    real = str(tmp_path / "real-ca.crt")
    get = ("get", "nodes", "-o", "name")
    assert kubectl(config, identity.kubectl_bin, *get).returncode == 1
    failed = run("nodes", kubeconfig=config)
    assert failed.returncode == 3 and "TLS handshake" in failed.stderr
    for flags in (["--certificate-authority", real], ["--insecure-skip-tls-verify"]):
        assert kubectl(config, identity.kubectl_bin, *flags, *get).returncode == 0
        result = run("nodes", *flags, kubeconfig=config)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""  # no InsecureRequestWarning, no site-packages path


def test_server_flag_wins_over_the_kubeconfigs_server(identity: Identity, tmp_path: Path) -> None:
    doc = yaml.safe_load(identity.admin.read_text())
    cluster = doc["clusters"][0]["cluster"]
    server = cluster["server"]
    cluster["server"] = "https://127.0.0.1:9"  # nothing listens there
    config = write(tmp_path / "elsewhere.yaml", doc)
    assert run("nodes", kubeconfig=config).returncode == 3
    get = ("get", "nodes", "-o", "name")
    assert kubectl(config, identity.kubectl_bin, "-s", server, *get).returncode == 0
    for flags in (["--server", server], ["-s", server]):
        result = run("nodes", *flags, kubeconfig=config)
        assert result.returncode == 0, result.stderr


def test_user_and_token_flags_pick_who_reads_as_kubectl(
    identity: Identity, cluster: TestCluster, tmp_path: Path
) -> None:
    # --user: the fleet kubeconfig's impersonating user, from the admin context
    get = ("get", "pods", "-A")
    flags = ["--user", "as-viewer"]
    assert kubectl(identity.fleet, identity.kubectl_bin, *flags, *get).returncode == 1
    result = run("pods", "-A", *flags, kubeconfig=identity.fleet)
    assert result.returncode == 4 and f"'{identity.viewer}'" in result.stderr
    # --token over a user with no credentials of its own: a service account that may view
    account = f"reader-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "serviceaccount", account, "-n", identity.namespace)
    cluster.kubectl(
        "create", "rolebinding", account, "--clusterrole=view",
        f"--serviceaccount={identity.namespace}:{account}", "-n", identity.namespace,
    )  # fmt: skip
    token = cluster.kubectl("create", "token", account, "-n", identity.namespace).strip()
    doc = yaml.safe_load(identity.admin.read_text())
    doc["users"] = [{"name": "nobody", "user": {}}]
    for entry in doc["contexts"]:
        entry["context"]["user"] = "nobody"
    config = write(tmp_path / "no-credentials.yaml", doc)
    listed = kubectl(
        config, identity.kubectl_bin, "--token", token, "get", "pods", "-n", identity.namespace,
        "-o", "json",
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    ours = run("pods", "-n", identity.namespace, "-o", "json", "--token", token, kubeconfig=config)
    assert pod_names(ours.stdout) == pod_names(listed.stdout)
    refused = run("pods", "-A", "--token", token, kubeconfig=config)
    assert refused.returncode == 4
    assert f"system:serviceaccount:{identity.namespace}:{account}" in refused.stderr


IMPERSONATOR_ROLE = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: NAME}
rules:
- apiGroups: [""]
  resources: [users, groups]
  verbs: [impersonate]
"""


def test_an_auth_provider_context_impersonates_as_kubectl_does(
    identity: Identity, cluster: TestCluster, tmp_path: Path
) -> None:
    """The kubernetes package's path (an oidc auth-provider user) sends the same headers.

    The oidc id-token is a service account's token, which the API server takes; the
    account may impersonate, and the kubeconfig asks it to act as the viewer.
    """
    account = f"impersonator-{uuid.uuid4().hex[:6]}"
    namespace = identity.namespace
    cluster.kubectl("create", "serviceaccount", account, "-n", namespace)
    role = tmp_path / "role.yaml"
    role.write_text(IMPERSONATOR_ROLE.replace("NAME", account))
    cluster.kubectl("apply", "-f", str(role))
    cluster.kubectl(
        "create", "clusterrolebinding", account, f"--clusterrole={account}",
        f"--serviceaccount={namespace}:{account}",
    )  # fmt: skip
    token = cluster.kubectl("create", "token", account, "-n", namespace).strip()
    doc = yaml.safe_load(identity.admin.read_text())
    oidc = {"id-token": token, "client-id": "kube-inspect", "idp-issuer-url": "https://idp.invalid"}
    doc["users"] = [
        {
            "name": "oidc",
            "user": {
                "auth-provider": {"name": "oidc", "config": oidc},
                "as": identity.viewer,
                "as-groups": list(identity.groups),
            },
        }
    ]
    for entry in doc["contexts"]:
        entry["context"] = {**entry["context"], "user": "oidc", "namespace": namespace}
    config = write(tmp_path / "oidc.yaml", doc)
    try:
        refused = kubectl(config, identity.kubectl_bin, "get", "pods", "-A")
        assert refused.returncode == 1 and identity.viewer in refused.stderr, refused.stderr
        result = run("pods", "-A", kubeconfig=config)
        assert result.returncode == 4, result.stderr  # before: the account's own rights
        assert result.stderr.startswith(f"error: forbidden: user '{identity.viewer}' may not")
        listed = kubectl(config, identity.kubectl_bin, "get", "pods", "-o", "json")
        ours = run("pods", "-o", "json", kubeconfig=config)
        assert pod_names(ours.stdout) == pod_names(listed.stdout)
        assert cluster.audit_log is not None
        events = [json.loads(line) for line in cluster.audit_log.read_text().splitlines() if line]
        sent = [
            e
            for e in events
            if e.get("userAgent", "").startswith("kube-inspect")
            and e["user"].get("username") == f"system:serviceaccount:{namespace}:{account}"
            and e["stage"] == "ResponseComplete"  # impersonation is read after RequestReceived
        ]
        assert sent and all(e["impersonatedUser"]["username"] == identity.viewer for e in sent)
        assert sent[-1]["impersonatedUser"]["groups"] == [*identity.groups, "system:authenticated"]
    finally:
        cluster.kubectl("delete", "clusterrolebinding,clusterrole", account)
