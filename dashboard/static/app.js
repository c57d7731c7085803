// descent dashboard: the run list, the selected runs' details and charts,
// refreshed when the server reports that their files changed. Everything
// from the server is shown with textContent: names and values are text,
// never HTML.
"use strict";

const charts = ["loss", "accuracy", "lr", "momentum", "grad_norm", "forward_var", "backward_var",
  "layer_grad_norm", "update_ratio", "dead", "histograms"];
let selected = [];
let known = new Map(); // run name -> last seen info

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function query() {
  return selected.map((n) => "run=" + encodeURIComponent(n)).join("&");
}

function renderRuns(list) {
  const ul = document.getElementById("runs");
  ul.replaceChildren();
  for (const r of list) {
    const li = el("li");
    const box = el("input");
    box.type = "checkbox";
    box.checked = selected.includes(r.name);
    box.dataset.run = r.name;
    box.addEventListener("change", () => {
      selected = box.checked ? selected.concat([r.name]) : selected.filter((n) => n !== r.name);
      refresh(true);
    });
    const label = el("label");
    label.append(box, " ", el("span", r.label), " ", el("span", "step " + r.step, "step"));
    li.append(label);
    ul.append(li);
  }
}

function setupCharts() {
  const box = document.getElementById("charts");
  for (const c of charts) {
    const img = el("img");
    img.alt = c.replace(/_/g, " ");
    img.dataset.chart = c;
    box.append(img);
  }
}

function refreshCharts() {
  const v = Date.now();
  for (const img of document.querySelectorAll("#charts img")) {
    if (selected.length === 0) {
      img.removeAttribute("src");
      continue;
    }
    img.src = "/chart/" + img.dataset.chart + ".svg?" + query() + "&v=" + v;
  }
}

async function refreshDetail() {
  const title = document.getElementById("run-title");
  const findings = document.getElementById("findings");
  const tbody = document.querySelector("#config tbody");
  if (selected.length === 0) {
    title.textContent = "no run selected";
    return;
  }
  const resp = await fetch("/api/run?run=" + encodeURIComponent(selected[0]));
  if (!resp.ok) return;
  const d = await resp.json();
  title.textContent = d.label + (selected.length > 1 ? " (+" + (selected.length - 1) + " overlaid)" : "");
  const last = d.last || {};
  let text = "epoch " + d.epoch + ", step " + d.step;
  if (!d.recorded && d.metrics.length > 0) {
    text = "epoch " + d.metrics[d.metrics.length - 1].Epoch + " (per-step statistics were not recorded for this run)";
  }
  if (last.loss !== undefined) text += ", loss " + last.loss.toPrecision(4);
  if (last.lr !== undefined) text += ", lr " + last.lr.toPrecision(3);
  if (d.metrics.length > 0) {
    const m = d.metrics[d.metrics.length - 1];
    text += ", test accuracy " + m.TestAccuracy.toFixed(4);
  }
  const lastEl = document.getElementById("last");
  lastEl.textContent = text;
  lastEl.dataset.step = d.step;
  findings.replaceChildren();
  if (d.findings.length === 0 && !d.recorded && d.metrics.length > 0) findings.append(el("li", "not examined: the doctor reads per-step statistics", "none"));
  else if (d.findings.length === 0) findings.append(el("li", "no finding", "ok"));
  for (const f of d.findings) findings.append(el("li", f));
  tbody.replaceChildren();
  for (const k of Object.keys(d.config).sort()) {
    const tr = el("tr");
    tr.append(el("td", k), el("td", String(d.config[k])));
    tbody.append(tr);
  }
  document.getElementById("command").textContent = (d.command || []).join(" ");
}

// Charts are redrawn at most every chartInterval ms while a run trains
// (the numbers above them follow every update): drawing costs the server,
// which shares the machine with training.
const chartInterval = 5000;
let chartsAt = 0;
let chartTimer = null;

function refresh(now) {
  refreshDetail().catch(() => {});
  const wait = chartsAt + chartInterval - Date.now();
  if (now || wait <= 0) {
    clearTimeout(chartTimer);
    chartTimer = null;
    chartsAt = Date.now();
    refreshCharts();
  } else if (chartTimer === null) {
    chartTimer = setTimeout(() => refresh(true), wait);
  }
}

async function start() {
  setupCharts();
  const resp = await fetch("/api/runs");
  const list = await resp.json();
  for (const r of list) known.set(r.name, r);
  if (list.length > 0) selected = [list[0].name];
  renderRuns(list);
  refresh(true);
  const status = document.getElementById("status");
  const events = new EventSource("/events");
  events.addEventListener("open", () => { status.textContent = "live"; });
  events.addEventListener("error", () => {
    status.textContent = "disconnected: showing the last data received";
  });
  events.addEventListener("update", (e) => {
    const infos = JSON.parse(e.data);
    let changed = false;
    let fresh = infos.length !== known.size;
    for (const r of infos) {
      const old = known.get(r.name);
      if (!old) fresh = true;
      if (selected.includes(r.name) && (!old || old.updated !== r.updated)) changed = true;
      known.set(r.name, r);
    }
    infos.sort((a, b) => b.updated - a.updated);
    if (selected.length === 0 && infos.length > 0) {
      selected = [infos[0].name];
      changed = true;
    }
    renderRuns(infos);
    status.textContent = "live";
    if (changed || fresh) refresh();
  });
}

start().catch((err) => {
  document.getElementById("status").textContent = "error: " + err;
});
