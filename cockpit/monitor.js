// SPDX-License-Identifier: MIT
/* Monitor: the kernel's mode, its counters per rule and per filter kept
 * fresh every few seconds (pausable), a chart of drops over time, the
 * agent's drop events as they arrive (with their export), the compiled
 * filter table, host facts and the agent's dynamic SPD. */
"use strict";

const live = { timer: null, paused: false, seconds: 5, samples: [], lastTotal: null, seenEvents: null };
const CHART_SAMPLES = 60;
const DROP_EVENTS = [4280, 4281, 4284];

function renderMode(m) {
    const pend = m.pending;
    return dl([["Mode", m.mode], ["In force", m.generation || "(nothing compiled)"],
        ["Waiting for confirm", pend ? `policy '${pend.policy || "(none)"}' in the ${pend.store} store, ${pend.seconds_left} s left` : "no"],
        ["Domain policy", m.domain ? m.domain.policy + (m.domain.server ? " (from " + m.domain.server + ", fetched " + m.domain.fetched + ")" : "") : "none"]]);
}

function renderTable(entries) {
    const search = el("input", { class: "pf-c-form-control ipsecfw-search", type: "search", id: "table-search",
        "aria-label": "Search the filter table", placeholder: "Search filters" });
    const rows = entries.map(e => [String(e.entry), e.match, e.action, e.filterlist || e.exemption || "", e.rule || "", e.policy || "", e.weight]);
    const headers = ["#", "Match", "Action", "Filter list", "Rule", "Policy", "Weight"];
    const holder = el("div", {});
    const draw = () => {
        const q = search.value.toLowerCase();
        holder.replaceChildren(table("Compiled filter table", headers, rows.filter(r => r.join(" ").toLowerCase().includes(q)), "ipsecfw-filter-table"));
    };
    search.addEventListener("input", draw);
    draw();
    return [el("label", { for: "table-search", class: "pf-c-form__label", text: "Search" }), search, holder];
}

function renderFacts(f) {
    const list = a => (a && a.length ? a.map(x => x.address || x).join(", ") : "none");
    return dl([["Me", list(f.me)], ["DNS", list(f.dns)], ["WINS", list(f.wins)], ["DHCP", list(f.dhcp)], ["Gateway", list(f.gateway)]]);
}

/* `show stats`: drops per reason, then packets and bytes per filter and per
 * rule, each way (in / out); with filtercounters=0 the kernel counts no
 * filter, and the page says so rather than show empty tables. */
function renderStats(s) {
    const io = (r, k) => r["in_" + k] + " / " + r["out_" + k];
    const drops = [heading("Drops per reason"), table("Drops per reason", ["Direction", "Reason", "Packets", "Bytes"],
                  s.drops.map(d => [d.direction, d.reason, String(d.packets), String(d.bytes)]), "ipsecfw-drops")];
    if (s.filter_counters === false)
        return [...drops, heading("Packets and bytes per filter and per rule"),
                el("p", { id: "filter-counters-off", class: "ipsecfw-note",
                          text: "Not counted: per-filter counters are off (dynamic set config property=filtercounters value=1 turns them on)." })];
    return [...drops,
            heading("Packets and bytes per filter"), table("Packets and bytes per filter", ["Filter", "Packets in / out", "Bytes in / out"],
                  s.filters.map(f => [f.filter, io(f, "packets"), io(f, "bytes")]), "ipsecfw-filter-counts"),
            heading("Packets and bytes per rule"), table("Packets and bytes per rule", ["Rule", "Policy", "Packets in / out", "Bytes in / out"],
                  s.rules.map(r => [r.rule, r.policy, io(r, "packets"), io(r, "bytes")]), "ipsecfw-rule-counts")];
}

/* The drops of each refresh interval (the kernel's drop counters, summed,
 * less the last sample), as an SVG line the page draws itself. */
const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
}

