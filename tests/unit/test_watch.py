"""`tree --watch` pieces that need no server: applying events, finding and drawing changes."""

from __future__ import annotations

import copy
import io
import json
import queue
from collections.abc import Generator, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner

from kube_inspect.cli import cli
from kube_inspect.cli.tree import CLEAR_SCREEN, _draw
from kube_inspect.errors import ApiError
from kube_inspect.interpret.objects import build_cluster
from kube_inspect.kube.decode import json_lines as _json_lines
from kube_inspect.model.cluster import Cluster
from kube_inspect.read.watch import Follower, Message, apply_event, object_key
from kube_inspect.render.watching import Changes, compare, line_keys, render_frame, signatures

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def cluster_of(nodes: list[dict[str, Any]], pods: list[dict[str, Any]]) -> Cluster:
    return build_cluster(context="c", server="s", version="v", nodes=nodes, pods=pods)


def frame(cluster: Cluster, changes: Changes) -> list[str]:
    out = io.StringIO()
    render_frame(cluster, changes, out, now=NOW)
    return out.getvalue().splitlines()


def test_events_add_modify_and_delete_objects(pods: list[dict[str, Any]]) -> None:
    objects: dict[str, Mapping[str, Any]] = {object_key(p): p for p in pods[:2]}
    changed = copy.deepcopy(pods[0])
    changed["status"]["phase"] = "Failed"
    apply_event(objects, Message("pods", "MODIFIED", changed))
    apply_event(objects, Message("pods", "DELETED", pods[1]))
    apply_event(objects, Message("pods", "ADDED", pods[2]))
    assert objects == {object_key(changed): changed, object_key(pods[2]): pods[2]}
    apply_event(objects, Message("pods", "RELISTED", pods[3:5]))
    assert list(objects) == [object_key(p) for p in pods[3:5]]


def test_compare_finds_new_changed_and_deleted_rows(
    nodes: list[dict[str, Any]], pods: list[dict[str, Any]]
) -> None:
    crasher = next(p for p in pods if p["metadata"]["name"] == "crasher")
    before = cluster_of(nodes, [p for p in pods if p is not crasher])
    after_pods = copy.deepcopy(pods)
    db0 = next(p for p in after_pods if p["metadata"]["name"] == "db-0")
    db0["status"]["containerStatuses"][0]["restartCount"] = 7
    after_pods = [p for p in after_pods if p["metadata"]["name"] != "multi"]
    changes = compare(signatures(before), signatures(cluster_of(nodes, after_pods)))
    assert changes.added == {"pod/batch/crasher", "container/batch/crasher/worker"}
    assert changes.changed == {"pod/shop/db-0", "container/shop/db-0/redis"}
    assert changes.deleted == ("pod/shop/multi",)  # its containers go with it
    assert changes.summary() == "+2 new ~2 changed -1 deleted"


def test_a_node_that_only_left_a_namespace_view_is_not_deleted(
    nodes: list[dict[str, Any]], pods: list[dict[str, Any]]
) -> None:
    before = signatures(cluster_of(nodes, pods))
    after = dict(before)
    del after["node/kwok-gpu-1"], after["node/kwok-worker-1"], after["container/shop/db-0/redis"]
    changes = compare(before, after, nodes_present={"kwok-gpu-1"})
    assert changes.deleted == ("node/kwok-worker-1", "container/shop/db-0/redis")
    assert changes.left_view == ("node/kwok-gpu-1",)
    assert changes.summary() == "-2 deleted -1 out of view"


def test_ages_ticking_by_change_nothing(sample: Cluster) -> None:
    assert compare(signatures(sample), signatures(sample)) == Changes()
    assert Changes().summary() == "no change"


def test_every_tree_row_has_the_key_its_changes_are_found_by(sample: Cluster) -> None:
    lines = frame(sample, Changes())[1:]
    keys = [k for k in line_keys([line[2:] for line in lines]) if k]
    assert sorted(keys) == sorted(signatures(sample))


def test_frame_marks_changed_rows_and_lists_deleted_ones(sample: Cluster) -> None:
    changes = Changes(
        added=frozenset({"pod/batch/crasher"}),
        changed=frozenset({"container/shop/multi/app"}),
        deleted=("pod/shop/gone",),
        left_view=("node/elsewhere",),
    )
    lines = frame(sample, changes)
    assert lines[0] == (
        "watching, Ctrl-C to stop; 12:00:00: +1 new ~1 changed -1 deleted -1 out of view"
    )
    marked = {line[:2]: line for line in lines[1:] if line[:2] in ("+ ", "~ ")}
    assert "pod/batch/crasher" in marked["+ "]
    assert "container/app" in marked["~ "]
    assert sum(line.startswith(("+ ", "~ ")) for line in lines) == 2
    assert lines[-2:] == [
        "- pod/shop/gone (deleted)",
        "- node/elsewhere (runs none of these pods now)",
    ]


