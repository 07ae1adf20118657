"""A mitmproxy addon that injects HTTP faults in front of the real API server.

Loaded by ``mitmdump -s``; driven by a JSON plan file (option ``ki_plan``) read at each
request, and logging every request it sees, one JSON line each (option ``ki_log``).
A plan: ``{"page_limit": 5, "rules": [{"path": "/api/v1/nodes", "status": 429,
"times": 2, "retry_after": "1", "only_continue": false}]}``. A rule answers in place of
the server while its ``times`` lasts (forever when absent); other requests go through.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from mitmproxy import ctx, http


class InjectFaults:
    def __init__(self) -> None:
        self.used: dict[int, int] = {}

    def load(self, loader: Any) -> None:
        loader.add_option("ki_plan", str, "", "path of the JSON fault plan")
        loader.add_option("ki_log", str, "", "path of the JSON-lines request log")

    def _log(self, entry: dict[str, Any]) -> None:
        with open(ctx.options.ki_log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    def request(self, flow: http.HTTPFlow) -> None:
        plan = json.loads(Path(ctx.options.ki_plan).read_text())
        query = flow.request.query
        limit = plan.get("page_limit")
        if limit and "limit" in query and query["limit"] != "1":
            query["limit"] = str(limit)  # small pages: the real server hands out continue tokens
        path = flow.request.path.split("?")[0]
        entry = {
            "t": time.time(),
            "method": flow.request.method,
            "path": path,
            "continue": "continue" in query,
            "watch": "watch" in query,
            "injected": None,
        }
        for index, rule in enumerate(plan.get("rules", [])):
            if not path.startswith(rule["path"]):
                continue
            if rule.get("only_continue") and "continue" not in query:
                continue
            used = self.used.get(index, 0)
            if "times" in rule and used >= rule["times"]:
                continue
            self.used[index] = used + 1
            entry["injected"] = rule["status"]
            if rule.get("delay"):
                time.sleep(rule["delay"])  # mitmproxy runs each flow in its own task
            headers = {"Content-Type": "application/json"}
            if "retry_after" in rule:
                headers["Retry-After"] = str(rule["retry_after"])
            status = {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "message": rule.get("message", "injected by the test's fault proxy"),
                "reason": rule.get("reason", ""),
                "code": rule["status"],
            }
            flow.response = http.Response.make(rule["status"], json.dumps(status), headers)
            break
        self._log(entry)


addons = [InjectFaults()]