function drawChart() {
    const holder = document.getElementById("chart-body");
    if (!holder) return;
    const s = live.samples, w = 600, h = 140, left = 40, bottom = 20;
    const max = Math.max(1, ...s.map(x => x.drops));
    const x = i => left + (w - left - 10) * (s.length < 2 ? 1 : i / (CHART_SAMPLES - 1));
    const y = v => h - bottom - (h - bottom - 10) * v / max;
    const last = s.length ? s[s.length - 1].drops : 0, total = s.reduce((a, b) => a + b.drops, 0);
    const summary = `${last} packets dropped in the last ${live.seconds} s; ${total} in the ${s.length} intervals shown; at most ${max} in one.`;
    const chart = svg("svg", { viewBox: `0 0 ${w} ${h}`, class: "ipsecfw-chart", role: "img", "aria-labelledby": "chart-title chart-summary", id: "drop-chart" });
    chart.append(svg("title", { id: "chart-title" }, "Dropped packets per refresh interval"),
                 svg("line", { x1: left, y1: h - bottom, x2: w - 10, y2: h - bottom, class: "ipsecfw-axis" }),
                 svg("line", { x1: left, y1: 10, x2: left, y2: h - bottom, class: "ipsecfw-axis" }),
                 svg("text", { x: left - 4, y: 14, "text-anchor": "end", class: "ipsecfw-chart-label" }, String(max)),
                 svg("text", { x: left - 4, y: h - bottom, "text-anchor": "end", class: "ipsecfw-chart-label" }, "0"),
                 svg("text", { x: w - 10, y: h - 4, "text-anchor": "end", class: "ipsecfw-chart-label" }, "now"),
                 svg("text", { x: left, y: h - 4, class: "ipsecfw-chart-label" }, `${CHART_SAMPLES} intervals ago`));
    const start = CHART_SAMPLES - s.length;
    if (s.length)
        chart.append(svg("polyline", { class: "ipsecfw-chart-line", points: s.map((p, i) => `${x(start + i)},${y(p.drops)}`).join(" ") }));
    holder.replaceChildren(chart, el("p", { id: "chart-summary", class: "ipsecfw-note", text: summary }));
}

function sampleDrops(stats) {
    const total = stats.drops.reduce((a, d) => a + d.packets, 0);
    if (live.lastTotal !== null) {
        live.samples.push({ t: Date.now(), drops: Math.max(0, total - live.lastTotal) });
        if (live.samples.length > CHART_SAMPLES) live.samples.shift();
    }
    live.lastTotal = total;
    drawChart();
}

/* The agent's drop records (4280 in, 4281 out, 4284 past the cap) of the
 * last hour, newest first, each with the filter, rule and policy that
 * dropped it. */
