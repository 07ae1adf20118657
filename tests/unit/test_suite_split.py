"""`make test` splits the suite into a kind half and a local half only for a whole run."""

from __future__ import annotations

from tests.suite import Half, halves


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
