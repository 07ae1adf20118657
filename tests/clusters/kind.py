"""A throwaway kind cluster: real kubelets and containerd in Docker containers, from images
built locally (tests/fixtures/kindcluster/build.sh), nothing pulled.

Four nodes, as the sample means them: the control plane, a worker, a tainted worker
(``dedicated=gpu:NoSchedule``) and a cordoned one; the API server published on 127.0.0.1;
CoreDNS answering cluster names only; metrics-server serving real usage.

    python -m tests.clusters.kind build        # build (or find cached) kind and its images
    python -m tests.clusters.kind up NAME      # prints the kubeconfig path (needs DOCKER_HOST)
    python -m tests.clusters.kind down NAME
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pytest_kind import KindCluster as PytestKindCluster

from tests.clusters.docker_engine import DockerEngine
from tests.clusters.local import FIXTURES, cache_dir, kubectl_path

BUILD_SCRIPT = FIXTURES / "kindcluster" / "build.sh"
WORKLOAD_IMAGES = ("localhost/busybox:1.35", "localhost/httpd:1.35")
METRICS_SERVER_IMAGE = "kube-inspect.local/metrics-server:v0.8.0"
LIB_MODULES = Path("/lib/modules")  # kind bind-mounts it; Docker creates it when missing
KIND_ENV = {"KIND_EXPERIMENTAL_PROVIDER": "docker"}


@dataclass(frozen=True)
class KindBuild:
    """What build.sh made: the kind binary's directory and the node image's tag."""

    bindir: Path
    node_image: str
    metrics_server_manifests: Path

    @property
    def kind(self) -> Path:
        return self.bindir / "kind"


def build_kind(env: dict[str, str]) -> KindBuild:
    """Build (or find cached) kind, its node image and the workload images."""
    result = subprocess.run(
        ["bash", str(BUILD_SCRIPT)], check=True, stdout=subprocess.PIPE, text=True, env=env
    )
    bindir = Path(result.stdout.strip().splitlines()[-1])
    local_bin = subprocess.run(
        ["bash", str(FIXTURES / "localcluster" / "build.sh"), "metrics-server"],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.strip()
    return KindBuild(
        bindir,
        (bindir / "node-image").read_text().strip(),
        Path(local_bin.splitlines()[-1]) / "metrics-server-manifests",
    )


def kind_config() -> dict[str, Any]:
    """Return the kind cluster config: four nodes, the API server on 127.0.0.1 only."""
    kubelet = "kind: KubeletConfiguration\nfailCgroupV1: false\n"  # kubelet >= 1.35 on cgroup v1
    tainted = (
        "kind: JoinConfiguration\nnodeRegistration:\n  taints:\n"
        "  - {key: dedicated, value: gpu, effect: NoSchedule}\n"
    )
    return {
        "kind": "Cluster",
        "apiVersion": "kind.x-k8s.io/v1alpha4",
        "networking": {"apiServerAddress": "127.0.0.1"},
        "kubeadmConfigPatches": [kubelet],
        "nodes": [
            {"role": "control-plane", "labels": {"topology.kubernetes.io/zone": "zone-a"}},
            {"role": "worker", "labels": {"topology.kubernetes.io/zone": "zone-a"}},
            {
                "role": "worker",
                "labels": {"topology.kubernetes.io/zone": "zone-b", "accelerator": "gpu"},
                "kubeadmConfigPatches": [tainted],
            },
            {"role": "worker", "labels": {"topology.kubernetes.io/zone": "zone-a"}},
        ],
    }


def docker_lines(env: dict[str, str], *args: str) -> list[str]:
    """Run a docker command; return its output's lines."""
    out = subprocess.run(
        ["docker", *args], check=True, capture_output=True, text=True, env=env, timeout=60
    ).stdout
    return [line for line in out.splitlines() if line.strip()]


