"""The page `-o html` fills in: inline CSS and a small script, no external resource at all.

Markers: ``__TITLE__`` (escaped text), ``__STYLE_VARS__`` (CSS custom properties for the
health colours) and ``__DATA__`` (the JSON from render/html.py). The script builds the
page with ``textContent`` only, so no name from the cluster is ever parsed as HTML.
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
:root { __STYLE_VARS__ --ink:#1d232a; --muted:#5c6670; --panel:#f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--ink); background: #fff; }
header { padding: 12px 20px; border-bottom: 1px solid #d0d7de; background: var(--panel);
         position: sticky; top: 0; z-index: 2; }
h1 { font-size: 16px; margin: 0 0 8px; }
.controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
.controls input[type=search] { width: 280px; padding: 5px 8px; font: inherit; }
.controls label { display: inline-flex; gap: 4px; align-items: center; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px;
          border: 1px solid var(--muted); }
#count { color: var(--muted); }
main { display: flex; gap: 16px; padding: 16px 20px; align-items: flex-start; }
#nodes { flex: 1; display: grid; gap: 14px;
         grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
.node { border: 2px solid var(--ok-line); border-radius: 8px; padding: 8px;
        background: #fbfcfd; cursor: pointer; }
.node.h-warn { border-color: var(--warn-line); }
.node.h-bad { border-color: var(--bad-line); }
.node.h-done { border-color: var(--done-line); }
.node > .head { display: flex; justify-content: space-between; gap: 8px; font-weight: 600; }
.node > .sub { color: var(--muted); font-size: 12px; margin-bottom: 6px; }
.pod { border: 1px solid #c9d1d9; border-radius: 6px; padding: 6px; margin: 6px 0;
       background: var(--ok); cursor: pointer; }
.h-warn.pod, .h-warn.ctr { background: var(--warn); }
.h-bad.pod, .h-bad.ctr { background: var(--bad); }
.h-done.pod, .h-done.ctr { background: var(--done); }
.pod .head { display: flex; justify-content: space-between; gap: 6px; font-size: 13px; }
.pod .name { font-weight: 600; word-break: break-all; }
.head > span:last-child { white-space: nowrap; }
.ctrs { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
.ctr { font-size: 12px; border: 1px solid #adb5bd; border-radius: 4px; padding: 1px 5px;
       background: var(--ok); cursor: pointer; }
.tag { font-size: 11px; color: var(--muted); }
.hidden { display: none; }
.selected, :focus-visible { outline: 3px solid #0969da; outline-offset: 1px; }
.empty { color: var(--muted); font-style: italic; font-size: 12px; }
.cluster { grid-column: 1 / -1; border: 2px dashed var(--ok-line); border-radius: 10px;
           padding: 10px; cursor: pointer; }
.cluster.h-warn { border-color: var(--warn-line); }
.cluster.h-bad { border-color: var(--bad-line); background: var(--bad); }
.cluster > .head { display: flex; justify-content: space-between; gap: 8px; font-weight: 700; }
.cluster > .sub { color: var(--muted); font-size: 12px; word-break: break-word; }
.cluster-nodes { display: grid; gap: 14px; margin-top: 8px;
                 grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
aside { width: 360px; position: sticky; top: 110px; background: var(--panel);
        border: 1px solid #d0d7de; border-radius: 8px; padding: 12px; }
aside h2 { font-size: 15px; margin: 0 0 6px; word-break: break-all; }
aside dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 8px 0; }
aside dt { color: var(--muted); }
aside dd { margin: 0; word-break: break-word; }
aside code { display: block; background: #fff; border: 1px solid #d0d7de; padding: 4px 6px;
             border-radius: 4px; white-space: pre-wrap; font-size: 12px; }
aside ul { margin: 4px 0; padding-left: 18px; }
</style>
</head>
<body>
<header>
  <h1 id="title"></h1>
  <div class="controls">
    <input type="search" id="search" placeholder="Search pods, containers, images, nodes"
           aria-label="Search">
    <select id="namespace" aria-label="Namespace"><option value="">all namespaces</option></select>
    <span id="healthFilters"></span>
    <span id="count"></span>
  </div>
</header>
<main>
  <div id="nodes"></div>
  <aside id="details" aria-live="polite"></aside>
</main>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
const shown = new Set(DATA.health.map(h => h.name));
const $ = (tag, cls, text) => {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
};
function details(title, level, rows, meaning, extra, next) {
  const box = document.getElementById("details");
  box.replaceChildren();
  box.append($("h2", null, title), $("div", "tag", DATA.levels[level]));
  const dl = $("dl");
  for (const [k, v] of rows) {
    if (v === null || v === undefined || v === "") continue;
    dl.append($("dt", null, k), $("dd", null, v));
  }
  box.append(dl, $("p", null, meaning));
  if (extra && extra.length) {
    const ul = $("ul");
    extra.forEach(t => ul.append($("li", null, t)));
    box.append(ul);
  }
  box.append($("div", "tag", "Next:"), $("code", null, next));
}
function clickable(el, show) {
  // a click or Enter/Space (keyboard users) shows the details; inner boxes win
  el.tabIndex = 0;
  el.addEventListener("click", ev => { ev.stopPropagation(); select(el); show(); });
  el.addEventListener("keydown", ev => {
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); el.click(); }
  });
}
function select(el) {
  document.querySelectorAll(".selected").forEach(e => e.classList.remove("selected"));
  el.classList.add("selected");
}
function showIntro() {
  const box = document.getElementById("details");
  box.replaceChildren($("h2", null, "Click a node, pod or container"));
  for (const [level, words] of Object.entries(DATA.levels)) {
    const p = $("p");
    p.append($("strong", null, level + ": "), document.createTextNode(words));
    box.append(p);
  }
}
function containerEl(pod, c) {
  const kind = c.type === "app" ? "" : " (" + c.type + ")";
  const el = $("span", "ctr h-" + c.health, c.name + kind + ": " + c.state);
  el.dataset.container = pod.namespace + "/" + pod.name + "/" + c.name;
  clickable(el, () => {
    details("container " + c.name, "container", [
      ["pod", pod.namespace + "/" + pod.name], ["type", c.type], ["image", c.image],
      ["state", c.state], ["ready", c.ready ? "yes" : "no"], ["restarts", c.restarts],
      ["message", c.message]], c.meaning, [], c.next);
  });
  return el;
}
function podEl(pod) {
  const el = $("div", "pod h-" + pod.health);
  el.dataset.pod = pod.namespace + "/" + pod.name;
  el.dataset.namespace = pod.namespace;
  el.dataset.health = pod.health;
  el.dataset.text = [pod.namespace, pod.name, pod.node || "", pod.phase,
    ...pod.containers.flatMap(c => [c.name, c.image, c.state])].join(" ").toLowerCase();
  const head = $("div", "head");
  head.append($("span", "name", pod.namespace + "/" + pod.name),
              $("span", null, pod.phase + " " + pod.ready));
  const ctrs = $("div", "ctrs");
  pod.containers.forEach(c => ctrs.append(containerEl(pod, c)));
  el.append(head);
  if (pod.pending) el.append($("div", "sub", "pending: " + pod.pending));
  el.append(ctrs);
  clickable(el, () => {
    details("pod " + pod.namespace + "/" + pod.name, "pod", [
      ["node", pod.node || "none yet"], ["phase", pod.phase], ["ready", pod.ready],
      ["restarts", pod.restarts], ["IP", pod.ip], ["created", pod.created],
      ["owner", pod.owner], ["pending", pod.pending]], pod.meaning,
      pod.reasons.concat(pod.volumes).concat(pod.events.map(e => "warning " + e)), pod.next);
  });
  return el;
}
function nodeEl(node) {
  const el = $("section", "node h-" + node.health);
  el.dataset.node = node.name;
  el.dataset.text = [node.name, node.status, ...node.roles].join(" ").toLowerCase();
  const head = $("div", "head");
  head.append($("span", null, node.name), $("span", null, node.status));
  const sub = $("div", "sub", "roles: " + (node.roles.join(",") || "none") + " \u00b7 " +
    node.pods.length + (node.pods.length === 1 ? " pod" : " pods"));
  el.append(head, sub);
  if (!node.pods.length) el.append($("div", "empty", "no pods"));
  node.pods.forEach(p => el.append(podEl(p)));
  clickable(el, () => {
    details("node " + node.name, "node", [["status", node.status],
      ["roles", node.roles.join(", ") || "none"], ["kubelet", node.kubelet],
      ["created", node.created], ["pods", node.pods.length]],
      node.meaning, node.taints.map(t => "taint " + t).concat(node.resources).concat(
        node.events.map(e => "warning " + e)), node.next);
  });
  return el;
}
function unscheduledEl(pods) {
  return nodeEl({name: "(unscheduled)", status: "no node yet", roles: [],
    kubelet: null, created: null, taints: [], events: [], resources: [], health: "warn", pods: pods,
    meaning: "Pods no node has taken yet: the scheduler found no node for them, or has " +
      "not tried yet.", next: "kubectl get pods -A --field-selector spec.nodeName="});
}
function clusterEl(c) {
  const el = $("section", "cluster h-" + c.health);
  el.dataset.cluster = c.context;
  const head = $("div", "head");
  head.append($("span", null, "cluster/" + c.context), $("span", null, c.status));
  el.append(head, $("div", "sub", c.error === null ? c.info : c.error));
  const inner = $("div", "cluster-nodes");
  c.nodes.forEach(n => inner.append(nodeEl(n)));
  if (c.unscheduled.length) inner.append(unscheduledEl(c.unscheduled));
  el.append(inner);
  clickable(el, () => {
    details("cluster " + c.context, "cluster", [["status", c.status], ["server", c.server],
      ["version", c.version]], c.error === null ? c.info : c.error, c.warnings, c.next);
  });
  return el;
}
function applyFilters() {
  const q = document.getElementById("search").value.trim().toLowerCase();
  const ns = document.getElementById("namespace").value;
  let visible = 0, total = 0;
  document.querySelectorAll(".node").forEach(node => {
    const nodeHit = q !== "" && node.dataset.text.includes(q);
    let anyPod = false;
    node.querySelectorAll(".pod").forEach(pod => {
      total++;
      const ok = (!ns || pod.dataset.namespace === ns) && shown.has(pod.dataset.health) &&
        (q === "" || nodeHit || pod.dataset.text.includes(q));
      pod.classList.toggle("hidden", !ok);
      if (ok) { visible++; anyPod = true; }
    });
    const filtering = q !== "" || ns !== "" || shown.size < DATA.health.length;
    node.classList.toggle("hidden", filtering && !anyPod && !nodeHit);
  });
  document.getElementById("count").textContent = visible + " of " + total + " pods shown";
}
function build() {
  document.getElementById("title").textContent = DATA.title;
  const nodes = document.getElementById("nodes");
  DATA.nodes.forEach(n => nodes.append(nodeEl(n)));
  if (DATA.unscheduled.length) nodes.append(unscheduledEl(DATA.unscheduled));
  const clusters = DATA.clusters || [];  // several contexts: one box per cluster
  clusters.forEach(c => nodes.append(clusterEl(c)));
  const namespaces = new Set();
  [...DATA.nodes.flatMap(n => n.pods), ...DATA.unscheduled,
   ...clusters.flatMap(c => [...c.nodes.flatMap(n => n.pods), ...c.unscheduled])]
    .forEach(p => namespaces.add(p.namespace));
  const select = document.getElementById("namespace");
  [...namespaces].sort().forEach(ns => select.append(new Option(ns, ns)));
  const filters = document.getElementById("healthFilters");
  DATA.health.forEach(h => {
    const label = $("label");
    const box = $("input"); box.type = "checkbox"; box.checked = true; box.value = h.name;
    box.addEventListener("change", () => {
      box.checked ? shown.add(h.name) : shown.delete(h.name); applyFilters();
    });
    const swatch = $("span", "swatch"); swatch.style.background = h.fill;
    label.append(box, swatch, document.createTextNode(h.words));
    filters.append(label);
  });
  document.getElementById("search").addEventListener("input", applyFilters);
  select.addEventListener("change", applyFilters);
  showIntro();
  applyFilters();
}
build();
</script>
</body>
</html>
"""
