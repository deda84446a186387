// dyad dashboard: vanilla JS + SVG over dyad's HTTP API (docs/server.md). No build step,
// no network but this server. Everything from the store is put into the page as text
// (textContent / SVG attributes), never as HTML.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const state = {
  token: null,
  months: [],          // YYYY-MM strings of the store's span
  dyads: [],
  cursor: null,
  filters: {},
  eventNames: {},
  selectedRow: null,
};

// ---------------------------------------------------------------- helpers

function $(sel) { return document.querySelector(sel); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "cls") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function svg(tag, attrs, parent) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === "text") node.textContent = v;
    else if (k === "cls") node.setAttribute("class", v);
    else node.setAttribute(k, v);
  }
  if (parent) parent.append(node);
  return node;
}

function svgRoot(container, width, height) {
  container.replaceChildren();
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" }, container);
}

function emptyNote(root, width, height, text) {
  svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle", cls: "empty", text }, root);
}

function fmt(x, digits = 1) {
  return x === null || x === undefined ? "–" : Number(x).toFixed(digits);
}

// net cooperation share in [-1, 1] -> colour (red conflict … grey … green cooperation)
function coopColour(share) {
  const s = Math.max(-1, Math.min(1, share || 0));
  const grey = [154, 154, 154], green = [26, 152, 80], red = [215, 48, 39];
  const to = s >= 0 ? green : red, t = Math.abs(s);
  const c = grey.map((g, i) => Math.round(g + (to[i] - g) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// Goldstein -10 … +10 -> the same scale
function goldsteinColour(g) { return coopColour((g || 0) / 6); }

function showError(message) {
  const bar = $("#error-bar");
  bar.textContent = message;
  bar.classList.remove("hidden");
}

function clearError() { $("#error-bar").classList.add("hidden"); }

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(body, status) {
    const err = (body && body.error) || { code: "D000", message: `HTTP ${status}`, status };
    super(`[${err.code}] ${err.message}`);
    this.code = err.code;
    this.status = status;
  }
}

async function api(path, params, options) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v === null || v === undefined || v === "" || v === false) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
  }
  const headers = Object.assign({ Accept: "application/json" }, (options || {}).headers || {});
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch(url, Object.assign({}, options, { headers }));
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    if (response.status === 401) $("#token-bar").classList.remove("hidden");
    throw new ApiError(body, response.status);
  }
  return body;
}

function report(err) {
  if (err instanceof ApiError && err.status === 401) return;  // the token bar shows
  showError(String(err.message || err));
  console.warn(err);
}

// ---------------------------------------------------------------- time window

