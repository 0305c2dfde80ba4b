// tocsin dashboard: a map, a timeline, filters and an event panel over the REST API.
//
// Article text comes from arbitrary web pages: it is only ever put into the page as text
// (textContent, createTextNode), never as HTML, and links are followed only for http(s) URLs.
"use strict";

const MAP_LIMIT = 1000; // events drawn on the map (the API's largest page)
const DAILY_UP_TO_DAYS = 120; // the timeline counts by day up to this span, then by week
const WEEKLY_UP_TO_DAYS = 3 * 365; // ... then by month
const COLORS = {
  "Peaceful protest": "#2b8cbe",
  "Protest with intervention": "#f0a030",
  "Excessive force against protesters": "#8c2d04",
  "Violent demonstration": "#d7301f",
  "Mob violence": "#7a0177",
};

const $ = (id) => document.getElementById(id);
let map = null;
let markers = null;

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

function safeUrl(url) {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

async function getJSON(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  if (!res.ok) {
    let detail = res.statusText;
    try {
      const body = await res.json();
      detail = typeof body.detail === "string" ? body.detail : body.detail.map((d) => d.msg).join("; ");
    } catch { /* keep the status text */ }
    throw new Error(`${res.status}: ${detail}`);
  }
  return res.json();
}

function filterParams() {
  const params = new URLSearchParams();
  for (const name of ["country", "type", "since", "until", "q"]) {
    const value = $(`f-${name}`).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

function setStatus(text, isError) {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("error", Boolean(isError));
}

// -- map ------------------------------------------------------------------------------------------

function initMap() {
  map = L.map("map", { worldCopyJump: true, minZoom: 1, maxZoom: 12 }).setView([20, 10], 2);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Leaflet | outlines: Natural Earth");
  for (let lat = -60; lat <= 60; lat += 30) {
    L.polyline([[lat, -180], [lat, 180]], { className: "graticule", interactive: false }).addTo(map);
  }
  for (let lon = -150; lon <= 180; lon += 30) {
    L.polyline([[-85, lon], [85, lon]], { className: "graticule", interactive: false }).addTo(map);
  }
  getJSON("/static/countries.geojson")
    .then((outlines) => {
      L.geoJSON(outlines, { className: "country", interactive: false }).addTo(map).bringToBack();
    })
    .catch((err) => setStatus(`Country outlines could not be loaded (${err.message})`, true));
  markers = L.featureGroup().addTo(map);
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => {
    const box = el("div", null, "legend");
    for (const [name, color] of Object.entries(COLORS)) {
      const swatch = el("span", null, "swatch");
      swatch.style.background = color; // CSSOM, not a style attribute: allowed by the CSP
      const row = el("div");
      row.append(swatch, document.createTextNode(name));
      box.append(row);
    }
    return box;
  };
  legend.addTo(map);
}

function drawMarkers(events) {
  markers.clearLayers();
  for (const ev of events) {
    if (ev.latitude === null || ev.longitude === null) continue;
    const radius = 5 + Math.min(8, Math.sqrt(ev.fatalities || 0) * 2);
    const marker = L.circleMarker([ev.latitude, ev.longitude], {
      radius,
      color: "#222",
      weight: 1,
      fillColor: COLORS[ev.sub_event_type] || "#555",
      fillOpacity: 0.8,
      className: "tocsin-marker",
    });
    // bindTooltip with a DOM node: Leaflet inserts it as a node, not as HTML
    marker.bindTooltip(el("span", `${ev.event_date || "undated"} · ${ev.location || ev.country || "?"} · ${ev.sub_event_type}`));
    marker.on("click", () => showEvent(ev.event_id));
    marker.addTo(markers);
  }
  if (markers.getLayers().length) map.fitBounds(markers.getBounds().pad(0.3), { maxZoom: 7, animate: false });
}

// -- timeline -------------------------------------------------------------------------------------

// Bins of one day, week (from Monday) or month, chosen by the span, with empty bins kept, so the
// x axis is time. Dates are handled as UTC midnights to stay clear of time zones.
function timelineBins(byDay) {
  const DAY = 86400000;
  const first = Date.parse(byDay[0].key);
  const last = Date.parse(byDay[byDay.length - 1].key);
  const spanDays = (last - first) / DAY;
  const unit = spanDays <= DAILY_UP_TO_DAYS ? "day" : spanDays <= WEEKLY_UP_TO_DAYS ? "week" : "month";
  const binOf = (t) => {
    const d = new Date(t);
    if (unit === "day") return t;
    if (unit === "week") return t - ((d.getUTCDay() + 6) % 7) * DAY;
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  };
  const next = (t) => {
    const d = new Date(t);
    if (unit === "day") return t + DAY;
    if (unit === "week") return t + 7 * DAY;
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  };
  const counts = new Map();
  for (const d of byDay) {
    const bin = binOf(Date.parse(d.key));
    counts.set(bin, (counts.get(bin) || 0) + d.count);
  }
  const bins = [];
  for (let t = binOf(first); t <= last; t = next(t)) bins.push({ key: new Date(t).toISOString().slice(0, 10), count: counts.get(t) || 0 });
  return { unit, bins };
}

function drawTimeline(stats) {
  const box = $("timeline");
  box.replaceChildren();
  if (!stats.by_day.length) {
    box.append(el("p", "No dated events in this selection.", "muted"));
    return;
  }
  const { unit, bins } = timelineBins(stats.by_day);
  const width = 800, height = 120, pad = 24;
  const max = Math.max(...bins.map((d) => d.count));
  const bar = (width - 2 * pad) / bins.length;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "timeline", preserveAspectRatio: "none" });
  bins.forEach((d, i) => {
    if (!d.count) return;
    const h = ((height - 2 * pad) * d.count) / max;
    const rect = svg("rect", {
      x: pad + i * bar, y: height - pad - h, width: Math.max(1, bar * 0.9), height: h, class: "bar",
    });
    const title = svg("title");
    title.textContent = `${unit === "day" ? "" : unit + " of "}${d.key}: ${d.count} event${d.count === 1 ? "" : "s"}`;
    rect.append(title);
    chart.append(rect);
  });
  const label = (x, y, text, anchor) => {
    const t = svg("text", { x, y, "text-anchor": anchor, class: "axis" });
    t.textContent = text;
    chart.append(t);
  };
  label(pad, height - 6, bins[0].key, "start");
  label(width - pad, height - 6, bins[bins.length - 1].key, "end");
  label(pad, pad - 8, `events per ${unit} (max ${max})`, "start");
  box.append(chart);
}

// -- event list and panel --------------------------------------------------------------------------

function drawList(events) {
  const list = $("event-list");
  list.replaceChildren();
  for (const ev of events.slice(0, 200)) {
    const item = el("li");
    const button = el("button", `${ev.event_date || "undated"} — ${ev.location || "?"}, ${ev.country || "?"}`);
    button.type = "button";
    button.className = "event-link";
    button.dataset.eventId = ev.event_id;
    button.addEventListener("click", () => showEvent(ev.event_id));
    item.append(button, el("span", ` ${ev.sub_event_type}`, "muted"));
    list.append(item);
  }
}

function fact(dl, name, value) {
  if (value === null || value === undefined || value === "") return;
  dl.append(el("dt", name), el("dd", value));
}

async function showEvent(eventId) {
  let ev;
  try {
    ev = await getJSON(`/api/events/${encodeURIComponent(eventId)}`);
  } catch (err) {
    setStatus(`Could not load event: ${err.message}`, true);
    return;
  }
  const panel = $("event-panel");
  panel.hidden = false;
  panel.dataset.eventId = ev.event_id;
  $("ev-title").textContent = `${ev.sub_event_type} — ${ev.location || "unknown place"}`;
  const facts = $("ev-facts");
  facts.replaceChildren();
  fact(facts, "Date", ev.event_date || `undated (${ev.date_reason || "no date found"})`);
  fact(facts, "Place", [ev.location, ev.admin1, ev.country].filter(Boolean).join(", "));
  fact(facts, "Type", `${ev.event_type} / ${ev.sub_event_type}`);
  const crowd = ev.crowd_size_low === ev.crowd_size_high ? ev.crowd_size_low : `${ev.crowd_size_low ?? "?"}–${ev.crowd_size_high ?? "?"}`;
  fact(facts, "Crowd", ev.crowd_size_low !== null || ev.crowd_size_high !== null ? crowd : null);
  fact(facts, "Fatalities", ev.fatalities);
  fact(facts, "Injuries", ev.injuries);
  fact(facts, "Arrests", ev.arrests);
  fact(facts, "Issue", ev.issue);
  fact(facts, "Actors", ev.actors.join(", "));
  fact(facts, "Certainty", ev.certainty);
  fact(facts, "Event id", ev.event_id);

  const sources = $("ev-sources");
  sources.replaceChildren();
  for (const s of ev.sources) {
    const item = el("li");
    const label = s.title || s.url || s.doc_id;
    const href = s.url ? safeUrl(s.url) : null;
    if (href) {
      const a = el("a", label);
      a.href = href;
      a.rel = "noopener noreferrer nofollow";
      a.target = "_blank";
      item.append(a);
    } else {
      item.append(el("span", label));
    }
    item.append(el("span", ` ${[s.outlet, s.published].filter(Boolean).join(", ")}`, "muted"));
    sources.append(item);
  }

  const docs = $("ev-documents");
  docs.replaceChildren();
  const docIds = [...new Set(ev.evidence.map((e) => e.doc_id))];
  for (const docId of docIds) {
    try {
      docs.append(renderDocument(await getJSON(`/api/documents/${encodeURIComponent(docId)}`), ev.event_id));
    } catch (err) {
      docs.append(el("p", `Document ${docId}: ${err.message}`, "error"));
    }
  }
  const first = docs.querySelector("mark.this-event");
  if (first) first.scrollIntoView({ block: "nearest" });
}

// The article as text, its evidence sentences wrapped in <mark> (this event's stronger).
function renderDocument(doc, eventId) {
  const box = el("article", null, "document");
  box.dataset.docId = doc.doc_id;
  box.append(el("h4", doc.title || doc.doc_id));
  const body = el("div", null, "document-text");
  body.id = `doc-text-${doc.doc_id}`;
  const text = doc.text || "";
  // keep the marks that do not overlap an earlier one; this event's marks first
  const marks = [...doc.evidence].sort((a, b) => (a.event_id === eventId ? 0 : 1) - (b.event_id === eventId ? 0 : 1) || a.start - b.start);
  const kept = [];
  for (const m of marks) {
    if (m.start < 0 || m.end > text.length || m.start >= m.end) continue;
    if (kept.some((k) => m.start < k.end && k.start < m.end)) continue;
    kept.push(m);
  }
  kept.sort((a, b) => a.start - b.start);
  let at = 0;
  for (const m of kept) {
    body.append(document.createTextNode(text.slice(at, m.start)));
    const mark = el("mark", text.slice(m.start, m.end), m.event_id === eventId ? "this-event" : "other-event");
    mark.title = m.event_id === eventId ? "evidence for this event" : `evidence for event ${m.event_id}`;
    body.append(mark);
    at = m.end;
  }
  body.append(document.createTextNode(text.slice(at)));
  box.append(body);
  return box;
}

// -- loading --------------------------------------------------------------------------------------

async function refresh() {
  const params = filterParams();
  const query = params.toString();
  $("dl-csv").href = `/api/events.csv${query ? "?" + query : ""}`;
  $("dl-geojson").href = `/api/events.geojson${query ? "?" + query : ""}`;
  params.set("limit", String(MAP_LIMIT));
  params.set("sort", "-date");
  setStatus("Loading…");
  try {
    const [page, stats] = await Promise.all([
      getJSON(`/api/events?${params}`),
      getJSON(`/api/stats${query ? "?" + query : ""}`),
    ]);
    drawMarkers(page.events);
    drawTimeline(stats);
    drawList(page.events);
    const shown = page.events.length < page.total ? ` (the ${page.events.length} most recent on the map)` : "";
    setStatus(`${page.total} event${page.total === 1 ? "" : "s"}${shown}, ${stats.fatalities} fatalities.`);
    document.body.dataset.loaded = "true";
  } catch (err) {
    setStatus(`Could not load events: ${err.message}`, true);
  }
}

async function initFilters() {
  const [meta, stats] = await Promise.all([getJSON("/api/meta"), getJSON("/api/stats")]);
  const countries = $("f-country");
  for (const c of stats.by_country) {
    if (!c.key) continue;
    const option = el("option", `${c.key} (${c.count})`);
    option.value = c.key;
    countries.append(option);
  }
  const types = $("f-type");
  const groups = {};
  for (const [sub, parent] of Object.entries(meta.sub_event_types)) (groups[parent] ||= []).push(sub);
  for (const [parent, subs] of Object.entries(groups)) {
    const option = el("option", parent);
    option.value = parent;
    types.append(option);
    for (const sub of subs) {
      const child = el("option", `  ${sub}`);
      child.value = sub;
      types.append(child);
    }
  }
  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    refresh();
  });
  for (const id of ["f-country", "f-type"]) $(id).addEventListener("change", refresh);
  $("f-reset").addEventListener("click", () => {
    $("filters").reset();
    refresh();
  });
}

window.addEventListener("DOMContentLoaded", async () => {
  initMap();
  try {
    await initFilters();
  } catch (err) {
    setStatus(`Could not reach the API: ${err.message}`, true);
    return;
  }
  await refresh();
});
