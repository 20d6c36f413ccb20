// The dashboard page: plain JS over the JSON API (/docs lists it); charts are small SVGs.
"use strict";

const $ = (selector) => document.querySelector(selector);
const SVG = "http://www.w3.org/2000/svg";
const PERCENT_UNITS = ["share of runs", "share"];
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
const changed = new Map(); // parameter path -> value fixed by its slider

async function getJson(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) throw new Error(problems(body));
  return body;
}

function problems(body) {
  if (!Array.isArray(body.detail)) return String(body.detail);
  return body.detail.map((d) => `${d.loc.join(".")}: ${d.msg}`).join("\n");
}

function say(text, error = false) {
  $("#status").textContent = text;
  $("#status").className = error ? "error" : "";
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  Object.entries(attributes).forEach(([k, v]) => node.setAttribute(k, v));
  node.textContent = text;
  return node;
}

function checkboxes(container, names, checked, name) {
  container.replaceChildren(...names.map((n) => {
    const label = element("label");
    const box = element("input", { type: "checkbox", name, value: n });
    box.checked = checked.includes(n);
    label.append(box, ` ${n}`);
    return label;
  }));
}

const checkedValues = (name) =>
  [...document.querySelectorAll(`input[name=${name}]:checked`)].map((b) => b.value);

async function loadScenario(name) {
  const detail = await getJson(`/api/scenarios/${encodeURIComponent(name)}`);
  changed.clear();
  $("#scenario-title").textContent = `${detail.title}; ${detail.horizon_months} months`;
  const others = detail.strategies.filter((s) => s !== detail.default_strategy);
  checkboxes($("#strategies"), detail.strategies, [detail.default_strategy, others[0]], "strategy");
  $("#baseline").replaceChildren(...detail.strategies.map((s) => element("option", {}, s)));
  $("#baseline").value = detail.default_strategy;
  checkboxes($("#end-states"), detail.end_states, [], "end-state");
  $("#sliders").replaceChildren(...detail.sliders.map(sliderRow));
  countChanged();
}

function sliderRow(s) {
  const row = element("div", { class: "slider", "data-path": s.path });
  const input = element("input", {
    type: "range", min: s.low, max: s.high, step: (s.high - s.low) / 200 || 1,
    value: s.nominal, "aria-label": s.path, title: s.provenance,
  });
  const shown = element("output", {}, s.nominal.toPrecision(4));
  const reset = element("button", { type: "button" }, "reset");
  input.addEventListener("input", () => {
    changed.set(s.path, Number(input.value));
    shown.textContent = Number(input.value).toPrecision(4);
    row.classList.add("changed");
    countChanged();
  });
  reset.addEventListener("click", () => {
    changed.delete(s.path);
    input.value = s.nominal;
    shown.textContent = s.nominal.toPrecision(4);
    row.classList.remove("changed");
    countChanged();
  });
  row.append(element("code", {}, s.path), element("br"), input, " ", shown, " ", reset,
    element("div", { class: "note" }, `${s.describe}, range ${s.low} to ${s.high}`));
  return row;
}

function countChanged() {
  $("#changed-count").textContent = changed.size ? `${changed.size} fixed` : "";
}

async function run() {
  const body = {
    scenario: $("#scenario").value,
    strategies: checkedValues("strategy"),
    baseline: $("#baseline").value,
    end_states: checkedValues("end-state"),
    runs: Number($("#runs").value),
    seed: Number($("#seed").value),
    set: Object.fromEntries(changed),
  };
  $("#run").disabled = true;
  say("starting…");
  try {
    const response = await fetch("/api/compare", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(problems(await response.json()));
    await readEvents(response.body.getReader());
  } catch (err) {
    say(err.message, true);
  } finally {
    $("#run").disabled = false;
  }
}

async function readEvents(reader) {
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block)[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)[1]);
      if (name === "progress") {
        $("#progress").max = data.total;
        $("#progress").value = data.done;
        say(`${data.done.toLocaleString()} of ${data.total.toLocaleString()} runs`);
      } else if (name === "answer") {
        show(data);
      } else {
        throw new Error(data.detail);
      }
    }
  }
}

function show(answer) {
  $("#headline").textContent = answer.headline.join("\n");
  say(`done: ${answer.runs.toLocaleString()} runs per strategy in ${answer.seconds} s`);
  const differing = answer.outcomes.filter((o) => o.differs);
  const charted = (differing.length ? differing : answer.outcomes.slice(0, 6)).slice(0, 12);
  $("#comparison").replaceChildren(...charted.map((o) => intervalChart(o, answer.baseline)));
  $("#fans").replaceChildren(...Object.entries(answer.fans).map(([strategy, panels]) => {
    const section = element("div");
    const row = element("div", { class: "fans" });
    row.append(...panels.map((p) => overTime(p, answer.months)));
    section.append(element("h3", {}, strategy), row);
    return section;
  }));
}

function svg(width, height, label) {
  const node = document.createElementNS(SVG, "svg");
  node.setAttribute("width", width);
  node.setAttribute("height", height);
  node.setAttribute("role", "img");
  node.setAttribute("aria-label", label);
  return node;
}

function draw(parent, tag, attributes, text = "") {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attributes).forEach(([k, v]) => node.setAttribute(k, v));
  node.textContent = text;
  parent.append(node);
  return node;
}