function eventsSince() {
    return new Date(Date.now() - 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
}

function refreshEvents() {
    const body = document.getElementById("events-body");
    if (!body) return Promise.resolve();
    return run(["log", "export", "--since", eventsSince()]).then(evs => {
        const drops = (evs || []).filter(e => DROP_EVENTS.includes(e.id)).reverse();
        const fresh = live.seenEvents === null ? 0 : Math.max(0, drops.length - live.seenEvents);
        live.seenEvents = drops.length;
        const rows = drops.slice(0, 100).map(e => [e.time, e.id === 4284 ? "suppressed" : e.direction, e.protocol || "",
            (e.src || "") + (e.sport ? ":" + e.sport : ""), (e.dst || "") + (e.dport ? ":" + e.dport : ""), String(e.count || ""),
            e.filter || "", e.rule || "", e.policy || "", e.reason || e.message || ""]);
        body.replaceChildren(el("p", { id: "events-new", role: "status", class: "ipsecfw-note",
                                       text: drops.length ? `${drops.length} drop records in the last hour${fresh ? ", " + fresh + " new" : ""}.` : "No drop records in the last hour." }),
                             drops.length ? table("Drop events", ["Time", "Direction", "Protocol", "Source", "Destination", "Count", "Filter", "Rule", "Policy", "Reason"], rows, "ipsecfw-events") : null);
    }).catch(ex => body.replaceChildren(alertBox("warning", ex.message)));
}

/* The export, as `ipsecfw log export` writes it (W3C extended or CSV). */
function exportEvents(format) {
    const args = ["log", "export", "--format", format];
    const status = document.getElementById("events-export-status");
    status.replaceChildren(el("pre", { class: "ipsecfw-cmd", text: commandLine(args) }));
    spawn(args).then(text => status.append(downloadLink("events-download", "ipsecfw-events." + (format === "csv" ? "csv" : "log"), text,
                                                        format === "csv" ? "text/csv" : "text/plain")))
            .catch(ex => status.append(alertBox("danger", ex.message)));
}

/* Rows of objects as a table: every key a column. */
function objectsTable(label, items, cls) {
    if (!items || !items.length) return el("p", { text: "none" });
    const keys = [...new Set(items.flatMap(o => Object.keys(o)))];
    const cell = v => (v === null || v === undefined ? "" : Array.isArray(v) ? v.map(cell).join(", ")
                       : typeof v === "object" ? Object.entries(v).map(([k, x]) => k + "=" + cell(x)).join(" ") : String(v));
    return table(label, keys, items.map(o => keys.map(k => cell(o[k]))), cls);
}

function renderDynamic(d) {
    return [heading("Main mode policies"), objectsTable("Main mode policies", d.mmpolicies, "ipsecfw-mmpolicies"),
            heading("Quick mode policies"), objectsTable("Quick mode policies", d.qmpolicies, "ipsecfw-qmpolicies"),
            heading("Rules"), objectsTable("Dynamic rules", d.rules, "ipsecfw-dynamic-rules")];
}

function renderDynamicStats(s) {
    const scalars = o => Object.entries(o || {}).filter(([, v]) => v === null || typeof v !== "object").map(([k, v]) => [k.replace(/_/g, " "), v === null ? "none" : String(v)]);
    return [heading("IKE"), dl(scalars(s.ike)), heading("IPsec"), dl(scalars(s.ipsec))];
}

function section(into, id, title, args, render) {
    const body = el("div", { id: id + "-body" }, "Loading…");
    into.append(card(title, id, body));
    return refreshSection(id, args, render);
}

function refreshSection(id, args, render) {
    const body = document.getElementById(id + "-body");
    if (!body) return Promise.resolve();
    return run(args).then(d => { body.replaceChildren(...[].concat(render(d))); return d; })
            .catch(ex => { body.replaceChildren(alertBox("warning", ex.message)); return null; });
}

/* What the timer refreshes: mode, counters, the chart and the events (the
 * table, facts and SPD are redrawn by Refresh, so a search is kept). */
function refreshLive() {
    refreshSection("mode", ["show", "mode"], renderMode);
    refreshSection("stats", ["show", "stats"], renderStats).then(s => { if (s) sampleDrops(s); });
    refreshEvents();
}

function scheduleLive() {
    clearInterval(live.timer);
    live.timer = null;
    if (!live.paused && !document.getElementById("view-monitor").hidden)
        live.timer = setInterval(refreshLive, live.seconds * 1000);
}

function monitorLeave() {
    clearInterval(live.timer);
    live.timer = null;
}

function liveToolbar() {
    const interval = el("select", { class: "pf-c-form-control", id: "refresh-interval" },
                        [2, 5, 10, 30].map(n => el("option", { value: String(n), text: n + " s", selected: n === live.seconds ? true : null })));
    interval.addEventListener("change", () => {
        live.seconds = Number(interval.value);
        live.samples = [];
        drawChart();
        showLiveState();
        scheduleLive();
    });
    const pause = button(live.paused ? "Resume" : "Pause", "secondary", () => {
        live.paused = !live.paused;
        pause.textContent = live.paused ? "Resume" : "Pause";
        pause.setAttribute("aria-pressed", String(live.paused));
        showLiveState();
        scheduleLive();
    }, { id: "monitor-pause", "aria-pressed": String(live.paused) });
    return el("div", { class: "pf-c-toolbar ipsecfw-toolbar" },
              button("Refresh", "secondary", showMonitor, { id: "monitor-refresh" }),
              el("label", { class: "pf-c-form__label", for: "refresh-interval", text: "Refresh every" }), interval, pause,
              el("span", { id: "live-state", role: "status", class: "ipsecfw-note", text: liveState() }));
}

function liveState() {
    return live.paused ? "Paused." : `Refreshing every ${live.seconds} s.`;
}

function showLiveState() {
    document.getElementById("live-state").textContent = liveState();
}

function showMonitor() {
    const v = document.getElementById("view-monitor");
    v.replaceChildren(liveToolbar());
    const top = el("div", { class: "ipsecfw-grid" });
    v.append(top);
    section(top, "mode", "Mode", ["show", "mode"], renderMode);
    top.append(card("Drops over time", "chart", el("div", { id: "chart-body" })));
    drawChart();
    v.append(card("Drop events", "events",
                    el("div", { class: "ipsecfw-toolbar" },
                       button("Export W3C", "secondary", () => exportEvents("w3c"), { id: "events-w3c" }),
                       button("Export CSV", "secondary", () => exportEvents("csv"), { id: "events-csv" })),
                    el("div", { id: "events-export-status", "aria-live": "polite" }),
                    el("div", { id: "events-body" }, "Loading…")));
    refreshEvents();
    section(v, "stats", "Statistics", ["show", "stats"], renderStats).then(s => { if (s) sampleDrops(s); });
    section(v, "table", "Filter table", ["show", "table"], renderTable);
    const grid = el("div", { class: "ipsecfw-grid" });
    v.append(grid);
    section(grid, "facts", "Host facts", ["show", "facts"], renderFacts);
    section(grid, "dynstats", "Agent statistics (dynamic show stats)", ["dynamic", "show", "stats"], renderDynamicStats);
    section(v, "dynamic", "Dynamic SPD (dynamic show all)", ["dynamic", "show", "all"], renderDynamic);
    scheduleLive();
}
