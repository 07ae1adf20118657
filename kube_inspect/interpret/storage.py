"""Pure: a pod's volumes, and the PersistentVolumeClaims they name, into the model.

ConfigMap, Secret and projected volumes are shown by the names the pod spec gives:
kube-inspect never reads a Secret, nor a ConfigMap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from kube_inspect.interpret import fields
from kube_inspect.interpret.fields import ApiObject
from kube_inspect.interpret.health import judge_claim
from kube_inspect.model.cluster import Claim, Pod, Volume
from kube_inspect.model.quantity import format_bytes, whole

Claims = Mapping[tuple[str, str], Claim]  # (namespace, name) -> the claim as read


def build_claim(claim: ApiObject) -> Claim:
    """Return the model of one PersistentVolumeClaim object."""
    meta, spec, status = (fields.mapping(claim.get(k)) for k in ("metadata", "spec", "status"))
    capacity = fields.mapping(status.get("capacity")).get("storage")
    if capacity is None:  # not bound yet: what it asks for
        capacity = fields.mapping(fields.mapping(spec.get("resources")).get("requests")).get(
            "storage"
        )
    modes = fields.items(status.get("accessModes")) or fields.items(spec.get("accessModes"))
    return Claim(
        name=str(meta.get("name", "")),
        phase=fields.text(status.get("phase")) or "Pending",
        volume=fields.text(spec.get("volumeName")),
        storage_class=fields.text(spec.get("storageClassName")),
        capacity_bytes=whole(capacity),
        access_modes=tuple(str(m) for m in modes),
    )


def claims_by_name(claims: Iterable[ApiObject]) -> dict[tuple[str, str], Claim]:
    """Return the claims by (namespace, name), for the pods' volumes to find."""
    found = {}
    for obj in claims:
        namespace = str(fields.mapping(obj.get("metadata")).get("namespace", ""))
        claim = build_claim(obj)
        found[(namespace, claim.name)] = claim
    return found


def _volume_source(volume: Mapping[str, Any]) -> str:
    kinds = [k for k in volume if k != "name"]
    return kinds[0] if kinds else "unknown"


def _projected_names(projected: Mapping[str, Any]) -> str | None:
    names = []
    for source in fields.items(projected.get("sources")):
        for kind in ("configMap", "secret"):
            name = fields.text(fields.mapping(fields.mapping(source).get(kind)).get("name"))
            if name:
                names.append(f"{kind}/{name}")
    return ",".join(names) or None


def _target(volume: Mapping[str, Any], source: str) -> str | None:
    content = fields.mapping(volume.get(source))
    if source == "persistentVolumeClaim":
        return fields.text(content.get("claimName"))
    if source == "configMap":
        return fields.text(content.get("name"))
    if source == "secret":
        return fields.text(content.get("secretName"))
    if source == "projected":
        return _projected_names(content)
    return None


def _volume(
    volume: Mapping[str, Any],
    mounts: tuple[tuple[str, str], ...],
    namespace: str,
    claims: Claims | None,
) -> Volume:
    source = _volume_source(volume)
    target = _target(volume, source)
    empty_dir = fields.mapping(volume.get("emptyDir")) if source == "emptyDir" else {}
    claim = None
    if source == "persistentVolumeClaim" and claims is not None and target:
        claim = claims.get((namespace, target)) or Claim(target)
    return Volume(
        name=str(volume.get("name", "")),
        source=source,
        mounts=mounts,
        target=target,
        size_limit_bytes=whole(empty_dir["sizeLimit"]) if "sizeLimit" in empty_dir else None,
        medium=fields.text(empty_dir.get("medium")) or None,
        claim=claim,
    )


def pod_volumes(
    spec: Mapping[str, Any], namespace: str = "", claims: Claims | None = None
) -> tuple[Volume, ...]:
    """Return the pod's volumes with their mounts, leaving out the service account token.

    With ``claims`` (those read), each claim volume carries its claim; one the API server
    does not have is a claim of no phase.
    """
    wanted = [
        v
        for v in fields.items(spec.get("volumes"))
        # every pod has one: the API token, not something the user shares
        if isinstance(v, dict) and not str(v.get("name", "")).startswith("kube-api-access-")
    ]
    if not wanted:
        return ()
    mounts: defaultdict[Any, list[tuple[str, str]]] = defaultdict(list)
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in fields.items(spec.get(key)):
            if isinstance(container, dict):
                name = str(container.get("name", ""))
                for m in fields.items(container.get("volumeMounts")):
                    if isinstance(m, dict):
                        mounts[fields.text(m.get("name"))].append(
                            (name, str(m.get("mountPath", "")))
                        )
    return tuple(
        _volume(v, tuple(mounts.get(fields.text(v.get("name")), ())), namespace, claims)
        for v in wanted
    )


_SOURCE_WORDS = {"configMap": "ConfigMap", "secret": "Secret", "projected": "projected"}


def claim_words(claim: Claim) -> str:
    """Return a claim in words: ``data-db-0 Bound to pv-1, 1Gi RWO, class standard``."""
    if claim.phase is None:
        return f"{claim.name} (not found)"
    words = [f"{claim.name} {claim.phase}"]
    if claim.volume:
        words[0] += f" to {claim.volume}"
    if claim.capacity_bytes is not None:
        words.append(format_bytes(claim.capacity_bytes))
    if claim.access_modes:
        words[-1] += " " + ",".join(_MODES.get(m, m) for m in claim.access_modes)
    if claim.storage_class:
        words.append(f"class {claim.storage_class}")
    return ", ".join(words)


_MODES = {
    "ReadWriteOnce": "RWO",
    "ReadOnlyMany": "ROX",
    "ReadWriteMany": "RWX",
    "ReadWriteOncePod": "RWOP",
}


def claim_notes(pod: Pod) -> list[str]:
    """Return a line per claim of the pod that needs attention: ``claim data: Lost: ...``.

    A claim the pod's pending causes already name is left to them.
    """
    named = " ".join(c.text for c in pod.pending.causes) + " " if pod.pending else ""
    return [
        f"claim {v.claim.name}: {judge.reason}"
        for v in pod.volumes or ()
        if v.claim is not None
        and (judge := judge_claim(v.claim)).state.unusual
        and f"PersistentVolumeClaim {v.claim.name} " not in named
    ]


def volume_words(volume: Volume) -> str:
    """Return what a volume is, in a few words: ``claim data-db-0 Bound to pv-1, 1Gi RWO``.

    ConfigMaps and Secrets by name only; an emptyDir with its size limit and medium.
    """
    if volume.source == "persistentVolumeClaim":
        if volume.claim is not None:
            return f"claim {claim_words(volume.claim)}"
        return f"claim {volume.target or '?'} (claims not read)"
    if volume.source in _SOURCE_WORDS:
        return f"{_SOURCE_WORDS[volume.source]} {volume.target or '?'}"
    if volume.source == "emptyDir":
        words = ["emptyDir"]
        if volume.medium:
            words.append(f"medium {volume.medium}")
        if volume.size_limit_bytes is not None:
            words.append(f"size limit {format_bytes(volume.size_limit_bytes)}")
        return ", ".join(words)
    return volume.source
