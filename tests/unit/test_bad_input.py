"""Bad input is a usage error (exit 2) naming the flag, before any request is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kube_inspect.cli import cli
from kube_inspect.cli.options import ClusterFlags
from kube_inspect.errors import ApiError, UsageError
from kube_inspect.interpret.names import check_field_selector, check_name
from kube_inspect.kube.client import KubeClient, Target
from kube_inspect.kube.translate import transport_error
from kube_inspect.model.quantity import percent
from tests.unit.recorded import RecordedClient, factory
from tests.unit.test_cli import kubeconfig

CLOSED_PORT = "https://127.0.0.1:1"  # nothing listens: a request would be exit 3


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return kubeconfig(tmp_path / "config", {"a": CLOSED_PORT}, "a")


def invoke(config: Path, *args: str, client_factory: Any = None) -> Any:
    """Run the CLI on the closed-port kubeconfig; a client factory answers from a recording."""
    obj = {"client_factory": client_factory} if client_factory else None
    return CliRunner().invoke(cli, [*args, "--kubeconfig", str(config)], obj=obj)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tree", "-n", ".."], "error: invalid namespace \"..\": [may not be '..']"),
        (["tree", "-n", "."], "error: invalid namespace \".\": [may not be '.']"),
        (["tree", "-n", "a/b"], "error: invalid namespace \"a/b\": [may not contain '/']"),
        (["tree", "-n", "Shop"], 'error: invalid namespace "Shop": [a lowercase RFC 1123 label'),
        (["tree", "-n", "a" * 64], "[must be no more than 63 characters]"),
        (["tree", "--node", ""], 'error: invalid node name "": [may not be empty]'),
        (["tree", "--node", ".."], "error: invalid node name \"..\": [may not be '..']"),
        (["check", "--node", ""], 'error: invalid node name "": [may not be empty]'),
        (["nodes", "--node", "a%2F"], "[may not contain '%']"),
        (["explain", "pod", "shop/a,b"], 'error: invalid pod name "a,b": [a lowercase RFC 1123'),
        (["explain", "node", ".."], "error: invalid node name \"..\": [may not be '..']"),
        (["tree", "--field-selector", "status.phase"], "invalid --field-selector"),
        (["tree", "--field-selector", "=Running"], "invalid --field-selector"),
        (["tree", "-l", "app in (web"], "(in -l)"),
        (["tree", "--request-timeout", "9999999h"], "invalid --request-timeout '9999999h'"),
        (["check", "--timeout", "99999999999999999999"], "invalid --timeout"),
        (["check", "--max-pending", "9000000h"], "invalid --max-pending"),
    ],
)
def test_bad_input_is_exit_2_before_any_request(
    config: Path, args: list[str], message: str
) -> None:
    result = invoke(config, *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "cannot connect" not in result.stderr  # no request was sent


@pytest.mark.parametrize("spelling", [["-n=shop"], ["-n", "shop"], ["--namespace=shop"]])
def test_short_flag_with_equals_reads_the_value_as_kubectl_does(
    config: Path, spelling: list[str]
) -> None:
    clients: list[RecordedClient] = []

    def make(flags: ClusterFlags) -> KubeClient:
        clients.append(RecordedClient())
        return clients[-1]

    result = invoke(config, "tree", "-l=app=web", *spelling, client_factory=make)
    assert result.exit_code == 0, result.stderr
    assert "/api/v1/namespaces/shop/pods" in clients[0].paths
    assert "pod/shop/web-" in result.stdout
    assert "pod/shop/db-0" not in result.stdout  # -l=app=web read as app=web


class RefusingClient(RecordedClient):
    """The recorded server, answering 400 to every pod list (as to a bad field label)."""

    def _get_once(self, path: str, query: Any, decode: Any, accept: str = "") -> Any:
        if path.endswith("/pods"):
            raise ApiError(
                "the API server at x answered 400: field label not supported: spec.bogus", 400
            )
        return super()._get_once(path, query, decode, accept)


def test_server_refusing_a_selector_is_a_usage_error_naming_the_flag(config: Path) -> None:
    result = invoke(
        config,
        "tree",
        "--field-selector",
        "spec.bogus=1",
        client_factory=lambda f: RefusingClient(),
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "error: invalid --field-selector 'spec.bogus=1': the API server says: "
        "field label not supported: spec.bogus\n"
    )


class RefusingOne(RecordedClient):
    """The recorded server, answering 400 to the LISTs at ``refused`` (nodes or pods)."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    def _get_once(self, path: str, query: Any, decode: Any, accept: str = "") -> Any:
        if path.endswith(self.refused):
            raise ApiError("the API server at x answered 400: unable to parse requirement", 400)
        return super()._get_once(path, query, decode, accept)


@pytest.mark.parametrize(
    ("refused", "line"),
    [
        ("/pods", "error: invalid -l 'app=web': the API server says: unable to parse requirement"),
        (
            "/nodes",
            "error: invalid --node-selector 'kubernetes.io/os=linux': "
            "the API server says: unable to parse requirement",
        ),
    ],
)
@pytest.mark.parametrize("command", ["tree", "pods", "check"])
def test_a_refused_selector_is_named_by_the_request_that_carried_it(
    config: Path, refused: str, line: str, command: str
) -> None:
    result = invoke(
        config,
        command,
        "-A",
        "-l",
        "app=web",
        "--node-selector",
        "kubernetes.io/os=linux",
        client_factory=lambda f: RefusingOne(refused),
    )
    assert (result.exit_code, result.stderr) == (2, line + "\n")


def test_a_400_without_a_selector_stays_an_api_error(config: Path) -> None:
    result = invoke(config, "tree", client_factory=lambda f: RefusingClient())
    assert result.exit_code == 3