function monthsBetween(first, last) {
  const out = [];
  let [y, m] = first.slice(0, 7).split("-").map(Number);
  const [ly, lm] = last.slice(0, 7).split("-").map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

function windowRange() {
  if (!state.months.length) return {};
  let a = Number($("#win-start").value), b = Number($("#win-end").value);
  if (a > b) [a, b] = [b, a];
  return { start: state.months[a], end: state.months[b] };
}

function updateWindowLabel() {
  const w = windowRange();
  $("#win-label").textContent = w.start ? `${w.start} — ${w.end}` : "no dated events";
}

let windowTimer = null;
function onWindowChange() {
  updateWindowLabel();
  clearTimeout(windowTimer);
  windowTimer = setTimeout(() => { loadNetwork(); loadMap(); }, 200);
}

// ---------------------------------------------------------------- network

function layout(nodes, links, width, height) {
  // deterministic force layout: start on a circle (most central first), then iterate
  const n = nodes.length;
  const index = new Map(nodes.map((d, i) => [d.id, i]));
  nodes.forEach((d, i) => {
    const a = (2 * Math.PI * i) / Math.max(n, 1);
    const r = Math.min(width, height) * (i === 0 && n > 1 ? 0.05 : 0.35);
    d.x = width / 2 + r * Math.cos(a);
    d.y = height / 2 + r * Math.sin(a);
  });
  const k = Math.sqrt((width * height) / Math.max(n, 1)) * 0.8;
  const gx = (n * k * k) / (0.47 * width) ** 2, gy = (n * k * k) / (0.47 * height) ** 2;
  const pairs = links.map((l) => [index.get(l.source), index.get(l.target), l.events]);
  for (let it = 0; it < 400; it++) {
    const temp = 14 * (1 - it / 400) + 0.3;
    const disp = nodes.map(() => [0, 0]);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y;
        let d2 = dx * dx + dy * dy;
        if (d2 < 0.01) { dx = 0.1 * (i - j); dy = 0.1; d2 = dx * dx + dy * dy; }
        const f = (k * k) / d2;
        disp[i][0] += dx * f; disp[i][1] += dy * f;
        disp[j][0] -= dx * f; disp[j][1] -= dy * f;
      }
    }
    for (const [a, b, w] of pairs) {
      if (a === undefined || b === undefined) continue;
      const dx = nodes[a].x - nodes[b].x, dy = nodes[a].y - nodes[b].y;
      const d = Math.sqrt(dx * dx + dy * dy) || 0.01;
      const f = (d / k) * (1 + Math.log(1 + w) * 0.3);
      disp[a][0] -= dx * f; disp[a][1] -= dy * f;
      disp[b][0] += dx * f; disp[b][1] += dy * f;
    }
    nodes.forEach((d, i) => {
      // gravity keeps unconnected nodes and small components in view: it balances the
      // total repulsion about an ellipse of about half the box
      disp[i][0] += (width / 2 - d.x) * gx;
      disp[i][1] += (height / 2 - d.y) * gy;
      const len = Math.hypot(disp[i][0], disp[i][1]) || 1;
      d.x += (disp[i][0] / len) * Math.min(len, temp);
      d.y += (disp[i][1] / len) * Math.min(len, temp);
      d.x = Math.max(30, Math.min(width - 30, d.x));
      d.y = Math.max(20, Math.min(height - 20, d.y));
    });
  }
}

async function loadNetwork() {
  const box = $("#network");
  const W = 640, H = 460;
  try {
    const data = await api("/network", Object.assign(windowRange(), {
      level: $("#net-level").value, min_events: $("#net-min").value || 1, max_nodes: 40,
    }));
    const root = svgRoot(box, W, H);
    root.setAttribute("aria-label", "actor network");
    if (!data.nodes.length) { emptyNote(root, W, H, "no events between actors in this window"); return; }
    layout(data.nodes, data.links, W, H);
    const byId = new Map(data.nodes.map((d) => [d.id, d]));
    const maxPr = Math.max(...data.nodes.map((d) => d.pagerank || 0)) || 1;
    const radius = (d) => 5 + 14 * Math.sqrt((d.pagerank || 0) / maxPr);
    const pairSet = new Set(data.links.map((l) => `${l.source}\u0000${l.target}`));
    const defs = svg("defs", {}, root);
    const edges = svg("g", { cls: "edges" }, root);
    const markers = new Map();
    function marker(colour) {
      if (markers.has(colour)) return markers.get(colour);
      const id = `arrow${markers.size}`;
      const m = svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 4,
        markerHeight: 4, orient: "auto-start-reverse", markerUnits: "strokeWidth" }, defs);
      svg("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }, m);
      markers.set(colour, id);
      return id;
    }
    for (const l of data.links) {
      const a = byId.get(l.source), b = byId.get(l.target);
      const share = l.events ? l.net_cooperation / (l.weight || l.events) : 0;
      const colour = coopColour(share);
      const width = Math.min(1 + 1.6 * Math.sqrt(l.weight || l.events), 12);
      // curve both directions of a pair apart; shorten to the node rims
      const bend = pairSet.has(`${l.target}\u0000${l.source}`) ? 0.18 : 0.06;
      const dx = b.x - a.x, dy = b.y - a.y, dist = Math.hypot(dx, dy) || 1;
      const ux = dx / dist, uy = dy / dist;
      const x1 = a.x + ux * radius(a), y1 = a.y + uy * radius(a);
      const x2 = b.x - ux * (radius(b) + 2), y2 = b.y - uy * (radius(b) + 2);
      const cx = (x1 + x2) / 2 - uy * dist * bend, cy = (y1 + y2) / 2 + ux * dist * bend;
      const path = svg("path", {
        d: `M${x1.toFixed(1)},${y1.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}`,
        cls: "edge", stroke: colour, "stroke-width": width.toFixed(1),
        "marker-end": `url(#${marker(colour)})`,
        "data-source": l.source, "data-target": l.target,
      }, edges);
      svg("title", { text: `${l.source} → ${l.target}: ${l.events} events ` +
        `(cooperation ${l.verbal_cooperation + l.material_cooperation}, ` +
        `conflict ${l.verbal_conflict + l.material_conflict}), mean Goldstein ${fmt(l.goldstein_mean)}` }, path);
      path.addEventListener("click", () => selectDyad(l.source, l.target));
    }
    const nodes = svg("g", { cls: "nodes" }, root);
    for (const d of data.nodes) {
      const g = svg("g", { cls: "node", transform: `translate(${d.x.toFixed(1)},${d.y.toFixed(1)})`,
        "data-id": d.id }, nodes);
      svg("circle", { r: radius(d).toFixed(1) }, g);
      svg("text", { x: radius(d) + 3, y: 4, text: d.id }, g);
      svg("title", { text: `${d.id}: PageRank ${fmt(d.pagerank, 3)}, ${d.out_strength} out, ${d.in_strength} in` }, g);
      g.addEventListener("click", () => focusActor(d.id, root));
    }
    if (data.truncated) {
      svg("text", { x: 8, y: H - 8, cls: "empty",
        text: `top ${data.nodes.length} of ${data.total_nodes} nodes by PageRank` }, root);
    }
  } catch (err) { report(err); }
}

