"""The pictures against a real API server: the HTML page in a real headless Chromium, the
DOT output through Graphviz's own `dot`, both checked against what kubectl says exists.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

from tests.clusters.local import FIXTURES, cache_dir
from tests.integration.cli_runner import run
from tests.integration.conftest import TestCluster

pytestmark = pytest.mark.integration

CHROMIUMS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM = os.environ.get("KUBE_INSPECT_CHROMIUM") or next(
    (path for path in CHROMIUMS if os.path.exists(path)), CHROMIUMS[0]
)
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in a container has no user namespaces for the sandbox
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def kubectl_items(cluster: TestCluster, *args: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(cluster.kubectl("get", *args, "-o", "json"))["items"]
    return items


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """Debian's Chromium, headless and offline, with a fresh profile, driven by Playwright."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            offline=True,
            viewport={"width": 1400, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: BrowserContext, cluster: TestCluster, tmp_path: Path) -> Iterator[Page]:
    """The HTML page of the cluster, opened from a file, every network request refused."""
    result = run("tree", "-o", "html", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    html = tmp_path / "cluster.html"
    html.write_text(result.stdout)
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.route("http*://**", lambda route: route.abort())  # offline: any fetch would fail
    page.goto(html.as_uri())
    page.wait_for_selector("[data-pod]")
    yield page
    assert errors == [], f"console errors: {errors}"
    assert requests == [html.as_uri()], f"the page asked the network for {requests[1:]}"
    page.close()


def test_browser_page_shows_every_node_and_pod_without_errors(
    page: Page, cluster: TestCluster, tmp_path: Path
) -> None:
    nodes = [n["metadata"]["name"] for n in kubectl_items(cluster, "nodes")]
    pods = kubectl_items(cluster, "pods", "-A")
    for name in nodes:
        assert page.locator(f'[data-node="{name}"]').is_visible(), name
    for pod in pods:
        ref = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
        assert page.locator(f'[data-pod="{ref}"]').is_visible(), ref
    assert page.locator("[data-pod]").count() == len(pods)
    assert page.locator("#count").inner_text() == f"{len(pods)} of {len(pods)} pods shown"
    shot = tmp_path / "sample-cluster.png"
    page.locator('[data-container="batch/crasher/worker"]').click()
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")
    if target := os.environ.get("KUBE_INSPECT_SCREENSHOT_TO"):
        shutil.copyfile(shot, target)


def test_browser_click_shows_details_and_what_the_state_means(page: Page) -> None:
    page.locator('[data-container="batch/crasher/worker"]').click()
    details = page.locator("#details").inner_text()
    assert "container worker" in details
    # a real kubelet (kind) flips the crasher between Error and CrashLoopBackOff
    assert "CrashLoopBackOff: it keeps crashing" in details or "exit 1" in details
    assert "kubectl logs -n batch crasher -c worker --previous" in details
    page.locator('[data-pod="shop/stuck"] .name').click()
    details = page.locator("#details").inner_text()
    assert "Unschedulable: no node can take it" in details
    # "1 node lacks" on kind (one plain worker), "2 nodes lack" on the local backend
    assert re.search(r"\d+ nodes? lacks? the labels the pod's nodeSelector or affinity", details)
    page.locator("[data-node]").first.focus()
    page.keyboard.press("Enter")  # keyboard users get the same details
    assert page.locator("#details h2").inner_text().startswith("node ")


def test_browser_search_and_filters_narrow_the_view(page: Page, cluster: TestCluster) -> None:
    shop = kubectl_items(cluster, "pods", "-n", "shop")
    total = page.locator("[data-pod]").count()
    page.fill("#search", "crasher")
    assert page.locator("[data-pod]:visible").count() == 1
    assert page.locator('[data-pod="batch/crasher"]').is_visible()
    page.fill("#search", "")
    page.select_option("#namespace", "shop")
    assert page.locator("[data-pod]:visible").count() == len(shop)
    assert page.locator("#count").inner_text() == f"{len(shop)} of {total} pods shown"
    page.select_option("#namespace", "")
    page.uncheck('#healthFilters input[value="ok"]')
    visible = {
        page.locator("[data-pod]:visible").nth(i).get_attribute("data-health")
        for i in range(page.locator("[data-pod]:visible").count())
    }
    assert "ok" not in visible and "bad" in visible


def test_dot_output_renders_with_graphviz(cluster: TestCluster, tmp_path: Path) -> None:
    result = run("tree", "-o", "dot", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    dot = shutil.which("dot")
    assert dot is not None, "graphviz is missing: run make system-deps"
    rendered = subprocess.run(
        [dot, "-Tsvg"], input=result.stdout, capture_output=True, text=True, timeout=60
    )
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stderr == ""  # no syntax warnings either
    (tmp_path / "cluster.svg").write_text(rendered.stdout)
    texts = " ".join(t.text or "" for t in ET.fromstring(rendered.stdout).iter() if t.text)
    for pod in kubectl_items(cluster, "pods", "-A"):
        assert f"{pod['metadata']['namespace']}/{pod['metadata']['name']}" in texts
    for node in kubectl_items(cluster, "nodes"):
        assert f"node/{node['metadata']['name']}" in texts


def mermaid_bundle() -> Path:
    """Return mermaid's browser bundle, which make system-deps fetched with npm."""
    version = (FIXTURES / "browser" / "mermaid.version").read_text().strip()
    path = cache_dir() / f"mermaid-{version}" / "mermaid.min.js"
    assert path.is_file(), f"{path} is missing: run make system-deps"
    return path


def test_mermaid_output_renders_with_mermaid_in_the_browser(
    browser: BrowserContext, cluster: TestCluster, tmp_path: Path
) -> None:
    """The same mermaid GitHub runs must parse and draw it, naming every node and pod."""
    result = run("tree", "-o", "mermaid", kubeconfig=cluster.kubeconfig)
    assert result.returncode == 0, result.stderr
    host = tmp_path / "mermaid.html"
    host.write_text(
        f'<!DOCTYPE html><html><body><script src="{mermaid_bundle().as_uri()}"></script>'
        "</body></html>"
    )
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(host.as_uri())
    svg = page.evaluate(
        """async (text) => {
            mermaid.initialize({startOnLoad: false});
            await mermaid.parse(text);  // throws on any syntax error
            return (await mermaid.render("cluster", text)).svg;
        }""",
        result.stdout,
    )
    page.close()
    assert errors == []
    (tmp_path / "cluster-mermaid.svg").write_text(svg)
    texts = " ".join(ET.fromstring(svg).itertext())
    for pod in kubectl_items(cluster, "pods", "-A"):
        assert f"pod {pod['metadata']['namespace']}/{pod['metadata']['name']} " in texts
    for node in kubectl_items(cluster, "nodes"):
        assert f"node/{node['metadata']['name']} " in texts
