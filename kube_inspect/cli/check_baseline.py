"""``check --baseline FILE``: the failures a snapshot already had, not failures of this check.

The baseline is checked with the same plan, offline (played back from the snapshot); what
failed there is known, and the live check counts it as passed, saying why.
"""

from __future__ import annotations

from kube_inspect.check.run import CheckPlan, evaluate, known_failures
from kube_inspect.errors import UsageError
from kube_inspect.offline.document import FleetSnapshot, Snapshot, load_any
from kube_inspect.offline.playback import SnapshotClient

Known = frozenset[tuple[str, str]]


def baseline_of(path: str, plan: CheckPlan, context: str) -> Known:
    """Return the failures the baseline already had for ``context``'s cluster.

    A one-cluster baseline is that cluster's; from a fleet snapshot, the cluster of the
    same context is (a UsageError when it was not read there).
    """
    source = load_any(path)
    if isinstance(source, FleetSnapshot):
        found = fleet_baseline(source, plan).get(context)
        if found is None:
            raise UsageError(
                f"--baseline {path}: the fleet snapshot did not read context {context!r} "
                f"(it holds {', '.join(source.contexts)})"
            )
        return found
    return _known_in(source, plan)


def fleet_baseline_of(path: str, plan: CheckPlan) -> dict[str, Known]:
    """Return, by context, the failures of each cluster the fleet snapshot ``path`` read.

    Several contexts are checked against a fleet snapshot only: a one-cluster snapshot
    is a UsageError.
    """
    source = load_any(path)
    if not isinstance(source, FleetSnapshot):
        raise UsageError(
            f"--baseline {path} is one cluster's snapshot: several contexts are "
            "checked against a fleet snapshot (kube-inspect snapshot --context a,b)"
        )
    return fleet_baseline(source, plan)


def fleet_baseline(source: FleetSnapshot, plan: CheckPlan) -> dict[str, Known]:
    """Return, by context, the failures each cluster the fleet snapshot read already had."""
    return {m.context: _known_in(m, plan) for m in source.clusters if isinstance(m, Snapshot)}


def _known_in(snapshot: Snapshot, plan: CheckPlan) -> Known:
    client = SnapshotClient(snapshot)
    try:
        return known_failures(evaluate(client, plan)[0])
    finally:
        client.close()