function focusActor(id, root) {
  for (const e of root.querySelectorAll(".edge")) {
    const on = e.dataset.source === id || e.dataset.target === id;
    e.classList.toggle("dim", !on);
  }
  const form = $("#filters");
  form.reset();
  form.elements.actor.value = $("#net-level").value === "country" ? `code:${id}` : id;
  const w = windowRange();
  form.elements.start.value = w.start || "";
  form.elements.end.value = w.end || "";
  loadEvents(true);
}

// ---------------------------------------------------------------- map

let world = null;

function decodeTopology(topo) {
  const [sx, sy] = topo.transform.scale, [tx, ty] = topo.transform.translate;
  const arcs = topo.arcs.map((arc) => {
    let x = 0, y = 0;
    return arc.map(([dx, dy]) => { x += dx; y += dy; return [x * sx + tx, y * sy + ty]; });
  });
  const ring = (ids) => {
    const pts = [];
    for (const i of ids) {
      const arc = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
      pts.push(...(pts.length ? arc.slice(1) : arc));
    }
    return pts;
  };
  return topo.objects.countries.geometries.map((g) => {
    const polys = g.type === "Polygon" ? [g.arcs] : g.type === "MultiPolygon" ? g.arcs : [];
    return { name: (g.properties || {}).name || "", rings: polys.flatMap((p) => p.map(ring)) };
  });
}

function project(lon, lat, W, H) { return [((lon + 180) / 360) * W, ((90 - lat) / 180) * H]; }

function ringPath(points, W, H) {
  let d = "", prev = null;
  for (const [lon, lat] of points) {
    const [x, y] = project(lon, lat, W, H);
    d += (prev === null || Math.abs(lon - prev) > 180 ? "M" : "L") + x.toFixed(1) + "," + y.toFixed(1);
    prev = lon;
  }
  return d + "Z";
}

