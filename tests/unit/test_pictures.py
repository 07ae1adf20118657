"""The pictures (`-o html`, `-o dot`, `-o mermaid`) on the recorded sample cluster."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from typing import Any

from kube_inspect.model.cluster import Cluster, Container, ContainerState, Pod
from kube_inspect.render.colours import container_health, node_health, pod_health
from kube_inspect.render.dot import render_dot
from kube_inspect.render.html import render_html
from kube_inspect.render.mermaid import render_mermaid
from kube_inspect.render.tree import cluster_line


def html_of(cluster: Cluster) -> str:
    out = io.StringIO()
    render_html(cluster, out)
    return out.getvalue()


def embedded_data(page: str) -> Any:
    found = re.search(r'<script id="data" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def with_odd_pod(cluster: Cluster) -> Cluster:
    """The sample plus a pod whose names try to break out of HTML, DOT and Mermaid."""
    odd = Pod(
        'x"y',
        "</script><b>#1",
        None,
        "Pending",
        None,
        (Container('c"}', "app", "<img>", ContainerState("unknown"), False, 0),),
    )
    return replace(cluster, unscheduled=(*cluster.unscheduled, odd))


def test_html_is_one_file_that_needs_no_network(sample: Cluster) -> None:
    page = html_of(sample)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=|@import|url\(|https?://(?!127\.0\.0\.1)""", page)
    assert page.count("<script") == 2 and page.count("<style>") == 1


def test_html_data_holds_every_node_pod_and_container(sample: Cluster) -> None:
    data = embedded_data(html_of(sample))
    assert [n["name"] for n in data["nodes"]] == [n.name for n in sample.nodes]
    pods = [p for n in data["nodes"] for p in n["pods"]] + data["unscheduled"]
    assert [(p["namespace"], p["name"]) for p in pods] == [
        (p.namespace, p.name) for p in sample.pods
    ]
    assert sum(len(p["containers"]) for p in pods) == sample.container_count
    crasher = next(p for p in pods if p["name"] == "crasher")
    assert crasher["health"] == "bad"
    assert crasher["containers"][0]["meaning"].startswith("CrashLoopBackOff: it keeps crashing")
    stuck = next(p for p in pods if p["name"] == "stuck")
    assert any("taint" in reason for reason in stuck["reasons"])


def test_html_cannot_be_broken_by_object_names(sample: Cluster) -> None:
    page = html_of(with_odd_pod(sample))
    assert "</script><b>" not in page
    data = embedded_data(page)
    assert data["unscheduled"][-1]["name"] == "</script><b>#1"


def test_html_is_deterministic(sample: Cluster) -> None:
    assert html_of(sample) == html_of(sample)


def test_dot_nests_containers_in_pods_in_nodes(sample: Cluster) -> None:
    out = io.StringIO()
    render_dot(sample, out)
    text = out.getvalue()
    assert text.startswith("digraph kube_inspect {") and text.endswith("}\n")
    assert text.count("{") == text.count("}")
    assert text.count("subgraph cluster_n") == len(sample.nodes) + 1  # + (unscheduled)
    assert text.count("subgraph cluster_p") == len(sample.pods)
    assert len(re.findall(r"^\s+p\d+_c\d+ \[", text, re.M)) == sample.container_count
    assert '"pod batch/crasher  Running 0/1"' in text


def test_dot_quotes_odd_names(sample: Cluster) -> None:
    out = io.StringIO()
    render_dot(with_odd_pod(sample), out)
    assert 'label="pod x\\"y/</script><b>#1  Pending 0/1"' in out.getvalue()


def test_mermaid_has_a_subgraph_per_node_and_pod(sample: Cluster) -> None:
    out = io.StringIO()
    render_mermaid(sample, out)
    lines = out.getvalue().splitlines()
    assert lines[3] == "flowchart LR"
    assert lines[1] == f"title: {json.dumps(cluster_line(sample))}"  # YAML would choke on ": "
    subgraphs = [line for line in lines if line.strip().startswith("subgraph ")]
    assert len(subgraphs) == len(sample.nodes) + 1 + len(sample.pods)
    assert sum(line.strip() == "end" for line in lines) == len(subgraphs)
    assert any(
        line.strip().endswith('["worker: waiting: CrashLoopBackOff"]:::bad') for line in lines
    )


def test_mermaid_escapes_quotes_and_markup(sample: Cluster) -> None:
    out = io.StringIO()
    render_mermaid(with_odd_pod(sample), out)
    assert '"pod x#quot;y/#lt;/script#gt;#lt;b#gt;#35;1 Pending 0/1"' in out.getvalue()


def test_health_words_follow_the_states(sample: Cluster) -> None:
    by_name = {p.name: p for p in sample.pods}
    assert pod_health(by_name["crasher"]) == "bad"
    assert pod_health(by_name["stuck"]) == "warn"
    assert pod_health(by_name["multi"]) == "ok"  # its init container finished: fine
    assert pod_health(next(p for p in sample.pods if p.name.startswith("migrate"))) == "done"
    assert {n.name: node_health(n) for n in sample.nodes}["kwok-cordoned-1"] == "warn"
    oom = Container("c", "app", "i", ContainerState("terminated", "OOMKilled", 137), False, 3)
    assert container_health(oom) == "bad"
