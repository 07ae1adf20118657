from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
import yaml

from kube_inspect.model.cluster import Cluster
from kube_inspect.render.csv import write_csv
from kube_inspect.render.json import (
    cluster_dict,
    containers_document,
    nodes_document,
    pods_document,
    write_json,
)
from kube_inspect.render.rows import flat_rows
from kube_inspect.render.table import write_table
from kube_inspect.render.tree import TreeOptions, render_tree
from kube_inspect.render.yaml import write_yaml
from kube_inspect.schema import load_schema

DOCUMENTS = [cluster_dict, nodes_document, pods_document, containers_document]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_json_document_validates_against_the_schema(sample: Cluster, document: Any) -> None:
    out = io.StringIO()
    write_json(document(sample), out)
    jsonschema.validate(json.loads(out.getvalue()), load_schema())


def test_schema_rejects_a_changed_shape(sample: Cluster) -> None:
    doc = cluster_dict(sample)
    del doc["cluster"]["nodes"][0]["pods"][0]["containers"][0]["state"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, load_schema())


@pytest.mark.parametrize("document", DOCUMENTS)
def test_yaml_holds_the_same_document_as_json(sample: Cluster, document: Any) -> None:
    out = io.StringIO()
    write_yaml(document(sample), out)
    assert yaml.safe_load(out.getvalue()) == document(sample)


@pytest.mark.parametrize("level", ["node", "pod", "container"])
def test_csv_parses_back_row_for_row(sample: Cluster, level: str) -> None:
    rows = flat_rows(sample, level, wide=True)
    out = io.StringIO()
    write_csv(rows, out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert parsed == rows
    expected = {
        "node": len(sample.nodes),
        "pod": len(sample.pods),
        "container": sample.container_count,
    }
    assert len(parsed) == expected[level]


def test_table_formats_come_from_tabulate(sample: Cluster) -> None:
    out = io.StringIO()
    write_table(flat_rows(sample, "node", wide=False), out, "github")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("| NAME") and set(lines[1]) <= {"|", "-", ":", " "}
    assert len(lines) == 2 + len(sample.nodes)


def test_wide_tree_shows_resources_against_allocatable(sample: Cluster) -> None:
    out = io.StringIO()
    render_tree(sample, out, options=TreeOptions(now=datetime.now(UTC), wide=True))
    text = out.getvalue()
    assert "CPU-REQ" in text.splitlines()[1]
    worker = next(n for n in sample.nodes if n.name == "kwok-worker-1")
    line = next(line for line in text.splitlines() if "node/kwok-worker-1" in line)
    assert f"{worker.requested.cpu_m}m (" in line
    assert "owner=Deployment/web" in text and "owner=StatefulSet/db" in text
    assert "(sidecar)" in text and "ports=http:80/TCP" in text


def test_depth_node_draws_nodes_only(sample: Cluster) -> None:
    out = io.StringIO()
    render_tree(sample, out, options=TreeOptions(now=datetime.now(UTC), depth="node"))
    assert "pod/" not in out.getvalue() and "node/kwok-worker-1" in out.getvalue()


def test_colour_only_when_asked(sample: Cluster) -> None:
    plain, coloured = io.StringIO(), io.StringIO()
    now = datetime.now(UTC)
    render_tree(sample, plain, options=TreeOptions(now=now))
    render_tree(sample, coloured, options=TreeOptions(now=now, color=True))
    assert "\x1b[" not in plain.getvalue()
    assert "\x1b[31mwaiting: CrashLoopBackOff" in coloured.getvalue()
