// SPDX-License-Identifier: MIT
/* The ipsecfw console page: the Questions view, the tabs and the start.
 * common.js has what the views share; monitor.js and policies.js the
 * other two views. */
"use strict";

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
    const args = f => ["test", f.dir, f.proto, f.src, f.dst];
    const answer = f => run(args(f)).then(r => out.replaceChildren(dl([
            ["Packet", r.packet], ["Verdict", el("strong", { id: "verdict", text: r.verdict })], ["Reason", r.reason],
            ["Decided by", entryLink(r.decided_by)],
            ["Lost", r.lost.length ? el("ul", {}, r.lost.map(l => el("li", {}, entryLink(l)))) : "none"]])))
                .catch(ex => out.replaceChildren(alertBox("danger", ex.message)));
    const form = commandForm("whatif", "Test", fields, f => [args(f)], () => {}, { shown: f => commandLine(args(f)), answer });
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
    if (id !== "tab-monitor") monitorLeave();
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