@contextlib.contextmanager
def _environ(env: dict[str, str]) -> Iterator[None]:
    """Run the block with ``env``'s Docker settings in os.environ (pytest-kind-ng reads them).

    pytest-kind-ng's KindCluster runs kind and kubectl with this process's environment and
    takes no environment of its own: DOCKER_HOST (our dockerd) and the provider go in for
    the call and come out after it.
    """
    wanted = {**{k: v for k, v in env.items() if k.startswith("DOCKER_")}, **KIND_ENV}
    before = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class KindCluster:
    """A kind cluster named ``name``, reached through the Docker engine ``env`` points at.

    Its life cycle (create, load images, delete) goes through pytest-kind-ng's KindCluster,
    given our kind and kubectl by path (so it downloads nothing) and our node image and
    config; what makes it the sample's cluster (DNS, metrics-server, the cordon) is ours.
    """

    name: str
    build: KindBuild
    env: dict[str, str]
    workdir: Path = field(default_factory=lambda: cache_dir() / "kind-clusters")
    lib_modules_existed: bool = True
    _life: PytestKindCluster | None = None

    @property
    def kubeconfig(self) -> Path:
        return self.workdir / self.name / "kubeconfig"

    @property
    def cordoned_node(self) -> str:
        return f"{self.name}-worker3"

    @property
    def life(self) -> PytestKindCluster:
        """Return pytest-kind-ng's handle on the cluster, made once with our binaries."""
        if self._life is None:
            for binary in (self.build.kind, Path(kubectl_path())):
                if not binary.is_file():  # pytest-kind-ng would download a missing one
                    raise RuntimeError(f"{binary} is missing: build it (make kind-images)")
            self.kubeconfig.parent.mkdir(parents=True, exist_ok=True)
            # it makes .pytest-kind/NAME in the working directory: ours, not the checkout
            with contextlib.chdir(self.kubeconfig.parent):
                self._life = PytestKindCluster(
                    self.name,
                    self.kubeconfig,
                    image=self.build.node_image,
                    kind_path=self.build.kind,
                    kubectl_path=Path(kubectl_path()),
                )
        return self._life

    def load_images(self, *tags: str) -> None:
        """Load locally built images into every node (`kind load docker-image`)."""
        with _environ(self.env):
            for tag in tags:
                self.life.load_docker_image(tag)

    def kubectl(self, *args: str, timeout: float = 120, stdin: str | None = None) -> str:
        """Run kubectl against the cluster; return its stdout."""
        out: str = self.life.kubectl(*args, timeout=timeout, input=stdin, stderr=subprocess.PIPE)
        return out

    def start(self, timeout: float = 300) -> Path:
        """Create the cluster, load the images, set it up; return the kubeconfig path."""
        config = self.kubeconfig.parent / "kind-config.yaml"
        self.kubeconfig.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(yaml.safe_dump(kind_config(), sort_keys=False))
        self.lib_modules_existed = LIB_MODULES.exists()
        with _environ(self.env):
            self.life.create(config_file=config)
        self._answer_cluster_names_only()
        self.kubectl("cordon", self.cordoned_node)
        self.load_images(*WORKLOAD_IMAGES)
        self.kubectl("apply", "-f", "-", stdin=self._metrics_server_manifest())
        deadline = time.monotonic() + timeout

        def left() -> str:
            return f"--timeout={max(1, int(deadline - time.monotonic()))}s"

        self.kubectl("wait", "--for=condition=Ready", "nodes", "--all", left(), timeout=timeout)
        for deployment in ("coredns", "metrics-server"):
            self.kubectl(
                "rollout", "status", "-n", "kube-system", f"deployment/{deployment}", left(),
                timeout=timeout,
            )  # fmt: skip
        while "default" not in self.kubectl("get", "serviceaccounts", "-o", "name"):
            if time.monotonic() > deadline:
                raise RuntimeError("the default ServiceAccount never appeared")
            time.sleep(0.5)
        return self.kubeconfig

    def _answer_cluster_names_only(self) -> None:
        """Take CoreDNS's forwarding to the host's resolver out; restart CoreDNS."""
        cm = json.loads(
            self.kubectl("get", "configmap", "-n", "kube-system", "coredns", "-o", "json")
        )
        lines = cm["data"]["Corefile"].splitlines()
        kept, skipping = [], False
        for line in lines:
            if line.strip().startswith("forward "):
                skipping = line.rstrip().endswith("{")
                continue
            if skipping:
                skipping = line.strip() != "}"
                continue
            kept.append(line)
        cm["data"]["Corefile"] = "\n".join(kept) + "\n"
        self.kubectl("replace", "-f", "-", stdin=json.dumps(cm))
        self.kubectl("rollout", "restart", "-n", "kube-system", "deployment/coredns")

    def _metrics_server_manifest(self) -> str:
        """Return metrics-server's own manifests, on our image, trusting kubelets' certs."""
        built = self.kubectl("kustomize", str(self.build.metrics_server_manifests))
        docs = [d for d in yaml.safe_load_all(built) if d]
        for doc in docs:
            if doc["kind"] == "Deployment":
                container = doc["spec"]["template"]["spec"]["containers"][0]
                container["image"] = METRICS_SERVER_IMAGE
                container["imagePullPolicy"] = "Never"
                container["args"] = [
                    *container.get("args", []),
                    "--kubelet-insecure-tls",
                    "--metric-resolution=10s",
                    "--kubelet-request-timeout=5s",
                ]
        return yaml.safe_dump_all(docs)

    def leftovers(self) -> list[str]:
        """Return what of the cluster is still there: containers, the kind network, its files."""
        found = docker_lines(
            self.env, "ps", "-a", "--filter", f"label=io.x-k8s.kind.cluster={self.name}",
            "--format", "container {{.Names}}",
        )  # fmt: skip
        found += [
            f"network {n}"
            for n in docker_lines(self.env, "network", "ls", "--format", "{{.Name}}")
            if n == "kind"
        ]
        if (self.workdir / self.name).exists():
            found.append(f"directory {self.workdir / self.name}")
        return found

    def stop(self) -> list[str]:
        """Delete the cluster and kind's network; return what is left (nothing, we hope)."""
        try:
            with _environ(self.env):
                self.life.delete()
        finally:
            # kind keeps its network by design; ours goes, unless another cluster uses it
            if not docker_lines(self.env, "ps", "-a", "--filter", "network=kind", "-q"):
                subprocess.run(
                    ["docker", "network", "rm", "kind"], capture_output=True, env=self.env
                )
            created = not self.lib_modules_existed and LIB_MODULES.is_dir()
            if created and not any(LIB_MODULES.iterdir()):
                LIB_MODULES.rmdir()
            # config, kubeconfig and pytest-kind-ng's .pytest-kind/NAME
            shutil.rmtree(self.workdir / self.name, ignore_errors=True)
        return self.leftovers()


