"""``kube-inspect check`` and partial results through CliRunner, on recorded JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from kube_inspect.cli import cli, main
from kube_inspect.kube.client import KubeClient
from tests.unit.conftest import load
from tests.unit.recorded import invoke as recorded
from tests.unit.test_cli import kubeconfig


@pytest.fixture(autouse=True)
def outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as outside Actions, even when the suite itself runs there."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def config(tmp_path: Path) -> str:
    return str(kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a"))


# The recorded pods are old: a pod that was Pending for seconds then is Pending "for hours"
# now. Tests of the pod-pending rule run on the pure function, with a fixed clock.
RECORDED_CLOCK = ("--max-pending", "87600h")


def invoke(config: str, *args: str, forbidden: tuple[str, ...] = ()) -> Any:
    """Run check against the recorded cluster (``config`` names it, for the tests' messages)."""
    pending = () if "--max-pending" in args else RECORDED_CLOCK
    return recorded("check", "--kubeconfig", config, *pending, *args, forbidden=forbidden)


def test_check_fails_with_exit_1_on_the_crash_looping_sample(config: str) -> None:
    result = invoke(config)
    assert result.exit_code == 1, result.stderr
    assert "FAIL  container-state     container/batch/crasher/worker" in result.stdout
    assert result.stdout.rstrip().endswith("in 1 of 7 rules")
    assert result.stderr == ""


def test_check_passes_with_exit_0_on_a_healthy_namespace(config: str) -> None:
    result = invoke(config, "-n", "monitoring")
    assert result.exit_code == 0, result.output
    assert "all 7 rules passed" in result.stdout


def test_skipping_the_failing_rule_passes(config: str) -> None:
    assert invoke(config, "--skip-rule", "container-state").exit_code == 0
    assert invoke(config, "--rule", "container-state").exit_code == 1


def test_selector_and_node_filters_narrow_the_pods(config: str) -> None:
    assert invoke(config, "-l", "app=crasher", "--rule", "container-state").exit_code == 1
    healthy = "app notin (crasher,hog,bad-image)"
    assert invoke(config, "-l", healthy, "--rule", "container-state").exit_code == 0
    nodes = {p["spec"].get("nodeName") for p in load("pods.json")["items"]} - {None}
    crasher_node = next(
        p["spec"]["nodeName"]
        for p in load("pods.json")["items"]
        if p["metadata"]["name"] == "crasher"
    )
    other = sorted(nodes - {crasher_node})[0]
    result = invoke(config, "--node", other, "-o", "json")
    doc = json.loads(result.stdout)
    objects = {f["object"] for f in doc["findings"] if f["rule"] == "node-ready"}
    assert objects == {f"node/{other}"}
    assert result.exit_code == 0


def test_node_that_does_not_exist_fails_instead_of_passing_empty(config: str) -> None:
    result = invoke(config, "--node", "kwok-no-such-node")
    assert result.exit_code == 1
    assert "FAIL  node-ready          node/kwok-no-such-node: no such node" in result.stdout


def test_json_output_has_the_stable_shape(config: str) -> None:
    result = invoke(config, "-o", "json")
    doc = json.loads(result.stdout)
    assert list(doc) == [
        "schema_version", "context", "server", "passed", "rules", "findings", "warnings",
    ]  # fmt: skip
    assert (doc["context"], doc["server"]) == ("a", "https://127.0.0.1:1")
    assert doc["schema_version"] == 1 and doc["passed"] is False
    assert [r["name"] for r in doc["rules"] if not r["passed"]] == ["container-state"]
    assert set(doc["findings"][0]) == {"rule", "object", "passed", "message"}


def test_junit_has_one_testcase_per_rule_and_object(config: str, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    result = invoke(config, "-o", "json", "--junit", str(report))
    findings = json.loads(result.stdout)["findings"]
    root = ET.parse(report).getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(findings)
    assert {(c.get("classname"), c.get("name")) for c in cases} == {
        (f["rule"], f["object"]) for f in findings
    }
    failed = [c for c in cases if c.find("failure") is not None]
    assert sorted((c.get("classname"), c.get("name")) for c in failed) == [
        ("container-state", "container/batch/crasher/worker"),
        ("container-state", "container/batch/hog/hog"),
        ("container-state", "container/shop/bad-image/app"),
    ]
    assert root.get("failures") == "3"


def test_github_actions_gets_annotations_and_a_step_summary(
    config: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = invoke(config)
    assert (
        "::error title=kube-inspect container-state::container/batch/crasher/worker: "
        "container is waiting: CrashLoopBackOff\n"
    ) in result.stdout
    text = summary.read_text()
    assert text.startswith("## kube-inspect check failed (3 checks)")
    assert "| container-state | `container/batch/crasher/worker` |" in text


def test_expect_file_adds_its_findings(config: str, tmp_path: Path) -> None:
    expect = tmp_path / "expect.yaml"
    expect.write_text("- kind: Deployment\n  namespace: shop\n  name: web\n  minReady: 4\n")
    result = invoke(config, "-n", "shop", "--expect", str(expect))
    assert result.exit_code == 1
    assert "FAIL  expect              deployment/shop/web: 3 ready, expected >= 4" in result.stdout


def test_expect_outside_several_namespaces_says_it_was_not_read(
    config: str, tmp_path: Path
) -> None:
    expect = tmp_path / "expect.yaml"
    expect.write_text(
        "- kind: Deployment\n  namespace: shop\n  name: web\n  minReady: 1\n"
        "- kind: Deployment\n  namespace: monitoring\n  name: prometheus\n  minReady: 1\n"
    )
    result = invoke(config, "-n", "shop,batch", "--expect", str(expect))
    assert result.exit_code == 1
    # before: -n a,b left the scope empty, and the entry failed as "not found"
    assert (
        "FAIL  expect              deployment/monitoring/prometheus: namespace monitoring is "
        f"outside -n shop,batch: not read ({expect}:5)"
    ) in result.stdout
    assert "fail  expect              1/2 passed" in result.stdout  # shop/web passed


def test_malformed_expect_file_is_exit_2_naming_the_line(config: str, tmp_path: Path) -> None:
    expect = tmp_path / "expect.yaml"
    expect.write_text("- kind: Deployment\n  namespace: shop\n  name: web\n  minReady: lots\n")
    result = invoke(config, "--expect", str(expect))
    assert result.exit_code == 2
    assert result.stderr == (f"error: {expect}:4: minReady must be a whole number, not 'lots'\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rule", "nope"], "error: unknown rule 'nope'"),
        (["--max-pending", "soon"], "error: invalid --max-pending 'soon'"),
        (["-l", "a in b"], "error: invalid label selector 'a in b'"),
        (["--expect", "/nonexistent.yaml"], "error: cannot read --expect file /nonexistent.yaml"),
    ],
)
def test_usage_errors_are_exit_2_before_anything_is_sent(
    config: str, args: list[str], message: str
) -> None:
    result = invoke(config, *args)  # the server at 127.0.0.1:1 would be exit 3
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_forbidden_nodes_give_a_partial_tree_and_exit_4() -> None:
    result = recorded("tree", "-n", "shop", forbidden=("nodes",))
    assert result.exit_code == 4
    assert "(not listed)" in result.stdout and "pod/shop/web-" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        'warning: user "viewer" may not list nodes: nodes are shown by name only, without status'
    ]


