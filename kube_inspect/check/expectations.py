"""Expectations from a YAML file (``check --expect FILE``), read with line numbers, checked purely.

The file holds a list (or a mapping with ``expectations:``) of entries such as::

    - kind: Deployment          # or StatefulSet, DaemonSet
      namespace: shop
      name: web
      minReady: 3               # at least 3 ready replicas
    - kind: Pod
      namespace: kube-system
      selector: k8s-app=kube-dns  # optional label selector
      maxRestarts: 2            # no container of these pods restarted more than twice
      minCount: 1               # optional: at least one such pod exists
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import yaml

from kube_inspect.errors import ExpectationError, UsageError
from kube_inspect.interpret.label_selector import parse_selector
from kube_inspect.interpret.names import check_name
from kube_inspect.model.checks import Finding
from kube_inspect.model.cluster import Cluster, Pod, Workload

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
KEYS = {
    **{k: {"kind", "namespace", "name", "minReady"} for k in WORKLOAD_KINDS},
    "Pod": {"kind", "namespace", "selector", "maxRestarts", "minCount"},
}
INT_KEYS = ("minReady", "maxRestarts", "minCount")


@dataclass(frozen=True, slots=True)
class Expectation:
    """One entry of the file, with where it was written (``FILE:LINE``)."""

    where: str
    kind: str
    namespace: str | None
    name: str | None
    selector: str | None
    min_ready: int | None
    max_restarts: int | None
    min_count: int | None


def _fail(path: str, node: yaml.Node, message: str) -> ExpectationError:
    return ExpectationError(f"{path}:{node.start_mark.line + 1}: {message}")


def _scalars(path: str, node: yaml.Node) -> dict[str, tuple[str, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, "each expectation must be a mapping, e.g. kind: Deployment")
    found: dict[str, tuple[str, yaml.Node]] = {}
    for key, value in node.value:
        if not isinstance(value, yaml.ScalarNode):
            raise _fail(path, value, f"{key.value}: expected a single value")
        found[str(key.value)] = (str(value.value), value)
    return found


def _expectation(path: str, node: yaml.Node) -> Expectation:
    fields = _scalars(path, node)
    kind = fields.get("kind", ("", node))[0]
    if kind not in KEYS:
        raise _fail(path, node, f"kind must be one of {', '.join(KEYS)}, not {kind!r}")
    unknown = sorted(set(fields) - KEYS[kind])
    if unknown:
        where = fields[unknown[0]][1]
        raise _fail(path, where, f"unknown key {unknown[0]!r} for {kind}: use {sorted(KEYS[kind])}")
    numbers: dict[str, int | None] = {}
    for key in INT_KEYS:
        text, where = fields.get(key, ("", node))
        if key in fields and not (text.isascii() and text.isdigit()):
            raise _fail(path, where, f"{key} must be a whole number, not {text!r}")
        numbers[key] = int(text) if key in fields else None
    if kind in WORKLOAD_KINDS and not ("name" in fields and "namespace" in fields):
        raise _fail(path, node, f"a {kind} expectation needs namespace and name")
    if kind in WORKLOAD_KINDS and numbers["minReady"] is None:
        raise _fail(path, node, f"a {kind} expectation needs minReady")
    if kind == "Pod" and numbers["maxRestarts"] is None and numbers["minCount"] is None:
        raise _fail(path, node, "a Pod expectation needs maxRestarts or minCount")
    selector = fields.get("selector", (None, node))[0]
    try:
        parse_selector(selector)
    except UsageError as e:
        raise _fail(path, fields["selector"][1], str(e)) from e
    for key, label in (("namespace", True), ("name", False)):
        if key in fields:  # they reach request paths: checked as the API server would
            try:
                check_name(fields[key][0], key, label=label)
            except UsageError as e:
                raise _fail(path, fields[key][1], str(e)) from e
    return Expectation(
        where=f"{path}:{node.start_mark.line + 1}",
        kind=kind,
        namespace=fields.get("namespace", (None, node))[0],
        name=fields.get("name", (None, node))[0],
        selector=selector,
        min_ready=numbers["minReady"],
        max_restarts=numbers["maxRestarts"],
        min_count=numbers["minCount"],
    )


def parse_expectations(text: str, path: str) -> tuple[Expectation, ...]:
    """Return the expectations of a file's text; raise ExpectationError naming the line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else 0
        context = ""
        if e.context and e.context_mark and e.context_mark.line + 1 != line:
            context = f" ({e.context} on line {e.context_mark.line + 1})"
        raise ExpectationError(f"{path}:{line}: not valid YAML: {e.problem}{context}") from e
    except yaml.YAMLError as e:  # e.g. a control character, refused before parsing
        position = getattr(e, "position", 0)
        line = text[:position].count("\n") + 1
        raise ExpectationError(f"{path}:{line}: not valid YAML: {e}".splitlines()[0]) from e
    if root is None:
        return ()
    if isinstance(root, yaml.MappingNode):
        entries = {k.value: v for k, v in root.value}
        if set(entries) != {"expectations"}:
            raise _fail(path, root, "expected a list, or a mapping with only 'expectations:'")
        root = entries["expectations"]
    if not isinstance(root, yaml.SequenceNode):
        raise _fail(path, root, "expected a list of expectations")
    return tuple(_expectation(path, item) for item in root.value)