async function loadMap() {
  const box = $("#map");
  const W = 720, H = 360;
  try {
    if (!world) world = decodeTopology(await api("/static/world-110m.json"));
    const data = await api("/places", Object.assign(windowRange(), { limit: 500 }));
    const root = svgRoot(box, W, H);
    root.setAttribute("aria-label", "map of event places");
    svg("rect", { x: 0, y: 0, width: W, height: H, cls: "sphere" }, root);
    let grat = "";
    for (let lon = -150; lon <= 150; lon += 30) {
      const [x] = project(lon, 0, W, H); grat += `M${x},0V${H}`;
    }
    for (let lat = -60; lat <= 60; lat += 30) {
      const [, y] = project(0, lat, W, H); grat += `M0,${y}H${W}`;
    }
    svg("path", { d: grat, cls: "graticule" }, root);
    const land = svg("g", {}, root);
    for (const c of world) {
      const p = svg("path", { d: c.rings.map((r) => ringPath(r, W, H)).join(""), cls: "country" }, land);
      svg("title", { text: c.name }, p);
    }
    const max = Math.max(1, ...data.items.map((p) => p.events));
    const dots = svg("g", { cls: "places" }, root);
    for (const p of data.items.slice().sort((a, b) => b.events - a.events)) {
      const [x, y] = project(p.lon, p.lat, W, H);
      const c = svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: (2.5 + 12 * Math.sqrt(p.events / max)).toFixed(1),
        fill: goldsteinColour(p.goldstein_mean), cls: "place" }, dots);
      svg("title", { text: `${p.name}${p.country ? ` (${p.country})` : ""}: ${p.events} events, ` +
        `${p.cooperation} cooperation, ${p.conflict} conflict, mean Goldstein ${fmt(p.goldstein_mean)}` }, c);
      c.addEventListener("click", () => {
        const form = $("#filters");
        form.reset();
        form.elements.place.value = p.name;
        loadEvents(true);
      });
    }
    if (!data.items.length) emptyNote(root, W, H, "no located events in this window");
  } catch (err) { report(err); }
}

// ---------------------------------------------------------------- dyad timeline

async function loadDyads() {
  try {
    const data = await api("/dyads", { directed: false, n: 60 });
    state.dyads = data.items;
    const sel = $("#dyad-select");
    sel.replaceChildren();
    for (const d of data.items) {
      sel.append(el("option", { value: `${d.source}|${d.target}`,
        text: `${d.source} – ${d.target} (${d.events} events)` }));
    }
    if (data.items.length) loadTimeline();
    else emptyNote(svgRoot($("#timeline"), 900, 240), 900, 240, "no dyads in this store");
  } catch (err) { report(err); }
}

function selectDyad(source, target) {
  const sel = $("#dyad-select");
  const keys = [`${source}|${target}`, `${target}|${source}`];
  let option = [...sel.options].find((o) => keys.includes(o.value));
  if (!option) {
    option = el("option", { value: keys[0], text: `${source} – ${target}` });
    sel.append(option);
  }
  sel.value = option.value;
  loadTimeline();
  $("#timeline-panel").scrollIntoView({ behavior: "smooth", block: "nearest" });
}

