"""The diff of two models: nothing between a cluster and itself; the changes made are found."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from kube_inspect.interpret.diff import diff_clusters
from kube_inspect.model.cluster import Cluster, Pod, Resources
from kube_inspect.model.diff import ClusterDiff
from kube_inspect.render.diff import diff_document, render_diff_text
from kube_inspect.schema import load_diff_schema

Found = set[tuple[str, ...]]

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["remove", "add", "restart", "phase", "image", "requests", "move", "cordon", "down"]
        ),
        st.integers(min_value=0, max_value=1000),
        st.integers(min_value=0, max_value=1000),
    ),
    max_size=12,
)


def found_changes(diff: ClusterDiff) -> Found:
    """Return every change the diff names, as (level, key..., field) tuples."""
    found: Found = set()
    for node in diff.nodes:
        if node.name is not None:
            if node.presence != "changed":
                found.add(("node", node.name, node.presence))
            found |= {("node", node.name, c.field) for c in node.changes}
        for pod in node.pods:
            key = (pod.namespace, pod.name)
            if pod.presence != "changed":
                found.add(("pod", *key, pod.presence))
            found |= {("pod", *key, c.field) for c in pod.changes}
            for container in pod.containers:
                found |= {("container", *key, container.name, c.field) for c in container.changes}
    return found


def mutated(sample: Cluster, operations: list[tuple[str, int, int]]) -> tuple[Cluster, Found]:
    """Return the sample with the operations applied, and the changes they made."""
    pods = {(p.namespace, p.name): p for p in sample.pods}
    nodes = {n.name: n for n in sample.nodes}
    names = sorted(nodes)
    made: Found = set()
    for step, (operation, i, j) in enumerate(operations):
        keys = sorted(pods)
        if operation in ("cordon", "down"):
            name = names[i % len(names)]
            node = nodes[name]
            if operation == "cordon" and not node.unschedulable:
                nodes[name] = replace(node, unschedulable=True)
                made.add(("node", name, "schedulable"))
            elif operation == "down" and node.ready is not False:
                nodes[name] = replace(node, ready=False)
                made.add(("node", name, "ready"))
            continue
        if not keys:
            continue
        key = keys[i % len(keys)]
        pod = pods[key]
        if operation == "remove":
            del pods[key]
            made.add(("pod", *key, "removed"))
        elif operation == "add":
            copy = replace(pod, name=f"{pod.name}-copy-{step}")
            pods[(copy.namespace, copy.name)] = copy
            made.add(("pod", copy.namespace, copy.name, "added"))
        elif operation == "phase":
            pods[key] = replace(pod, phase=f"Phase{step}")
            made.add(("pod", *key, "phase"))
        elif operation == "move":
            pods[key] = replace(pod, node_name=names[j % len(names)])
            made.add(("pod", *key, "node"))
        elif pod.containers:
            at = j % len(pod.containers)
            container = pod.containers[at]
            if operation == "restart":
                container = replace(container, restarts=container.restarts + 1 + j % 5)
            elif operation == "image":
                container = replace(container, image=f"registry.example/new:{step}")
            else:
                container = replace(container, requests=Resources(step + 1, None))
            field = {"restart": "restarts"}.get(operation, operation)
            made.add(("container", *key, container.name, field))
            containers = (*pod.containers[:at], container, *pod.containers[at + 1 :])
            pods[key] = replace(pod, containers=containers)
    after = replace(
        sample,
        nodes=tuple(replace(n, pods=()) for n in nodes.values()),
        unscheduled=tuple(pods.values()),  # where a pod is listed is not what the diff reads
    )
    return after, {change for change in made if still_made(change, sample, after)}


def still_made(change: tuple[str, ...], before: Cluster, after: Cluster) -> bool:
    """Return False for a change a later one undid (a pod moved back, removed after)."""
    if change[0] != "pod" and change[0] != "container":
        return True
    old = {(p.namespace, p.name): p for p in before.pods}
    new = {(p.namespace, p.name): p for p in after.pods}
    key = (change[1], change[2])
    if change[-1] in ("added", "removed"):
        return (key in old) != (key in new)
    if key not in new or key not in old:
        return False  # removed after the change (or added, then changed: it is added)
    if change[-1] == "node":
        return new[key].node_name != old[key].node_name
    return True


def _pod(cluster: Cluster, namespace: str, name: str) -> Pod:
    return next(p for p in cluster.pods if (p.namespace, p.name) == (namespace, name))


def test_a_cluster_has_no_changes_from_itself(sample: Cluster) -> None:
    diff = diff_clusters(sample, sample)
    assert not diff.changed
    out = io.StringIO()
    render_diff_text(diff, out)
    assert out.getvalue().endswith(": no changes\n")


@settings(max_examples=200, deadline=None)
@given(operations=OPERATIONS)
def test_the_changes_found_are_the_changes_made(
    sample: Cluster, operations: list[tuple[str, int, int]]
) -> None:
    after, made = mutated(sample, operations)
    diff = diff_clusters(sample, after)
    assert found_changes(diff) == made
    assert diff.changed == bool(made)
    assert found_changes(diff_clusters(after, after)) == set()
    jsonschema.validate(json.loads(json.dumps(diff_document(diff))), load_diff_schema())


def test_restarts_say_by_how_much(sample: Cluster) -> None:
    crasher = _pod(sample, "batch", "crasher")
    more = replace(crasher.containers[0], restarts=crasher.containers[0].restarts + 3)
    after = replace(
        sample,
        nodes=tuple(
            replace(
                n, pods=tuple(replace(p, containers=(more,)) if p is crasher else p for p in n.pods)
            )
            for n in sample.nodes
        ),
    )
    out = io.StringIO()
    render_diff_text(diff_clusters(sample, after), out, ascii_only=True)
    lines = out.getvalue().splitlines()
    assert lines[1:] == [
        "`-- node/kwok-worker-2",
        "    `-- pod/batch/crasher",
        f"        `-- container/worker  restarts {crasher.restarts} -> {crasher.restarts + 3} (+3)",
    ]
    document = diff_document(diff_clusters(sample, after))
    change = document["nodes"][0]["pods"][0]["containers"][0]["changes"][0]
    assert change == {
        "field": "restarts",
        "before": crasher.restarts,
        "after": crasher.restarts + 3,
        "by": 3,
    }