def read_expectations(path: str) -> tuple[Expectation, ...]:
    """Return the expectations in the file at ``path``."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ExpectationError(f"cannot read --expect file {path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise ExpectationError(
            f"cannot read --expect file {path}: not UTF-8 text (byte {e.start})"
        ) from e
    except ValueError as e:  # a path no file can have, e.g. with a NUL byte
        raise ExpectationError(f"cannot read --expect file {path!r}: {e}") from e
    return parse_expectations(text, path)


def _check_workload(e: Expectation, workloads: Iterable[Workload]) -> Finding:
    target = f"{e.kind.lower()}/{e.namespace}/{e.name}"
    for w in workloads:
        if w.kind == e.kind and e.namespace in (None, w.namespace) and w.name == e.name:
            ok = w.ready >= (e.min_ready or 0)
            return Finding("expect", target, ok, f"{w.ready} ready, expected >= {e.min_ready}")
    return Finding("expect", target, False, f"not found (expected by {e.where})")


def _check_pods(e: Expectation, pods: Iterable[Pod]) -> Iterator[Finding]:
    matches = parse_selector(e.selector)
    chosen = [p for p in pods if e.namespace in (None, p.namespace) and matches(dict(p.labels))]
    scope = f"pods/{e.namespace or '*'}" + (f"/{e.selector}" if e.selector else "")
    if e.min_count is not None:
        ok = len(chosen) >= e.min_count
        yield Finding("expect", scope, ok, f"{len(chosen)} pods, expected >= {e.min_count}")
    if e.max_restarts is not None and e.min_count is None and not chosen:
        yield Finding("expect", scope, True, f"no pods match, none restarted ({e.where})")
    if e.max_restarts is not None:
        for pod in chosen:
            ok = pod.restarts <= e.max_restarts
            message = f"{pod.restarts} restarts, expected <= {e.max_restarts} ({e.where})"
            yield Finding("expect", f"pod/{pod.namespace}/{pod.name}", ok, message)


def _target(e: Expectation) -> str:
    if e.kind == "Pod":
        return f"pods/{e.namespace or '*'}" + (f"/{e.selector}" if e.selector else "")
    return f"{e.kind.lower()}/{e.namespace}/{e.name}"


def check_expectations(
    expectations: Iterable[Expectation],
    data: Cluster,
    scope: tuple[str, ...] = (),
    absent: frozenset[str] = frozenset(),
) -> tuple[Finding, ...]:
    """Return one finding per expectation (per pod, for a pod restart limit).

    ``scope`` is the namespaces the read was limited to (-n a,b; empty: all), ``absent``
    the namespaces the API server says do not exist: an entry naming either fails, saying
    which.
    """
    findings: list[Finding] = []
    for e in expectations:
        if scope and e.namespace and e.namespace not in scope:
            message = (
                f"namespace {e.namespace} is outside -n {','.join(scope)}: not read ({e.where})"
            )
            findings.append(Finding("expect", _target(e), False, message))
        elif e.namespace in absent:
            message = f"namespace {e.namespace} does not exist ({e.where})"
            findings.append(Finding("expect", _target(e), False, message))
        elif e.kind == "Pod":
            findings.extend(_check_pods(e, data.pods))
        else:
            findings.append(_check_workload(e, data.workloads or ()))
    return tuple(findings)
