from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kube_inspect.cli import short_flag_values
from kube_inspect.errors import UsageError
from kube_inspect.interpret.label_selector import parse_selector
from tests.unit.recorded import invoke as recorded

LABELS = {"app": "web", "tier": "front", "canary": "true"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("", True),
        ("app=web", True),
        ("app==web", True),
        ("app=db", False),
        ("app!=db", True),
        ("app=web,tier=back", False),
        ("tier in (front, back)", True),
        ("tier notin (front)", False),
        ("canary", True),
        ("!canary", False),
        ("app=web, tier in (front,back), !missing", True),
    ],
)
def test_selector_matches_as_kubectl_does(selector: str, matches: bool) -> None:
    assert parse_selector(selector)(LABELS) is matches


@pytest.mark.parametrize("selector", ["app=web=x", "a in b", "=web"])
def test_unreadable_selector_is_a_usage_error(selector: str) -> None:
    with pytest.raises(UsageError, match="invalid label selector"):
        parse_selector(selector)


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("x>4", True),  # refused before the API machinery's grammar was followed
        ("x<5", False),
        ("x<6,x>4", True),
        ("missing>1", False),  # as the server: a label that is not there matches no > or <
        ("tier>1", False),  # nor one that is not a number
        ("app in ()", False),  # "()" is the empty value
        ("app notin (,)", True),
        ("in", False),  # in and notin are keys where a key is expected
        ("app=", False),
        ("app!=", True),
        ("example.com/app", False),
        (" app = web ", True),
    ],
)
def test_selector_grammar_matches_the_api_machinery(selector: str, matches: bool) -> None:
    assert parse_selector(selector)({**LABELS, "x": "5"}) is matches


@pytest.mark.parametrize(
    "selector",
    [
        "=app",  # was sent as the existence test "app"
        "==app",
        "!app=x",
        "app=web=x",
        "a,",
        "a,,b",
        ",a",
        "x>a",
        "x>",
        "x>-1",  # an integer, but no label value
        "x>99999999999999999999",  # not a 64-bit integer
        "a/b/c",
        "Example.com/a",
        "/a",
        "a/",
        "-a",
        "a b",
        "a in (b",
        "a in (b c)",
        "a notin b",
        "app=" + "v" * 64,
        "k" * 64,
        "app=web\0junk",  # Go's lexer reads on after a NUL that ends a token
    ],
)
def test_selector_the_api_server_refuses_is_a_usage_error(selector: str) -> None:
    with pytest.raises(UsageError, match="invalid label selector"):
        parse_selector(selector)


SELECTOR_WORDS = st.sampled_from(
    ["app", "x", "in", "notin", "=", "==", "!=", "!", ">", "<", "(", ")", ",", " ", "5",
     "-1", "a.b/c", "/", "\0", "web", "é", "\t", ""]
)  # fmt: skip


@given(words=st.lists(SELECTOR_WORDS, max_size=12), labels=st.dictionaries(
    st.sampled_from(["app", "x", "in", "a.b/c"]), st.text(max_size=6) | st.sampled_from(["5", "7"])
))  # fmt: skip
def test_selector_parser_raises_only_the_usage_error(
    words: list[str], labels: dict[str, str]
) -> None:
    try:
        matches = parse_selector("".join(words))
    except UsageError as e:
        assert str(e).startswith("invalid label selector ")
        assert str(e).isprintable()  # one line, no control character, whatever it holds
        return
    assert matches(labels) in (True, False)


def test_short_flag_with_equals_is_read_as_kubectl_reads_it() -> None:
    joined = recorded("tree", "-l=app=crasher")  # pflag: the selector app=crasher
    assert joined.exit_code == 0, joined.output
    assert "crasher" in joined.stdout
    for args in (["-l", "=app"], ["--selector", "=app"], ["--selector==app"], ["-l==app"]):
        refused = recorded("tree", *args)  # kubectl sends "=app": the API server says 400
        assert refused.exit_code == 2, args
        assert refused.stderr == (
            "error: invalid label selector '=app': found '=', expected: !, identifier, "
            "or 'end of string' (in -l)\n"
        )


def test_only_short_selector_flags_before_the_double_dash_are_split() -> None:
    assert short_flag_values(["tree", "-l=app=web", "-n=shop"]) == [
        "tree", "-l", "app=web", "-n=shop",
    ]  # fmt: skip
    assert short_flag_values(["tree", "-l=", "--", "-l=x"]) == ["tree", "-l", "", "--", "-l=x"]
    assert short_flag_values(["tree", "--selector=-l=x"]) == ["tree", "--selector=-l=x"]
