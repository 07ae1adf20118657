"""Arbitrary strings in every flag that takes a value: a known exit code, never a crash.

And never a request to a path other than the one the flag names: a namespace or a node
name reaches the URL as one quoted segment, or not at all.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kube_inspect.cli import cli
from kube_inspect.cli.options import ClusterFlags
from kube_inspect.errors import ApiError
from kube_inspect.kube.client import KubeClient
from tests.unit.recorded import RecordedClient

KNOWN_PATHS = re.compile(
    r"^(/version|/api/v1/(namespaces/[^/]+/)?"
    r"(pods|nodes|namespaces|events|persistentvolumeclaims)(/[^/]+)?"
    r"|/apis/(apps|batch)/v1/(namespaces/[^/]+/)?[a-z]+|/apis/metrics\.k8s\.io/v1beta1/.*"
    r"|/apis/resource\.k8s\.io/v1/(namespaces/[^/]+/)?(resourceslices|deviceclasses|resourceclaims))$"
)

# (command, flag): every flag that takes a free-form value, on the commands that read
COMMAND_FLAGS = [
    (command, flag)
    for command in ("tree", "nodes", "check", "explain")
    for flag in (
        "-n",
        "--namespace",
        "-l",
        "--field-selector",
        "--node",
        "--node-selector",
        "--request-timeout",
        "--context",
    )
] + [
    ("tree", "-o"),
    ("tree", "--fmt"),
    ("tree", "--depth"),
    ("tree", "--sort"),
    ("tree", "--color"),
    ("check", "--rule"),
    ("check", "--skip-rule"),
    ("check", "--max-pending"),
    ("check", "--max-restarts"),
    ("check", "--timeout"),
    ("check", "--expect"),
    ("check", "--junit"),
    ("tree", "--kubeconfig"),
]


class _Recorded(RecordedClient):
    """The recorded server; a field selector it cannot read is answered 400, as the real one
    answers a field label it does not support."""

    def _get_once(self, path: str, query: Any, decode: Any, accept: str = "") -> Any:
        try:
            return super()._get_once(path, query, decode, accept)
        except (KeyError, AssertionError) as e:
            raise ApiError(f"answered 400: field label not supported: {e}", 400) from e


def _factory(clients: list[RecordedClient]) -> Any:
    def make(flags: ClusterFlags) -> KubeClient:
        clients.append(_Recorded())
        return clients[-1]

    return make


def _expected_segment(flag: str, value: str) -> tuple[str, set[str]] | None:
    """Return (resource, segments) the flag's value may appear as in a path, if any.

    -n a,b names two namespaces: each is a segment of its own LISTs.
    """
    if flag in ("-n", "--namespace"):
        return "namespaces", {quote(v, safe="") for v in value.removeprefix("=").split(",")}
    if flag == "--node":
        return "nodes", {quote(value, safe="")}
    return None


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.chdir(home)


@pytest.mark.parametrize(("command", "flag"), COMMAND_FLAGS)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.text(max_size=20))
@example(value="..")
@example(value="a/b")
@example(value="")
@example(value="=shop")
@example(value="9999999h")
@example(value="status.phase")
@example(value="x,y")
@example(value="\x00")
def test_any_value_gives_a_known_exit_code_and_no_stray_request(
    command: str, flag: str, value: str, tmp_path: Path
) -> None:
    clients: list[RecordedClient] = []
    # --flag=VALUE, so that a value starting with '-' is still the value
    args = [command, f"{flag}={value}"] if flag.startswith("--") else [command, flag, value]
    result = CliRunner().invoke(cli, args, obj={"client_factory": _factory(clients)})
    assert result.exit_code in {0, 1, 2, 3, 4}, (result.exit_code, result.output)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for path in (path for client in clients for path in client.paths):
        assert KNOWN_PATHS.match(path), path
        expected = _expected_segment(flag, value)
        if expected is not None:
            resource, segments = expected
            if f"/{resource}/" in path:
                named = path.split(f"/{resource}/", 1)[1].split("/", 1)[0]
                assert named in segments, (path, value)
