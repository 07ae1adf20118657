from __future__ import annotations

import pytest

from kube_inspect.check.expectations import check_expectations, parse_expectations
from kube_inspect.errors import ExpectationError
from kube_inspect.model.cluster import Cluster
from tests.unit.conftest import check_input, load
from tests.unit.test_checks import workloads

GOOD = """\
expectations:
  - kind: Deployment
    namespace: shop
    name: web
    minReady: 3
  - kind: StatefulSet
    namespace: shop
    name: db
    minReady: 5
  - kind: Deployment
    namespace: shop
    name: gone
    minReady: 1
  - kind: Pod
    namespace: batch
    maxRestarts: 0
    minCount: 1
"""


def data() -> Cluster:
    return check_input((), tuple(load("pods.json")["items"]), tuple(workloads()))


def test_expectations_pass_and_fail_on_the_recorded_sample() -> None:
    found = {
        (f.object, f.passed) for f in check_expectations(parse_expectations(GOOD, "e.yaml"), data())
    }
    assert ("deployment/shop/web", True) in found
    assert ("statefulset/shop/db", False) in found  # 2 ready, 5 expected
    assert ("deployment/shop/gone", False) in found
    assert ("pod/batch/crasher", False) in found  # it restarts
    assert ("pods/batch", True) in found


def test_missing_workload_names_the_line_that_expects_it() -> None:
    findings = check_expectations(parse_expectations(GOOD, "e.yaml"), data())
    gone = next(f for f in findings if f.object == "deployment/shop/gone")
    assert gone.message == "not found (expected by e.yaml:10)"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "- kind: Deployment\n  name: [x\n",
            "e.yaml:3: not valid YAML: expected ',' or ']', but got '<stream end>' "
            "(while parsing a flow sequence on line 2)",
        ),
        (
            "- kind: Deployment\n  namespace: a\n  name: b\n  minReady: three\n",
            "e.yaml:4: minReady must be a whole number, not 'three'",
        ),
        ("- kind: Pod\n  maxRestarts: 1\n  colour: red\n", "e.yaml:3: unknown key 'colour'"),
        ("- kind: Job\n  name: x\n", "e.yaml:1: kind must be one of"),
        (
            "- kind: Deployment\n  name: web\n  minReady: 1\n",
            "e.yaml:1: a Deployment expectation needs namespace and name",
        ),
        (
            "- kind: Pod\n  namespace: a\n",
            "e.yaml:1: a Pod expectation needs maxRestarts or minCount",
        ),
        ("- kind: Pod\n  minCount: 1\n  selector: 'a in (b'\n", "e.yaml:3: invalid label selector"),
        ("just: text\n", "e.yaml:1: expected a list"),
        ("- [1, 2]\n", "e.yaml:1: each expectation must be a mapping"),
    ],
)
def test_malformed_file_is_an_error_naming_the_line(text: str, error: str) -> None:
    with pytest.raises(ExpectationError) as raised:
        parse_expectations(text, "e.yaml")
    assert str(raised.value).startswith(error)
    assert raised.value.exit_code == 2


def test_empty_file_expects_nothing() -> None:
    assert parse_expectations("", "e.yaml") == ()