async function loadTimeline() {
  const box = $("#timeline");
  const value = $("#dyad-select").value;
  if (!value) return;
  const [source, target] = value.split("|");
  const code = (x) => `code:${x}`;  // a node is a code (prefix): RUS covers RUSGOV, RUSMIL
  const W = 900, H = 260, m = { l: 36, r: 36, t: 12, b: 26 };
  try {
    const data = await api("/timeseries", { source: code(source), target: code(target),
      both_directions: $("#dyad-both").checked, freq: $("#dyad-freq").value });
    const root = svgRoot(box, W, H);
    root.setAttribute("aria-label", `timeline ${source} and ${target}`);
    const items = data.items;
    if (!items.length) { emptyNote(root, W, H, "no dated events for this dyad"); return; }
    const up = items.map((d) => d.verbal_cooperation + d.material_cooperation);
    const down = items.map((d) => d.verbal_conflict + d.material_conflict);
    const maxY = Math.max(1, ...up, ...down);
    const iw = W - m.l - m.r, ih = H - m.t - m.b;
    const band = iw / items.length;
    const y = (v) => m.t + ih / 2 - (v / maxY) * (ih / 2);
    const gy = (g) => m.t + ih / 2 - (g / 10) * (ih / 2);
    const axis = svg("g", { cls: "axis" }, root);
    svg("line", { x1: m.l, x2: W - m.r, y1: y(0), y2: y(0), cls: "zero" }, root);
    for (const v of [maxY, Math.round(maxY / 2), -Math.round(maxY / 2), -maxY]) {
      if (!v) continue;
      svg("text", { x: m.l - 4, y: y(v) + 3, "text-anchor": "end", text: Math.abs(v) }, axis);
    }
    for (const g of [10, 5, -5, -10]) {
      svg("text", { x: W - m.r + 4, y: gy(g) + 3, text: g }, axis);
    }
    svg("text", { x: m.l + 4, y: m.t + 8, text: "▲ cooperation" }, axis);
    svg("text", { x: m.l + 4, y: H - m.b - 2, text: "▼ conflict" }, axis);
    let lastYear = null;
    const bars = svg("g", {}, root);
    const bw = Math.max(1, band * 0.8);
    items.forEach((d, i) => {
      const x = m.l + i * band + (band - bw) / 2;
      const year = d.period.slice(0, 4);
      if (year !== lastYear && (band > 3 || Number(year) % 2 === 0)) {
        svg("text", { x: m.l + i * band, y: H - 8, text: year }, axis);
        lastYear = year;
      }
      if (!d.events) return;
      let top = 0;
      for (const [v, colour] of [[d.verbal_cooperation, "#91cf60"], [d.material_cooperation, "#1a9850"]]) {
        if (!v) continue;
        svg("rect", { x, width: bw, y: y(top + v), height: y(top) - y(top + v), fill: colour }, bars);
        top += v;
      }
      let bottom = 0;
      for (const [v, colour] of [[d.verbal_conflict, "#fc8d59"], [d.material_conflict, "#d73027"]]) {
        if (!v) continue;
        svg("rect", { x, width: bw, y: y(-bottom), height: y(-bottom - v) - y(-bottom), fill: colour }, bars);
        bottom += v;
      }
      const hit = svg("rect", { x: m.l + i * band, width: band, y: m.t, height: ih, fill: "transparent" }, bars);
      svg("title", { text: `${d.period}: ${d.events} events; cooperation ${up[i]}, conflict ${down[i]}; ` +
        `mean Goldstein ${fmt(d.goldstein_mean)}` }, hit);
    });
    let line = "", prev = -2;
    items.forEach((d, i) => {
      if (d.goldstein_mean === null) return;
      const x = m.l + i * band + band / 2;
      line += `${prev === i - 1 ? "L" : "M"}${x.toFixed(1)},${gy(d.goldstein_mean).toFixed(1)}`;
      prev = i;
      svg("circle", { cx: x.toFixed(1), cy: gy(d.goldstein_mean).toFixed(1), r: 2.2, cls: "gdot" }, root);
    });
    if (line) svg("path", { d: line, cls: "gline" }, root);
  } catch (err) { report(err); }
}

// ---------------------------------------------------------------- events table

function readFilters() {
  const form = $("#filters");
  const f = {};
  for (const name of ["actor", "source", "target", "code", "quad", "start", "end", "place", "text"]) {
    const v = form.elements[name].value.trim();
    if (v) f[name] = v;
  }
  f.order = form.elements.order.value;
  return f;
}

async function loadEvents(reset) {
  const tbody = $("#events-table tbody");
  const more = $("#more");
  try {
    if (reset) {
      state.filters = readFilters();
      state.cursor = null;
    }
    const data = await api("/events", Object.assign({}, state.filters, { limit: 25, cursor: state.cursor }));
    if (reset) tbody.replaceChildren();
    Object.assign(state.eventNames, data.event_names);
    for (const e of data.items) tbody.append(eventRow(e));
    state.cursor = data.next_cursor;
    more.classList.toggle("hidden", !data.next_cursor);
    $("#events-count").textContent = `${data.total} matching, ${tbody.children.length} shown`;
    if (reset && !data.items.length) {
      tbody.append(el("tr", {}, el("td", { colspan: 7, text: "no events match these filters" })));
    }
  } catch (err) { report(err); }
}

function actorCell(code, words) {
  return el("td", { title: words || "" }, el("span", { cls: "code", text: code || "?" }),
    words ? el("span", { cls: "muted", text: ` ${words}` }) : null);
}