function intervalChart(outcome, baseline) {
  const scale = PERCENT_UNITS.includes(outcome.units) ? 100 : 1;
  const lines = outcome.lines.filter((l) => l.value.mean !== null);
  const [left, width, rowHeight] = [150, 330, 18];
  const chart = svg(width, 34 + rowHeight * lines.length, outcome.name);
  draw(chart, "text", { x: 4, y: 12, class: "title" }, outcome.name.slice(0, 60));
  const ends = lines.flatMap((l) => [l.value.low ?? l.value.mean, l.value.high ?? l.value.mean]);
  const [low, high] = [Math.min(...ends) * scale, Math.max(...ends) * scale];
  const pad = (high - low) * 0.1 || Math.abs(high) * 0.1 || 1;
  const x = (v) => left + ((v * scale - (low - pad)) / (high - low + 2 * pad)) * (width - left - 10);
  const base = lines.find((l) => l.strategy === baseline);
  if (base) draw(chart, "line", { x1: x(base.value.mean), x2: x(base.value.mean), y1: 18,
    y2: 24 + rowHeight * lines.length, stroke: "#888", "stroke-dasharray": "4 3" });
  lines.forEach((l, i) => {
    const y = 30 + rowHeight * i;
    const color = l.strategy === baseline ? "#444" : COLORS[0];
    draw(chart, "text", { x: 4, y: y + 4 }, l.strategy.slice(0, 24));
    draw(chart, "line", { x1: x(l.value.low ?? l.value.mean), x2: x(l.value.high ?? l.value.mean),
      y1: y, y2: y, stroke: color, "stroke-width": 2 });
    draw(chart, "circle", { cx: x(l.value.mean), cy: y, r: 3.5, fill: color });
  });
  const units = scale === 100 ? "%" : outcome.units;
  draw(chart, "text", { x: left, y: 30 + rowHeight * lines.length }, `${short(low)} to ${short(high)} ${units}`);
  return chart;
}

function overTime(panel, months) {
  const [width, height, left, top] = [300, 170, 44, 18];
  const chart = svg(width, height, panel.title);
  draw(chart, "text", { x: 4, y: 12, class: "title" }, panel.title.slice(0, 50));
  const values = [...panel.bands.flat(), ...Object.values(panel.lines).flat()];
  const high = Math.max(...values, panel.units === "%" ? 100 : 0) || 1;
  const x = (i) => left + (i / Math.max(months.length - 1, 1)) * (width - left - 8);
  const y = (v) => height - 22 - (v / high) * (height - 22 - top);
  const path = (series) => series.map((v, i) => `${x(i)},${y(v)}`).join(" ");
  if (panel.bands.length === 5) {
    const [p05, p25, p50, p75, p95] = panel.bands;
    const band = (lo, hi, opacity) => draw(chart, "polygon", {
      fill: COLORS[0], "fill-opacity": opacity,
      points: `${path(lo)} ${path(hi).split(" ").reverse().join(" ")}`,
    });
    band(p05, p95, 0.18);
    band(p25, p75, 0.35);
    draw(chart, "polyline", { points: path(p50), fill: "none", stroke: COLORS[0] });
  }
  Object.entries(panel.lines).forEach(([name, series], k) => {
    draw(chart, "polyline", { points: path(series), fill: "none", stroke: COLORS[k % COLORS.length] });
    draw(chart, "text", { x: left + 4 + 70 * k, y: top + 10, fill: COLORS[k % COLORS.length] }, name);
  });
  draw(chart, "line", { x1: left, x2: left, y1: top, y2: height - 22, stroke: "#999" });
  draw(chart, "text", { x: 2, y: top + 8 }, short(high));
  draw(chart, "text", { x: 2, y: height - 22 }, `0 ${panel.units}`);
  draw(chart, "text", { x: left, y: height - 6 }, months[0]);
  draw(chart, "text", { x: width - 50, y: height - 6 }, months[months.length - 1]);
  return chart;
}

function short(value) {
  const size = Math.abs(value);
  if (size >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (size >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  return Number(value.toPrecision(3)).toString();
}

async function listExperiments() {
  const found = await getJson("/api/experiments");
  if (!found.length) {
    $("#experiments").textContent =
      "None: start the server with --store FOLDER (of twofront experiment --out FOLDER/NAME).";
    $("#open").disabled = true;
    return;
  }
  checkboxes($("#experiments"), found.map((e) => e.name), [], "experiment");
  document.querySelectorAll("input[name=experiment]").forEach((box, i) => {
    const e = found[i];
    box.parentElement.append(` (${e.scenario}, ${e.strategies.join(", ")}; ${e.runs.toLocaleString()} runs, seed ${e.seed})`);
  });
}

async function openExperiments() {
  say("opening…");
  try {
    show(await getJson("/api/experiments/open", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ names: checkedValues("experiment") }),
    }));
  } catch (err) {
    say(err.message, true);
  }
}

async function start() {
  const limits = await getJson("/api/limits");
  $("#runs").max = limits.max_runs;
  $("#limits").textContent = `At most ${limits.max_runs.toLocaleString()} runs per strategy, ` +
    `${limits.max_cells} strategy × end-state cells, ${limits.max_sets} fixed numbers and ` +
    `${limits.max_seconds} s per request; one comparison at a time.`;
  const scenarios = await getJson("/api/scenarios");
  $("#scenario").replaceChildren(...scenarios.map((s) => element("option", {}, s.name)));
  $("#scenario").value = scenarios.some((s) => s.name === "world-2024") ? "world-2024" : scenarios[0].name;
  $("#scenario").addEventListener("change", () => loadScenario($("#scenario").value).catch((e) => say(e.message, true)));
  $("#filter").addEventListener("input", () => {
    const text = $("#filter").value.toLowerCase();
    document.querySelectorAll(".slider").forEach((row) => {
      row.hidden = !row.dataset.path.toLowerCase().includes(text);
    });
  });
  $("#run").addEventListener("click", run);
  $("#open").addEventListener("click", openExperiments);
  await Promise.all([loadScenario($("#scenario").value), listExperiments()]);
  say("ready");
}

start().catch((err) => say(err.message, true));
