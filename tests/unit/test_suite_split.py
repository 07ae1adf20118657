"""`make test` splits the suite into a kind half and a local half only for a whole run."""

from __future__ import annotations

from tests.suite import Half, failure_lines, halves


def test_both_backends_split_into_a_kind_and_a_local_half() -> None:
    parts = halves(["-v"], engine=True, environ={})
    assert parts == [
        Half(
            "kind", ("tests/integration", "--cluster-backend=kind", "-p", "no:cacheprovider", "-v")
        ),
        Half("local", ("tests/unit", "tests/integration", "--cluster-backend=local", "-v")),
    ]


def test_without_an_engine_it_is_one_plain_run() -> None:
    assert halves(["-v"], engine=False, environ={}) == [Half("pytest", ("-v",))]


def test_a_named_backend_or_test_path_is_one_plain_run() -> None:
    for args in (["--cluster-backend", "local"], ["--cluster-backend=kind"], ["tests/unit"]):
        assert halves(args, engine=True, environ={}) == [Half("pytest", tuple(args))]
    env = {"KUBE_INSPECT_TEST_BACKEND": "local"}
    assert halves(["-v"], engine=True, environ=env) == [Half("pytest", ("-v",))]


def test_both_named_splits_even_where_no_engine_answers_so_kind_fails_loudly() -> None:
    parts = halves(["--cluster-backend", "both", "-x"], engine=False, environ={})
    assert [p.name for p in parts] == ["kind", "local"]
    assert all("both" not in " ".join(p.args) for p in parts)
    assert all(p.args[-1] == "-x" for p in parts)


def test_a_failed_half_names_its_failures_again_at_the_end() -> None:
    lines = [
        "tests/integration/test_a.py::test_one[kind] PASSED [ 10%]\n",
        "tests/integration/test_a.py::test_two[kind] FAILED [ 20%]\n",
        "tests/integration/test_b.py::test_three[kind] ERROR [ 30%]\n",
        "=========================== short test summary info ============================\n",
        "FAILED tests/integration/test_a.py::test_two[kind] - AssertionError: 1 != 2\n",
        "ERROR tests/integration/test_b.py::test_three[kind] - TimeoutError\n",
        "=============== 1 failed, 1 passed, 1 error in 9.00s ================\n",
    ]
    kept = failure_lines(lines)
    assert kept[0] == "tests/integration/test_a.py::test_two[kind] FAILED [ 20%]"
    assert "FAILED tests/integration/test_a.py::test_two[kind] - AssertionError: 1 != 2" in kept
    assert kept[-1].startswith("=============== 1 failed")
    assert not any("PASSED" in line for line in kept)