function eventRow(e) {
  const name = state.eventNames[e.event_code] || "";
  const tr = el("tr", { cls: `q${e.quad_class}`, "data-event": e.event_id },
    el("td", { text: e.date || "–" }),
    actorCell(e.source_code, e.source_text),
    el("td", { cls: "event" }, el("span", { cls: "code", text: e.event_code }), ` ${name}`),
    actorCell(e.target_code, e.target_text),
    el("td", { text: e.location_name || "" }),
    el("td", { text: e.num_mentions }),
    el("td", { text: fmt(e.goldstein) }));
  tr.addEventListener("click", () => {
    if (state.selectedRow) state.selectedRow.classList.remove("selected");
    tr.classList.add("selected");
    state.selectedRow = tr;
    showEvidence(e);
  });
  return tr;
}

// text with marked spans; spans = [{start, end, role}], offsets into text
function markedText(text, spans, base) {
  const frag = document.createDocumentFragment();
  const cuts = new Set([0, text.length]);
  const local = spans
    .map((s) => ({ start: s.start - base, end: s.end - base, role: s.role, event_id: s.event_id }))
    .filter((s) => s.start >= 0 && s.end <= text.length && s.start < s.end);
  for (const s of local) { cuts.add(s.start); cuts.add(s.end); }
  const points = [...cuts].sort((a, b) => a - b);
  const rank = { trigger: 3, source: 2, target: 1 };
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i], b = points[i + 1];
    const piece = text.slice(a, b);
    const over = local.filter((s) => s.start <= a && s.end >= b);
    if (!over.length) { frag.append(piece); continue; }
    const top = over.reduce((x, y) => (rank[y.role] > rank[x.role] ? y : x));
    frag.append(el("mark", { cls: top.role, title: over.map((s) => s.role).join(", "), text: piece }));
  }
  return frag;
}

async function showEvidence(row) {
  const box = $("#evidence");
  box.classList.remove("hidden");
  const sentence = $("#evidence-sentence");
  sentence.textContent = row.sentence;
  $("#evidence-meta").textContent = "loading the article…";
  try {
    const data = await api(`/articles/${encodeURIComponent(row.article_id)}`);
    const ev = data.events.find((x) => x.event_id === row.event_id);
    const art = data.article;
    if (ev) {
      const spans = [["source", ev.source], ["target", ev.target], ["trigger", ev.trigger]]
        .filter(([, s]) => s).map(([role, s]) => ({ start: s.start, end: s.end, role }));
      sentence.replaceChildren(ev.sentence_start === null
        ? ev.sentence : markedText(ev.sentence, spans, ev.sentence_start));
    }
    const meta = $("#evidence-meta");
    meta.replaceChildren(
      `${row.event_code} ${state.eventNames[row.event_code] || ""} · ` +
      `${row.source_code || "?"} → ${row.target_code || "–"} · ${row.date || "undated"} · ` +
      `${row.num_mentions} mention(s) in ${row.num_articles} article(s) · ` +
      `${art.title || art.external_id || art.article_id.slice(0, 12)}` +
      `${art.outlet ? `, ${art.outlet}` : ""}${art.date ? `, ${art.date}` : ""}` +
      (ev ? ` · rule ${ev.rule}, confidence ${fmt(ev.confidence, 2)}` : ""));
    if (art.url && /^https?:\/\//i.test(art.url)) {
      meta.append(" · ", el("a", { href: art.url, rel: "noopener noreferrer", target: "_blank", text: "source" }));
    }
    $("#evidence-article .article-text").replaceChildren(markedText(art.text, data.highlights, 0));
  } catch (err) {
    $("#evidence-meta").textContent = "";
    report(err);
  }
}

// ---------------------------------------------------------------- paste an article

