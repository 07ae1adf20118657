"""Label selectors: kube-inspect accepts and refuses what the real API server does."""

from __future__ import annotations

import random
import subprocess

import pytest

from kube_inspect.errors import UsageError
from kube_inspect.interpret.label_selector import parse_selector
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

SELECTORS = [
    "", "app", "!app", "app=web", "app==web", "app!=web", "app=", "x>4", "x<5", "x>-1",
    "x>a", "x>", "x>99999999999999999999", "x>9223372036854775807", "=app", "==app",
    "!app=x", "app=web=x", "a,", ",a", "a,,b", "a in (b,c)", "a in ()", "a notin (,)",
    "a in (b", "a in b", "a in (b c)", "in", "notin", "in in (in)", "a/b", "a/b/c",
    "example.com/a", "Example.com/a", "/a", "a/", "-a", "a-", "a b", " a = b ",
    "a=" + "v" * 63, "a=" + "v" * 64, "k" * 63, "k" * 64, "a.b_c-d", "a=é", "a>=1",
    "a=>1", "a!", "!", "!!a", "a=(b)", "a in (b,)", "a in (,b)", "a,!b,c in (d),e=f,g>1",
]  # fmt: skip
WORDS = ["a", "x", "in", "notin", "=", "==", "!=", "!", ">", "<", "(", ")", ",", " ", "5", "-"]


def random_selectors(count: int) -> list[str]:
    """Return selector-shaped strings from a fixed seed: the same ones every run."""
    chosen = random.Random(22)
    return ["".join(chosen.choices(WORDS, k=chosen.randint(1, 8))) for _ in range(count)]


def accepted_by_kube_inspect(selector: str) -> bool:
    try:
        parse_selector(selector)
    except UsageError:
        return False
    return True


def accepted_by_the_server(cluster: TestCluster, selector: str) -> bool:
    result = subprocess.run(
        [cluster.kubectl_bin, "--kubeconfig", str(cluster.kubeconfig), "get", "pods",
         "-n", "default", "-l", selector, "-o", "name"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if result.returncode != 0:
        assert "BadRequest" in result.stderr or "unable to parse" in result.stderr, result.stderr
    return result.returncode == 0


def test_selectors_are_accepted_and_refused_as_by_the_api_server(cluster: TestCluster) -> None:
    server = {s: accepted_by_the_server(cluster, s) for s in SELECTORS + random_selectors(60)}
    differ = {s: ok for s, ok in server.items() if ok != accepted_by_kube_inspect(s)}
    assert differ == {}, "selector: accepted by the API server (kube-inspect said otherwise)"
    assert True in server.values() and False in server.values()


def test_a_refused_selector_is_exit_2_and_an_accepted_one_is_sent(cluster: TestCluster) -> None:
    refused = run("pods", "-n", "default", "-l", "=app", kubeconfig=cluster.kubeconfig)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.startswith("error: invalid label selector '=app'")
    for selector in ("x>4", "x<5"):
        result = run("pods", "-n", "default", "-l", selector, kubeconfig=cluster.kubeconfig)
        assert result.returncode == 0, result.stderr