class ChunkedStream:
    """A response body as urllib3 hands it over: arbitrary chunks, then closed."""

    def __init__(self, body: bytes, size: int) -> None:
        self.chunks = [body[i : i + size] for i in range(0, len(body), size)]
        self.closed = self.released = False

    def stream(self, amt: int, decode_content: bool) -> Iterator[bytes]:
        yield from self.chunks

    def release_conn(self) -> None:
        self.released = True

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_watch_stream_yields_each_event_whatever_the_chunks(size: int) -> None:
    events = [{"type": "ADDED", "object": {"n": i}} for i in range(5)]
    body = b"".join(json.dumps(e).encode() + b"\n" for e in events)
    stream = ChunkedStream(body, size)
    assert list(_json_lines(stream)) == events
    assert stream.released and not stream.closed


def test_watch_stream_left_early_is_closed_not_reused() -> None:
    stream = ChunkedStream(b'{"a": 1}\n{"a": 2}\n', 3)
    lines = _json_lines(stream)
    assert isinstance(lines, Generator)
    assert next(lines) == {"a": 1}
    lines.close()
    assert stream.closed and not stream.released


@pytest.mark.parametrize("flags", [["-o", "json"], ["--explain"], ["-o", "html"]])
def test_watch_draws_only_the_plain_tree(flags: list[str]) -> None:
    result = CliRunner().invoke(cli, ["tree", "--watch", *flags])
    assert result.exit_code == 2
    assert result.stderr == "error: --watch draws the plain tree: drop -o and --explain\n"


class ScriptedClient:
    """Stands in for KubeClient in a Follower: watch streams and lists given in advance."""

    def __init__(self, streams: list[list[dict[str, Any]]], listed: dict[str, Any]) -> None:
        self.streams, self.listed = streams, listed
        self.watched_from: list[str] = []

    def watch(
        self, path: str, resource_version: str, selectors: Any = None
    ) -> Iterator[dict[str, Any]]:
        self.watched_from.append(resource_version)
        if not self.streams:
            raise ApiError("no more streams")  # ends the follower's loop
        yield from self.streams.pop(0)

    def pages(self, path: str, query: Any = None, decode: Any = None) -> Iterator[dict[str, Any]]:
        yield self.listed


def pod_event(kind: str, name: str, version: str) -> dict[str, Any]:
    return {
        "type": kind,
        "object": {"metadata": {"namespace": "ns", "name": name, "resourceVersion": version}},
    }


def follow(client: ScriptedClient) -> list[Message]:
    inbox: queue.Queue[Message] = queue.Queue()
    # run() in this thread; the stand-in has the two methods a Follower calls
    Follower(client, "pods", "/api/v1/pods", "1", inbox).run()  # type: ignore[arg-type]
    return [inbox.get_nowait() for _ in range(inbox.qsize())]


def test_follower_rewatches_from_the_last_version_bookmarks_included() -> None:
    client = ScriptedClient(
        [
            [pod_event("ADDED", "a", "5"), pod_event("BOOKMARK", "", "9")],
            [pod_event("DELETED", "a", "12")],
        ],
        {},
    )
    messages = follow(client)
    assert [(m.kind, m.obj["metadata"]["name"]) for m in messages[:2]] == [
        ("ADDED", "a"),
        ("DELETED", "a"),
    ]
    assert client.watched_from == ["1", "9", "12"]
    assert messages[-1].kind == "FAILED"


def test_follower_relists_when_the_version_is_gone() -> None:
    gone = {"type": "ERROR", "object": {"kind": "Status", "code": 410, "message": "too old"}}
    listed = {"items": [{"metadata": {"name": "b"}}], "metadata": {"resourceVersion": "40"}}
    client = ScriptedClient([[gone], []], listed)
    messages = follow(client)
    assert messages[0] == Message("pods", "RELISTED", listed["items"])
    assert client.watched_from == ["1", "40", "40"]


def test_follower_reports_other_watch_errors() -> None:
    denied = {"type": "ERROR", "object": {"code": 500, "message": "etcd is sad"}}
    messages = follow(ScriptedClient([[denied]], {}))
    assert [m.kind for m in messages] == ["FAILED"]
    assert str(messages[0].obj) == "watching pods failed: etcd is sad"


def test_in_a_terminal_each_frame_replaces_the_last(sample: Cluster) -> None:
    out = io.StringIO()
    _draw(sample, Changes(), out, True, False, "container")
    _draw(sample, Changes(), out, True, False, "container")
    assert out.getvalue().count(CLEAR_SCREEN) == 2
    assert out.getvalue().startswith(CLEAR_SCREEN + "watching, Ctrl-C to stop")


def test_a_node_coming_under_pressure_is_marked_changed(sample: Cluster) -> None:
    node = sample.nodes[0]
    pressed = replace(sample, nodes=(replace(node, pressures=("DiskPressure",)), *sample.nodes[1:]))
    assert compare(signatures(sample), signatures(pressed)).changed == {f"node/{node.name}"}