def delete_abandoned(build: KindBuild, env: dict[str, str], prefix: str = "ki-") -> list[str]:
    """Delete the test clusters a crashed earlier run left on this engine; return their names.

    Only for an engine this run owns (holding its lock): on a shared one they may be live.
    """
    found = subprocess.run(
        [str(build.kind), "get", "clusters"], capture_output=True, text=True, env=env, timeout=60
    ).stdout.split()
    abandoned = [name for name in found if name.startswith(prefix)]
    for name in abandoned:
        subprocess.run(
            [str(build.kind), "delete", "cluster", "--name", name],
            capture_output=True,
            env=env,
            timeout=120,
        )
    return abandoned


def main(argv: list[str]) -> int:
    """``up NAME`` starts a cluster and prints its kubeconfig; ``down NAME`` deletes it;
    ``build`` builds the images, with our own Docker engine if none answers.
    """
    if argv == ["build"]:
        engine = DockerEngine()
        try:
            print(build_kind(engine.start()).node_image)
        finally:
            engine.stop()
        return 0
    if len(argv) != 2 or argv[0] not in ("up", "down"):
        print("usage: python -m tests.clusters.kind build | up NAME | down NAME", file=sys.stderr)
        return 2
    env = dict(os.environ)
    cluster = KindCluster(argv[1], build_kind(env), env)
    if argv[0] == "up":
        print(cluster.start())
        return 0
    left = cluster.stop()
    if left:
        print("left behind: " + ", ".join(left), file=sys.stderr)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
