"""Property-based tests over the files a user feeds kube-inspect, through the CLI.

Snapshots, kubectl Lists, kubeconfigs and expect files, damaged every way Hypothesis
finds (cut short, a value of the wrong type, a key gone): each is read, or refused with
one line on stderr and exit 2 (3 for a kubeconfig whose server cannot be reached); never
a traceback, never a picture drawn from what is not there (``pod//``, ``node/`` with no
name).
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_inspect.cli import cli
from tests.unit.conftest import load
from tests.unit.recorded import invoke

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-2, 2**40)
    | st.sampled_from(["", "x", "Pod", "List", "2026-11-25T12:00:00Z", "kwok-worker-1", "a/b"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "kind", "name", "items"]), inner, max_size=3)
    ),
    max_leaves=6,
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def paths_of(value: Any, prefix: tuple[Any, ...] = (), depth: int = 7) -> list[tuple[Any, ...]]:
    """Return the path of every value inside ``value`` (keys and list indexes), to ``depth``."""
    found = [prefix]
    if depth == 0:
        return found
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths_of(inner, (*prefix, key), depth - 1)
    elif isinstance(value, list):
        for index, inner in enumerate(value[:3]):
            found += paths_of(inner, (*prefix, index), depth - 1)
    return found


def damaged(document: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    """Return a copy of ``document`` with the value at ``path`` replaced (or deleted)."""
    copy = json.loads(json.dumps(document))
    if not path:
        return value
    *head, last = path
    parent = copy
    for step in head:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[last]
    else:
        parent[last] = value
    return copy


def assert_read_or_refused(result: Result, refused: tuple[int, ...] = (2,)) -> None:
    """Assert the CLI drew a picture with every name present, or said why not in one line."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if result.exit_code in refused:
        assert result.stderr.startswith("error: "), result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stdout == ""
        return
    assert result.exit_code in (0, 1, 4), result.output
    assert "pod//" not in result.stdout and "node/ " not in result.stdout, result.stdout


@functools.cache
def recorded_snapshot() -> dict[str, Any]:
    """Return the snapshot document of the recorded cluster (taken once)."""
    result = invoke("snapshot")
    assert result.exit_code == 0, result.output
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


@SETTINGS
@given(data=st.data())
def test_a_damaged_snapshot_is_read_or_refused_in_one_line(
    tmp_path: Path, data: st.DataObject
) -> None:
    paths = paths_of(recorded_snapshot())
    path = data.draw(st.sampled_from(paths))
    document = damaged(recorded_snapshot(), path, data.draw(VALUES), data.draw(st.booleans()))
    file = tmp_path / "damaged.json"
    file.write_text(json.dumps(document))
    for args in (["tree", "-o", "wide"], ["pods", "-o", "json"], ["check"]):
        # 3: a recorded error without a status (schema: null) is replayed as such
        assert_read_or_refused(invoke(*args, "--from", str(file)), refused=(2, 3))


@SETTINGS
@given(data=st.data())
def test_a_snapshot_cut_short_is_refused_in_one_line(tmp_path: Path, data: st.DataObject) -> None:
    body = json.dumps(recorded_snapshot()).encode()
    zipped = data.draw(st.booleans())
    if zipped:
        body = gzip.compress(body)
    cut = body[: data.draw(st.integers(0, len(body) - 1))]
    file = tmp_path / ("cut.json.gz" if zipped else "cut.json")
    file.write_bytes(cut)
    result = invoke("tree", "--from", str(file))
    assert result.exit_code == 2, result.output
    assert_read_or_refused(result)


LIST = {
    "apiVersion": "v1",
    "kind": "List",
    "items": [{"kind": "Node", **n} for n in load("nodes.json")["items"][:2]]
    + [{"kind": "Pod", **p} for p in load("pods.json")["items"][:4]],
}


@SETTINGS
@given(data=st.data())
def test_a_damaged_kubectl_list_is_read_or_refused_in_one_line(
    tmp_path: Path, data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(paths_of(LIST)))
    document = damaged(LIST, path, data.draw(VALUES), data.draw(st.booleans()))
    text = json.dumps(document)
    if data.draw(st.booleans()):
        text = text[: data.draw(st.integers(0, len(text)))]
    file = tmp_path / "list.json"
    file.write_text(text)
    for args in (["tree", "-o", "wide"], ["containers"], ["explain"]):
        assert_read_or_refused(invoke(*args, "--from", str(file)))


KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [
        {
            "name": "c",
            "cluster": {"server": "https://127.0.0.1:9", "insecure-skip-tls-verify": True},
        }
    ],
    "users": [{"name": "u", "user": {"token": "abc"}}],
    "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u", "namespace": "shop"}}],
    "current-context": "x",
}
# what a damaged kubeconfig holds instead: no exec plugin (it would run), no host to look up
KUBECONFIG_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-1, 70000)
    | st.sampled_from(
        ["", "x", "c", "u", "https://127.0.0.1:9", "127.0.0.1:9", "https://[::1", "not a url"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["name", "cluster", "user", "server"]), inner, max_size=3)
    ),
    max_leaves=5,
)


@SETTINGS
@given(data=st.data())
def test_a_damaged_kubeconfig_is_one_line(tmp_path: Path, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(paths_of(KUBECONFIG)))
    document = damaged(KUBECONFIG, path, data.draw(KUBECONFIG_VALUES), data.draw(st.booleans()))
    text = yaml.safe_dump(document)
    if data.draw(st.booleans()):
        text = text[: data.draw(st.integers(0, len(text)))]
    file = tmp_path / "config"
    file.write_text(text)
    result = CliRunner().invoke(cli, ["tree", "--kubeconfig", str(file)], env={"KUBECONFIG": None})
    # refused (2), or read and the server at 127.0.0.1:9 not reached (3): one line each
    assert_read_or_refused(result, refused=(2, 3))
    assert result.exit_code in (2, 3), result.output


EXPECT_KEYS = st.sampled_from(["kind", "namespace", "name", "pods", "ready", "replicas", "x"])
EXPECT_VALUES = st.recursive(
    SCALARS | st.sampled_from(["Deployment", "shop", "web", "StatefulSet"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(EXPECT_KEYS, inner, max_size=4),
    max_leaves=8,
)


@SETTINGS
@given(document=EXPECT_VALUES, cut=st.integers(0, 400))
def test_a_damaged_expect_file_is_one_line(tmp_path: Path, document: Any, cut: int) -> None:
    snapshot = tmp_path / "snapshot.json"
    if not snapshot.exists():
        snapshot.write_text(json.dumps(recorded_snapshot()))
    expect = tmp_path / "expect.yaml"
    expect.write_text(yaml.safe_dump(document)[:cut])
    result = invoke("check", "--expect", str(expect), "--from", str(snapshot))
    assert_read_or_refused(result)
