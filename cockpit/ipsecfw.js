// SPDX-License-Identifier: MIT
/* The ipsecfw console page. It holds no policy logic: every view is the
 * JSON of `ipsecfw -j ...` and every change is one ipsecfw command, shown
 * beside its form, so the CLI validates it and its message is shown as is. */
"use strict";

const CMD = "ipsecfw";
let admin = true;           /* false: read-only view, no forms */
let confirmTimer = null;

/* ---- helpers ---- */

function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (k === "class") e.className = v;
        else if (k === "text") e.textContent = v;
        else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
        else if (v !== false && v !== null && v !== undefined) e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
        if (c === null || c === undefined) continue;
        e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
}

function quote(a) {
    return /^[\w.:/=@%+,-]+$/.test(a) ? a : "'" + a.replace(/'/g, "'\\''") + "'";
}

function commandLine(args) {
    return [CMD].concat(args).map(quote).join(" ");
}

/* Runs ipsecfw ARGS as root where the user may; resolves with its output,
 * rejects with the CLI's own message (its standard error, verbatim). */
function spawn(args) {
    return new Promise((resolve, reject) => {
        cockpit.spawn([CMD].concat(args), { superuser: "try", err: "message" })
                .then(resolve, ex => reject(new Error((ex.message || String(ex)).trim())));
    });
}

/* `ipsecfw -j ARGS`, parsed (null for no output). */
function run(args) {
    return spawn(["-j"].concat(args)).then(out => (out.trim() ? JSON.parse(out) : null));
}

/* A change: resolves with what the CLI printed on success. */
function change(args) {
    return spawn(args);
}

function card(title, id, ...body) {
    return el("article", { class: "pf-c-card ipsecfw-card", id, "aria-labelledby": id + "-title" },
              el("div", { class: "pf-c-card__title" },
                 el("h2", { class: "pf-c-title pf-m-lg", id: id + "-title", text: title })),
              el("div", { class: "pf-c-card__body" }, body));
}

function alertBox(kind, text) {
    return el("div", { class: "pf-c-alert pf-m-inline pf-m-" + kind, role: kind === "danger" ? "alert" : "status" },
              el("p", { class: "pf-c-alert__title" }, text));
}

function table(label, headers, rows, cls) {
    return el("table", { class: "pf-c-table pf-m-compact pf-m-grid-md " + (cls || ""), role: "grid", "aria-label": label },
              el("thead", {}, el("tr", {}, headers.map(h => el("th", { scope: "col", text: h })))),
              el("tbody", {}, rows.map(r => el("tr", {}, r.map((c, i) =>
                  el("td", { "data-label": headers[i] }, c === null || c === undefined ? "" : c))))));
}

function dl(pairs) {
    return el("dl", { class: "pf-c-description-list pf-m-horizontal" },
              pairs.map(([k, v]) => el("div", { class: "pf-c-description-list__group" },
                                       el("dt", { class: "pf-c-description-list__term" }, el("span", { class: "pf-c-description-list__text", text: k })),
                                       el("dd", { class: "pf-c-description-list__description" }, el("div", { class: "pf-c-description-list__text" }, v)))));
}

function button(label, kind, onclick, extra) {
    return el("button", Object.assign({ class: "pf-c-button pf-m-" + kind, type: "button", onclick }, extra || {}), label);
}

/* A form that runs one ipsecfw command: its fields make the arguments, the
 * command line is shown live, and a refusal shows the CLI's message inline. */
function commandForm(id, title, fields, makeArgs, done) {
    const cmd = el("pre", { class: "ipsecfw-cmd", id: id + "-cmd", "aria-live": "polite", "aria-label": "Command this form runs" });
    const result = el("div", { id: id + "-result", "aria-live": "polite" });
    const inputs = {};
    const controls = fields.map(f => {
        const fid = id + "-" + f.name;
        let input;
        if (f.options) {
            input = el("select", { class: "pf-c-form-control", id: fid, name: f.name },
                       f.options.map(o => el("option", { value: o, text: o || "(default)" })));
        } else if (f.check) {
            input = el("input", { type: "checkbox", id: fid, name: f.name, checked: f.checked ? true : null });
        } else {
            input = el("input", { class: "pf-c-form-control", type: "text", id: fid, name: f.name, placeholder: f.placeholder || "" });
        }
        inputs[f.name] = input;
        return el("div", { class: "pf-c-form__group" },
                  el("label", { class: "pf-c-form__label", for: fid }, el("span", { class: "pf-c-form__label-text", text: f.label })),
                  input);
    });
    const values = () => {
        const v = {};
        for (const [k, i] of Object.entries(inputs)) v[k] = i.type === "checkbox" ? i.checked : i.value.trim();
        return v;
    };
    const update = () => { cmd.textContent = commandLine(makeArgs(values())); };
    const form = el("form", { class: "pf-c-form", id, "aria-label": title, novalidate: true,
        onsubmit: ev => {
            ev.preventDefault();
            const args = makeArgs(values());
            result.replaceChildren();
            change(args).then(out => {
                result.replaceChildren(alertBox("success", out.trim() || "Done: " + commandLine(args)));
                done();
            }).catch(ex => result.replaceChildren(alertBox("danger", ex.message)));
        }
    }, el("div", { class: "ipsecfw-form" }, controls), cmd,
    el("div", { class: "pf-c-form__actions" }, el("button", { class: "pf-c-button pf-m-primary", type: "submit", id: id + "-submit" }, title)),
    result);
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
    return form;
}

function opt(args, key, value) {
    if (value !== "" && value !== undefined) args.push(key + "=" + value);
    return args;
}

/* ---- Monitor ---- */

function renderMode(m) {
    const pend = m.pending;
    return dl([["Mode", m.mode], ["In force", m.generation || "(nothing compiled)"],
        ["Waiting for confirm", pend ? `policy '${pend.policy || "(none)"}' in the ${pend.store} store, ${pend.seconds_left} s left` : "no"]]);
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
 * rule, each way (in / out). */
function renderStats(s) {
    const io = (r, k) => r["in_" + k] + " / " + r["out_" + k];
    const h = t => el("h3", { class: "pf-c-title pf-m-md", text: t });
    return [h("Drops per reason"), table("Drops per reason", ["Direction", "Reason", "Packets", "Bytes"],
                  s.drops.map(d => [d.direction, d.reason, String(d.packets), String(d.bytes)]), "ipsecfw-drops"),
            h("Packets and bytes per filter"), table("Packets and bytes per filter", ["Filter", "Packets in / out", "Bytes in / out"],
                  s.filters.map(f => [f.filter, io(f, "packets"), io(f, "bytes")]), "ipsecfw-filter-counts"),
            h("Packets and bytes per rule"), table("Packets and bytes per rule", ["Rule", "Policy", "Packets in / out", "Bytes in / out"],
                  s.rules.map(r => [r.rule, r.policy, io(r, "packets"), io(r, "bytes")]), "ipsecfw-rule-counts")];
}

function section(into, id, title, args, render) {
    const body = el("div", { id: id + "-body" }, "Loading…");
    into.append(card(title, id, body));
    run(args).then(d => body.replaceChildren(...[].concat(render(d))))
            .catch(ex => body.replaceChildren(alertBox("warning", ex.message)));
}

function showMonitor() {
    const v = document.getElementById("view-monitor");
    v.replaceChildren(el("div", { class: "pf-c-toolbar" }, button("Refresh", "secondary", showMonitor, { id: "monitor-refresh" })));
    section(v, "mode", "Mode", ["show", "mode"], renderMode);
    section(v, "table", "Filter table", ["show", "table"], renderTable);
    const grid = el("div", { class: "ipsecfw-grid" });
    v.append(grid);
    section(grid, "facts", "Host facts", ["show", "facts"], renderFacts);
    section(grid, "stats", "Statistics", ["show", "stats"], renderStats);
}

/* ---- Policy Management ---- */

function deleteButton(what, args) {
    if (!admin) return null;
    return button("Delete", "link pf-m-danger", () => {
        change(args).then(showPolicies).catch(ex => {
            document.getElementById("policies-error").replaceChildren(alertBox("danger", ex.message));
        });
    }, { "aria-label": "Delete " + what, title: commandLine(args) });
}

function assignButton(p) {
    if (!admin) return null;
    if (p.assigned) {
        const args = ["static", "set", "policy", "name=" + p.name, "assign=no"];
        return button("Unassign", "link", () => change(args).then(showPolicies).catch(ex =>
            document.getElementById("policies-error").replaceChildren(alertBox("danger", ex.message))),
        { "aria-label": "Unassign " + p.name, title: commandLine(args) });
    }
    return button("Assign…", "link", () => safeAssign(p.name), { "aria-label": "Assign " + p.name });
}

/* Safe assign: `confirm=SECONDS` makes the CLI put the previous assignment
 * back by itself unless `ipsecfw confirm` comes in time, so a page that
 * lost its connection needs to do nothing for the rollback to happen. */
function safeAssign(name) {
    const seconds = document.getElementById("confirm-seconds").value || "60";
    const args = ["static", "set", "policy", "name=" + name, "assign=yes", "confirm=" + seconds];
    const box = document.getElementById("assign-status");
    box.replaceChildren(el("pre", { class: "ipsecfw-cmd", text: commandLine(args) }));
    /* The CLI's watcher keeps the command's output open until the deadline
     * or the confirm, so the countdown starts once the assignment shows up
     * as pending rather than when the command ends. */
    let refused = false;
    change(args).catch(ex => { refused = true; clearInterval(confirmTimer); box.append(alertBox("danger", ex.message)); });
    setTimeout(() => { if (!refused) watchConfirm(); }, 700);
}

function watchConfirm() {
    const box = document.getElementById("assign-status");
    clearInterval(confirmTimer);
    const tick = () => run(["show", "mode"]).then(m => {
        const p = m && m.pending;
        if (!p) {
            clearInterval(confirmTimer);
            box.replaceChildren(alertBox("info", "No assignment waits for a confirm."));
            showPolicies();
            return;
        }
        const shown = document.getElementById("countdown");
        if (shown) {    /* only the seconds change: Keep keeps its focus */
            shown.textContent = p.seconds_left + " s";
            return;
        }
        box.replaceChildren(alertBox("warning", ""),
                            el("p", {}, "Policy '" + p.policy + "' is assigned for now: ",
                               el("span", { class: "ipsecfw-countdown", id: "countdown", role: "timer", text: p.seconds_left + " s" }),
                               " left before the previous assignment comes back. "),
                            el("pre", { class: "ipsecfw-cmd", text: commandLine(["confirm"]) }),
                            button("Keep", "primary", () => change(["confirm"]).then(tick), { id: "keep" }));
        box.firstChild.firstChild.textContent = "Keep this assignment?";
    }).catch(ex => box.replaceChildren(alertBox("danger", ex.message)));
    tick();
    confirmTimer = setInterval(tick, 1000);
}

function renderPolicies(v, all) {
    const pol = all.policies.map(p => [p.name, p.assigned ? "yes" : "no", p.description, String(p.pollinginterval),
        el("span", {}, assignButton(p), deleteButton("policy " + p.name, ["static", "delete", "policy", "name=" + p.name]))]);
    v.append(card("Policies", "policies", el("div", { id: "policies-error", "aria-live": "polite" }),
                  table("Policies", ["Name", "Assigned", "Description", "Polling interval", ""], pol),
                  admin ? el("div", { class: "pf-c-form__group" },
                             el("label", { class: "pf-c-form__label", for: "confirm-seconds", text: "Seconds to confirm an assignment" }),
                             el("input", { class: "pf-c-form-control", id: "confirm-seconds", type: "number", min: "2", max: "86400", value: "60" })) : null,
                  el("div", { id: "assign-status", "aria-live": "polite" })));

    const rules = [];
    for (const p of all.policies) for (const r of p.rules) {
        rules.push([p.name, r.name, el("a", { href: "#fl-" + encodeURIComponent(r.filterlist), text: r.filterlist }), r.filteraction, r.action, r.active ? "yes" : "no",
            deleteButton("rule " + r.name, ["static", "delete", "rule", "name=" + r.name, "policy=" + p.name])]);
    }
    v.append(card("Rules", "rules", table("Rules", ["Policy", "Rule", "Filter list", "Filter action", "Action", "Active", ""], rules)));

    const lists = all.filterlists.map(fl => el("div", { id: "fl-" + encodeURIComponent(fl.name), class: "ipsecfw-card", tabindex: "-1" },
        el("h3", { class: "pf-c-title pf-m-md" }, fl.name, " ", deleteButton("filter list " + fl.name, ["static", "delete", "filterlist", "name=" + fl.name])),
        table("Filters of " + fl.name, ["Source", "Source mask", "Destination", "Destination mask", "Protocol", "Source port", "Destination port", "Mirrored"],
              fl.filters.map(f => [f.srcaddr, f.srcmask || "", f.dstaddr, f.dstmask || "", f.protocol, f.srcport, f.dstport, f.mirrored ? "yes" : "no"]))));
    v.append(card("Filter lists", "filterlists", lists));

    v.append(card("Filter actions", "filteractions", table("Filter actions", ["Name", "Action", "Inpass", "Soft", "Description", ""],
        all.filteractions.map(a => [a.name, a.action, a.inpass === undefined ? "" : (a.inpass ? "yes" : "no"), a.soft === undefined ? "" : (a.soft ? "yes" : "no"), a.description,
            deleteButton("filter action " + a.name, ["static", "delete", "filteraction", "name=" + a.name])]))));

    if (!admin) return;
    const names = all.filterlists.map(f => f.name);
    v.append(card("Add", "add",
        el("div", { class: "ipsecfw-grid" },
           commandForm("add-policy", "Add policy", [{ name: "name", label: "Name" }, { name: "description", label: "Description" }],
                       f => opt(opt(["static", "add", "policy"], "name", f.name), "description", f.description), showPolicies),
           commandForm("add-filterlist", "Add filter list", [{ name: "name", label: "Name" }],
                       f => opt(["static", "add", "filterlist"], "name", f.name), showPolicies),
           commandForm("add-filteraction", "Add filter action", [{ name: "name", label: "Name" },
               { name: "action", label: "Action", options: ["permit", "block", "negotiate"] },
               { name: "inpass", label: "Inpass", options: ["", "yes", "no"] }, { name: "soft", label: "Soft", options: ["", "yes", "no"] }],
           f => opt(opt(opt(opt(["static", "add", "filteraction"], "name", f.name), "action", f.action), "inpass", f.inpass), "soft", f.soft), showPolicies),
           commandForm("add-filter", "Add filter", [{ name: "filterlist", label: "Filter list", options: names },
               { name: "srcaddr", label: "Source address", placeholder: "me, any, 192.0.2.1" }, { name: "srcmask", label: "Source mask" },
               { name: "dstaddr", label: "Destination address" }, { name: "dstmask", label: "Destination mask" },
               { name: "protocol", label: "Protocol", options: ["", "any", "tcp", "udp", "icmp"] },
               { name: "srcport", label: "Source port" }, { name: "dstport", label: "Destination port" },
               { name: "mirrored", label: "Mirrored", options: ["", "yes", "no"] }],
           f => ["srcaddr", "srcmask", "dstaddr", "dstmask", "protocol", "srcport", "dstport", "mirrored"]
                   .reduce((a, k) => opt(a, k, f[k]), opt(["static", "add", "filter"], "filterlist", f.filterlist)), showPolicies),
           commandForm("add-rule", "Add rule", [{ name: "policy", label: "Policy", options: all.policies.map(p => p.name) },
               { name: "name", label: "Name" }, { name: "filterlist", label: "Filter list", options: names },
               { name: "filteraction", label: "Filter action", options: all.filteractions.map(a => a.name) }],
           f => ["name", "policy", "filterlist", "filteraction"].reduce((a, k) => opt(a, k, f[k]), ["static", "add", "rule"]), showPolicies))));
}

function showPolicies() {
    const v = document.getElementById("view-policies");
    run(["static", "show", "all"]).then(all => {
        const keep = document.getElementById("assign-status");
        v.replaceChildren();
        renderPolicies(v, all);
        if (keep && keep.childNodes.length) document.getElementById("assign-status").replaceChildren(...keep.childNodes);
    }).catch(ex => v.replaceChildren(alertBox("danger", ex.message)));
}

/* ---- Questions ---- */

function entryLink(e) {
    if (!e) return "none";
    const link = e.filterlist
        ? el("a", { href: "#fl-" + encodeURIComponent(e.filterlist), class: "ipsecfw-filter-link",
                    onclick: ev => { ev.preventDefault(); selectTab("tab-policies"); setTimeout(() => { const t = document.getElementById("fl-" + encodeURIComponent(e.filterlist)); if (t) { t.scrollIntoView(); t.focus(); } }, 300); } },
             "filter " + e.filter + " of '" + e.filterlist + "'")
        : (e.exemption || "");
    return el("span", {}, e.match + " (" + e.action + ") ", link, e.rule ? " rule '" + e.rule + "' of policy '" + e.policy + "'" : "");
}

function showQuestions() {
    const v = document.getElementById("view-questions");
    const out = el("div", { id: "whatif-answer", "aria-live": "polite" });
    const fields = [{ name: "dir", label: "Direction", options: ["out", "in"] },
        { name: "proto", label: "Protocol", options: ["tcp", "udp", "icmp"] },
        { name: "src", label: "Source", placeholder: "me:51000" }, { name: "dst", label: "Destination", placeholder: "192.0.2.1:22" }];
    const form = commandForm("whatif", "Test", fields, f => ["test", f.dir, f.proto, f.src, f.dst], () => {});
    form.onsubmit = null;
    form.addEventListener("submit", ev => {
        ev.preventDefault();
        ev.stopImmediatePropagation();
        const f = Object.fromEntries(fields.map(x => [x.name, form.elements[x.name].value.trim()]));
        run(["test", f.dir, f.proto, f.src, f.dst]).then(r => out.replaceChildren(dl([
            ["Packet", r.packet], ["Verdict", el("strong", { id: "verdict", text: r.verdict })], ["Reason", r.reason],
            ["Decided by", entryLink(r.decided_by)],
            ["Lost", r.lost.length ? el("ul", {}, r.lost.map(l => el("li", {}, entryLink(l)))) : "none"]])))
                .catch(ex => out.replaceChildren(alertBox("danger", ex.message)));
    }, true);
    v.replaceChildren(card("What if", "whatif-card", form, out));
    section(v, "analyze", "Analysis", ["analyze"], findings => findings.length
        ? table("Findings", ["Kind", "Filter", "Meaning", "Witness"],
                findings.map(f => [f.kind, entryLink(f.entry), f.filter + ": " + f.meaning, f.witness || ""]))
        : el("p", { text: "No shadowed, conflicting, redundant or empty filters." }));
}

/* ---- tabs (WAI-ARIA tabs pattern: arrow keys move between them) ---- */

const views = { "tab-monitor": showMonitor, "tab-policies": showPolicies, "tab-questions": showQuestions };

function selectTab(id) {
    for (const t of document.querySelectorAll("[role=tab]")) {
        const on = t.id === id;
        t.setAttribute("aria-selected", on);
        t.tabIndex = on ? 0 : -1;
        t.parentElement.classList.toggle("pf-m-current", on);
        document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
    views[id]();
}

function init() {
    const tabs = Array.from(document.querySelectorAll("[role=tab]"));
    tabs.forEach((t, i) => {
        t.addEventListener("click", () => selectTab(t.id));
        t.addEventListener("keydown", ev => {
            const d = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
            if (!d) return;
            const n = tabs[(i + d + tabs.length) % tabs.length];
            n.focus();
            selectTab(n.id);
        });
    });
    const perm = cockpit.permission({ admin: true });
    // The permission is known at once or a moment later ("changed"): the
    // view is drawn again only when what it offers changes, so a search
    // being typed is not wiped by a second, identical drawing.
    let drawn = false;
    const apply = () => {
        const was = admin;
        admin = perm.allowed !== false;
        document.getElementById("access").textContent = admin
            ? "Administrative access: changes run ipsecfw as root."
            : "Read-only view: you do not have administrative access.";
        if (drawn && was === admin)
            return;
        drawn = true;
        const current = tabs.find(t => t.getAttribute("aria-selected") === "true");
        selectTab(current.id);
    };
    perm.addEventListener("changed", apply);
    apply();
    const h = cockpit.location.path[0];
    if (h && views["tab-" + h]) selectTab("tab-" + h);
}

document.addEventListener("DOMContentLoaded", init);