async function codeArticle(event) {
  event.preventDefault();
  const text = $("#code-text").value;
  const status = $("#code-status");
  const button = $("#code-button");
  if (!text.trim()) { status.textContent = "paste some text first"; return; }
  button.disabled = true;
  status.textContent = "coding…";
  const list = $("#code-events");
  try {
    let data = null;
    for (let attempt = 0; attempt < 60 && data === null; attempt++) {
      try {
        data = await api("/code", {}, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ text, date: $("#code-date").value || null, id: "pasted" }),
        });
      } catch (err) {
        if (err.code !== "D702" || !/loading/.test(err.message)) throw err;
        status.textContent = "the coder is still loading…";
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    if (data === null) throw new Error("the coder did not become ready");
    Object.assign(state.eventNames, data.event_names);
    list.replaceChildren();
    const all = [];
    data.events.forEach((e) => {
      const spans = [["source", e.source], ["target", e.target], ["trigger", e.trigger]]
        .filter(([, s]) => s).map(([role, s]) => ({ start: s.start, end: s.end, role, event_id: e.event_id }));
      all.push(...spans);
      const li = el("li", { cls: `event q${e.quad_class}`, "data-event": e.event_id },
        el("span", { cls: "code", text: e.event_code }),
        ` ${data.event_names[e.event_code] || ""}: `,
        el("b", { text: e.source.code || "?" }), ` (${e.source.text}) → `,
        el("b", { text: e.target ? e.target.code || "?" : "–" }),
        e.target ? ` (${e.target.text})` : "",
        el("span", { cls: "muted", text: ` · ${e.date || "undated"}` +
          `${e.location ? ` · ${e.location.name}` : ""} · confidence ${fmt(e.confidence, 2)}` }));
      li.addEventListener("click", () => {
        for (const x of list.children) x.classList.toggle("active", x === li);
        $("#code-highlighted").replaceChildren(markedText(text, spans, 0));
      });
      list.append(li);
    });
    $("#code-highlighted").replaceChildren(markedText(text, all, 0));
    status.textContent = `${data.count} event${data.count === 1 ? "" : "s"} in ${Math.round(data.elapsed_ms)} ms`;
    clearError();
  } catch (err) {
    status.textContent = "";
    report(err);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- start

async function loadSummary() {
  const stats = await api("/stats");
  $("#summary").textContent = `${stats.path}: ${stats.articles} articles, ` +
    `${stats.events} events (${stats.event_mentions} mentions)` +
    (stats.first_date ? `, ${stats.first_date} to ${stats.last_date}` : "");
  state.months = stats.first_date ? monthsBetween(stats.first_date, stats.last_date) : [];
  for (const id of ["#win-start", "#win-end"]) $(id).max = Math.max(0, state.months.length - 1);
  $("#win-start").value = 0;
  $("#win-end").value = Math.max(0, state.months.length - 1);
  updateWindowLabel();
}

async function start() {
  clearError();
  try {
    await loadSummary();
  } catch (err) { report(err); return; }
  $("#token-bar").classList.add("hidden");
  await Promise.all([loadNetwork(), loadMap(), loadDyads(), loadEvents(true)]);
  document.body.dataset.ready = "1";
}

function init() {
  const m = /token=([^&]+)/.exec(window.location.hash);
  if (m) {
    sessionStorage.setItem("dyad-token", decodeURIComponent(m[1]));
    history.replaceState(null, "", window.location.pathname);
  }
  state.token = sessionStorage.getItem("dyad-token");
  $("#token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    state.token = $("#token-input").value.trim() || null;
    if (state.token) sessionStorage.setItem("dyad-token", state.token);
    start();
  });
  $("#win-start").addEventListener("input", onWindowChange);
  $("#win-end").addEventListener("input", onWindowChange);
  $("#net-level").addEventListener("change", () => { loadNetwork(); });
  $("#net-min").addEventListener("change", () => { loadNetwork(); });
  $("#dyad-select").addEventListener("change", loadTimeline);
  $("#dyad-both").addEventListener("change", loadTimeline);
  $("#dyad-freq").addEventListener("change", loadTimeline);
  $("#filters").addEventListener("submit", (e) => { e.preventDefault(); loadEvents(true); });
  $("#filters").addEventListener("reset", () => setTimeout(() => loadEvents(true), 0));
  $("#more").addEventListener("click", () => loadEvents(false));
  $("#code-form").addEventListener("submit", codeArticle);
  start();
}

document.addEventListener("DOMContentLoaded", init);