def test_check_with_forbidden_nodes_is_exit_4_when_the_rest_passes(config: str) -> None:
    result = invoke(config, "-n", "monitoring", forbidden=("nodes",))
    assert result.exit_code == 4
    assert "skip  node-ready          not checked" in result.stdout
    assert "2 not checked" in result.stdout and "all" not in result.stdout.splitlines()[-1]
    assert result.stderr == (
        'warning: user "viewer" may not list nodes: nodes are shown by name only, without status\n'
    )
    failing = invoke(config, forbidden=("nodes",))
    assert failing.exit_code == 1  # a failed check outranks a partial result


def test_rules_that_need_no_nodes_do_not_read_them(config: str) -> None:
    result = invoke(
        config,
        "-n",
        "monitoring",
        "--skip-rule",
        "node-ready",
        "--skip-rule",
        "node-pressure",
        forbidden=("nodes",),
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_nothing_readable_is_one_line_and_exit_4() -> None:
    result = recorded("tree", forbidden=("nodes", "pods"))
    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr.startswith("error: forbidden: user 'viewer' may not list nodes or pods")
    assert result.stderr.count("\n") == 1


def test_check_help_lists_every_rule_with_examples() -> None:
    result = CliRunner().invoke(cli, ["check", "--help"])
    for rule in (
        "node-ready",
        "node-pressure",
        "pod-pending",
        "container-state",
        "container-restarts",
        "workload-ready",
    ):
        assert rule in result.output
    assert "Examples:" in result.output and "Exit codes:" in result.output
    assert "\\b" not in result.output  # click's no-rewrap marker worked: lines kept as written
    assert "\n    node-ready          every node is Ready\n" in result.output


def test_an_unexpected_exception_is_exit_70_in_one_line(
    config: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: Any, **kwargs: Any) -> KubeClient:
        raise RuntimeError("a bug")

    monkeypatch.setattr(KubeClient, "from_opened", broken)
    monkeypatch.setattr("sys.argv", ["kube-inspect", "check", "--kubeconfig", config])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 70
    err = capsys.readouterr().err
    assert err == "error: internal error; run again with --debug and report it\n"


def test_the_exit_code_table_in_help_matches_the_errors_module() -> None:
    from kube_inspect import errors

    help_text = CliRunner().invoke(cli, ["--help"]).output
    codes = {
        errors.EXIT_OK,
        errors.EXIT_CHECKS_FAILED,
        errors.EXIT_USAGE,
        errors.EXIT_UNREACHABLE,
        errors.EXIT_PARTIAL,
        errors.EXIT_OUTPUT,
        errors.EXIT_INTERNAL,
        errors.EXIT_INTERRUPTED,
    }
    listed = {
        int(line.split()[0])
        for line in help_text.split("Exit codes:")[1].splitlines()
        if line.strip()
    }
    assert listed == codes
    assert errors.Forbidden.exit_code == errors.EXIT_PARTIAL
    assert errors.Unauthorized.exit_code == errors.Gone.exit_code == errors.EXIT_UNREACHABLE
    assert errors.ExpectationError.exit_code == errors.ConfigError.exit_code == errors.EXIT_USAGE


@pytest.mark.parametrize(
    "args",
    [
        [],  # checks failed
        ["--skip-rule", "container-state"],  # every check passed
        ["--node", "kwok-no-such-node"],
        ["--rule", "node-ready", "--rule", "pod-pending"],
    ],
)
def test_every_check_json_document_validates_against_the_shipped_schema(
    config: str, args: list[str]
) -> None:
    import jsonschema

    from kube_inspect.schema import load_check_schema

    schema = load_check_schema()
    doc = json.loads(invoke(config, "-o", "json", *args).stdout)
    jsonschema.Draft202012Validator(schema).validate(doc)
    broken = {k: v for k, v in doc.items() if k != "findings"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_a_partial_check_json_document_validates_too(config: str) -> None:
    import jsonschema

    from kube_inspect.schema import load_check_schema

    result = invoke(config, "-o", "json", "--skip-rule", "container-state", forbidden=("nodes",))
    doc = json.loads(result.stdout)
    assert doc["passed"] is None and doc["warnings"]
    jsonschema.Draft202012Validator(load_check_schema()).validate(doc)


def test_check_reads_kubectls_o_equals_json(config: str) -> None:
    """-o=json, as kubectl and tree read it, is -o json; a format it lacks is still refused."""
    spelt = invoke(config, "-o=json")
    assert spelt.exit_code == 1, spelt.stderr
    findings = json.loads(spelt.stdout)["findings"]
    plain = json.loads(invoke(config, "-o", "json").stdout)["findings"]
    assert [(f["rule"], f["object"]) for f in findings] == [(f["rule"], f["object"]) for f in plain]
    wrong = invoke(config, "-o=yaml")
    assert wrong.exit_code == 2 and "'yaml' is not one of 'text', 'json'" in wrong.stderr