def test_non_utf8_expect_file_is_exit_2_naming_the_file(config: Path, tmp_path: Path) -> None:
    expect = tmp_path / "expect.yaml"
    expect.write_bytes(b"pods:\n- name: caf\xe9\n")
    result = invoke(config, "check", "--expect", str(expect))
    assert result.exit_code == 2
    assert result.stderr == f"error: cannot read --expect file {expect}: not UTF-8 text (byte 17)\n"


@pytest.mark.parametrize("name", ["web", "a-1", "kwok-worker-1", "x" * 63])
def test_valid_namespaces_pass(name: str) -> None:
    check_name(name, "namespace", label=True)


@pytest.mark.parametrize("name", ["node.example.com", "kwok-worker-1", "10.0.0.1"])
def test_valid_node_names_pass(name: str) -> None:
    check_name(name, "node name")


@pytest.mark.parametrize(
    "text", ["status.phase=Running", "a==b,c!=d", "metadata.name=a\\,b", "a=", "", "a=b,"]
)
def test_field_selectors_that_parse(text: str) -> None:
    check_field_selector(text, "--field-selector")


@pytest.mark.parametrize("text", ["status.phase", "a=b,c", "=x", "a\\=b"])
def test_field_selectors_that_do_not_parse(text: str) -> None:
    with pytest.raises(UsageError, match="invalid --field-selector"):
        check_field_selector(text, "--field-selector")


def test_client_quotes_every_path_segment() -> None:
    sent: list[str] = []
    client = KubeClient.__new__(KubeClient)
    client.target = Target("a", CLOSED_PORT)

    def get(path: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        sent.append(path)
        return {}

    client.get = get  # type: ignore[method-assign]
    client.get_node("a/b?c")
    assert sent == ["/api/v1/nodes/a%2Fb%3Fc"]


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(135, 1000, "13%"), (1399, 10000, "13%"), (999, 1000, "99%"), (1000, 1000, "100%")],
)
def test_percentages_truncate_as_kubectl_describe_node_does(
    part: int, whole: int, shown: str
) -> None:
    # kubectl: int64(float64(req) / float64(allocatable) * 100)
    assert percent(part, whole) == shown


def test_a_server_hanging_up_during_tls_is_not_a_certificate_problem() -> None:
    import ssl

    import urllib3

    eof = ssl.SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:1000)")
    error = urllib3.exceptions.MaxRetryError(
        None,  # type: ignore[arg-type]
        "/version",
        urllib3.exceptions.SSLError(eof),
    )
    message = str(transport_error(error, Target("a", "https://127.0.0.1:6443"), 30))
    assert "closed the connection before TLS was set up" in message
    assert "certificate-authority" not in message
    bad_ca = urllib3.exceptions.SSLError(
        ssl.SSLCertVerificationError(1, "certificate verify failed")
    )
    message = str(transport_error(bad_ca, Target("a", "https://127.0.0.1:6443"), 30))
    assert "certificate-authority" in message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tree", "--fmt", "github"], "--fmt does not apply to -o tree: it styles -o table"),
        (["tree", "-o", "json", "--fmt", "grid"], "--fmt does not apply to -o json"),
        (["pods", "-o", "csv", "--fmt", "grid"], "--fmt does not apply to -o csv"),
    ],
)
def test_fmt_with_an_output_that_ignores_it_is_a_usage_error(
    config: Path, args: list[str], message: str
) -> None:
    result = invoke(config, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("env", "coloured"),
    [({}, True), ({"NO_COLOR": ""}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)],
)
def test_colour_follows_no_color_only_when_set_and_not_empty(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], coloured: bool
) -> None:
    import io

    from kube_inspect.cli.options import OutputFlags

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert OutputFlags("tree", "plain", "auto").colored(Terminal()) is coloured


def test_expect_names_are_checked_as_the_server_would(config: Path, tmp_path: Path) -> None:
    expect = tmp_path / "expect.yaml"
    expect.write_text("- kind: Deployment\n  namespace: ../x\n  name: web\n  minReady: 1\n")
    result = invoke(config, "check", "--expect", str(expect))
    assert result.exit_code == 2
    assert result.stderr.startswith(f'error: {expect}:2: invalid namespace "../x"')


def test_output_flag_with_equals_reads_as_kubectl_does(config: Path) -> None:
    result = invoke(config, "tree", "-o=json", "-n=shop", client_factory=factory())
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("{")


@pytest.mark.parametrize(
    "server", ["https://[::1", "https://127.0.0.1:api", "https://127.0.0.1:99999"]
)
def test_a_server_that_is_not_a_url_is_exit_2_naming_the_context_and_the_server(
    config: Path, tmp_path: Path, server: str
) -> None:
    bad = kubeconfig(tmp_path / "bad", {"a": server}, "a")
    doc = yaml.safe_load(bad.read_text())
    doc["users"][0]["user"] = {"auth-provider": {"name": "oidc", "config": {"id-token": "t"}}}
    through_kubernetes = tmp_path / "auth-provider"  # read by the kubernetes package
    through_kubernetes.write_text(yaml.safe_dump(doc))
    said = f"context 'a' has server {server!r}, not a URL ("
    for path in (bad, through_kubernetes):
        result = invoke(path, "tree")
        assert (result.exit_code, result.stdout) == (2, ""), result.output
        assert result.stderr.startswith(f"error: invalid kubeconfig {path}: {said}")
        assert len(result.stderr.splitlines()) == 1, result.stderr
    flag = invoke(config, "tree", "--server", server)
    assert (flag.exit_code, flag.stdout) == (2, ""), flag.output
    assert flag.stderr.startswith(f"error: invalid --server {server!r} for context 'a': not a URL")
    assert len(flag.stderr.splitlines()) == 1, flag.stderr
