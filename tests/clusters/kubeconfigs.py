"""Merge kubeconfigs into one file of several contexts, as a user's ~/.kube/config holds them.

Used by the fleet's integration test and the bench's fleet point.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml


def inline(doc: dict[str, Any]) -> dict[str, Any]:
    """Return a kubeconfig with its certificate files read into it (``*-data``).

    A stopped local cluster's files are removed with it; its context must still load, so
    that what fails is the connection, as for a server that is down.
    """
    for entry in doc.get("clusters") or []:
        cluster = entry["cluster"]
        if "certificate-authority" in cluster:
            data = Path(cluster.pop("certificate-authority")).read_bytes()
            cluster["certificate-authority-data"] = base64.b64encode(data).decode()
    for entry in doc.get("users") or []:
        user = entry["user"]
        for key in ("client-certificate", "client-key"):
            if key in user:
                user[f"{key}-data"] = base64.b64encode(Path(user.pop(key)).read_bytes()).decode()
    return doc


def merge(named: dict[str, str]) -> dict[str, Any]:
    """Return one kubeconfig holding each kubeconfig text's current context, renamed.

    Each context, with its cluster and user entries, takes the name it has in ``named``;
    the first is the current context.
    """
    merged: dict[str, Any] = {"apiVersion": "v1", "kind": "Config", "preferences": {}}
    merged |= {"clusters": [], "users": [], "contexts": [], "current-context": next(iter(named))}
    for name, text in named.items():
        doc = inline(yaml.safe_load(text))
        current = doc["current-context"]
        context = next(c["context"] for c in doc["contexts"] if c["name"] == current)
        cluster = next(c["cluster"] for c in doc["clusters"] if c["name"] == context["cluster"])
        user = next(u["user"] for u in doc["users"] if u["name"] == context["user"])
        merged["clusters"].append({"name": name, "cluster": cluster})
        merged["users"].append({"name": name, "user": user})
        merged["contexts"].append({"name": name, "context": {"cluster": name, "user": name}})
    return merged
