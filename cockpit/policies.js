// SPDX-License-Identifier: MIT
/* Policy Management: the store's policies, rules, filter lists, filters
 * and filter actions; forms to add and edit them, delete buttons, safe
 * assign; the store to work on; import and export of netsh scripts. */
"use strict";

let confirmTimer = null;
let editing = null;         /* the label of the Edit button whose form is open */
let focusAfterDraw = null;  /* the Edit button to focus once the view is drawn again */

/* An edit saved: the view is drawn again, the focus back on its button. */
function afterEdit() {
    focusAfterDraw = editing;
    showPolicies();
}

function showError(ex) {
    document.getElementById("policies-error").replaceChildren(alertBox("danger", ex.message));
}

/* A button running one store command (delete, unassign): its command is
 * its title, its refusal shown above the view. */
function commandButton(label, kind, what, cmds, extra) {
    if (!canChange()) return null;
    return button(label, kind, () => storeRun(cmds).then(showPolicies).catch(showError),
                  Object.assign({ "aria-label": label + " " + what, title: invocation(cmds).shown }, extra || {}));
}

function deleteButton(what, args) {
    return commandButton("Delete", "link pf-m-danger", what, [args]);
}

/* "Edit": the object's form, filled in, below its table; focus goes to
 * its first field and back to the button on Cancel. */
function editButton(what, area, makeForm) {
    if (!canChange()) return null;
    const b = button("Edit", "link", () => {
        editing = "Edit " + what;
        const holder = document.getElementById(area);
        const form = makeForm(() => { holder.replaceChildren(); b.focus(); });
        holder.replaceChildren(form);
        form.focusFirst();
    }, { "aria-label": "Edit " + what, "aria-controls": area });
    return b;
}

function assignButton(p) {
    if (!canChange() || store.name === "domain") return null;
    if (p.assigned)
        return commandButton("Unassign", "link", p.name, [["static", "set", "policy", "name=" + p.name, "assign=no"]]);
    return button("Assign…", "link", () => safeAssign(p.name), { "aria-label": "Assign " + p.name });
}

/* Safe assign: `confirm=SECONDS` makes the CLI put the previous assignment
 * back by itself unless `ipsecfw confirm` comes in time, so a page that
 * lost its connection needs to do nothing for the rollback to happen. The
 * CLI's watcher holds none of the command's output, so the command ends
 * at once and the countdown starts then. */
function safeAssign(name) {
    const seconds = document.getElementById("confirm-seconds").value || "60";
    const cmds = [["static", "set", "policy", "name=" + name, "assign=yes", "confirm=" + seconds]];
    const box = document.getElementById("assign-status");
    box.replaceChildren(el("pre", { class: "ipsecfw-cmd", text: invocation(cmds).shown }));
    clearInterval(confirmTimer);
    storeRun(cmds).then(watchConfirm).catch(ex => box.append(alertBox("danger", ex.message)));
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
        box.replaceChildren(alertBox("warning", "Keep this assignment?"),
                            el("p", {}, "Policy '" + p.policy + "' is assigned for now: ",
                               el("span", { class: "ipsecfw-countdown", id: "countdown", role: "timer", text: p.seconds_left + " s" }),
                               " left before the previous assignment comes back. "),
                            el("pre", { class: "ipsecfw-cmd", text: commandLine(["confirm"]) }),
                            button("Keep", "primary", () => spawn(["confirm"]).then(tick), { id: "keep" }));
    }).catch(ex => box.replaceChildren(alertBox("danger", ex.message)));
    tick();
    confirmTimer = setInterval(tick, 1000);
}

/* ---- edit forms: `set` sends only what changed ---- */

function editPolicy(p, cancel) {
    return commandForm("edit-policy", "Edit policy " + p.name, [
        { name: "newname", label: "Name", value: p.name }, { name: "description", label: "Description", value: p.description },
        { name: "pollinginterval", label: "Polling interval (minutes)", value: String(p.pollinginterval) },
        { name: "activatedefaultrule", label: "Default response rule", options: ["yes", "no"], value: yesNo(p.activatedefaultrule) }],
    f => [changed(changed(changed(changed(["static", "set", "policy", "name=" + p.name], "newname", f.newname, p.name),
        "description", f.description, p.description), "pollinginterval", f.pollinginterval, p.pollinginterval),
        "activatedefaultrule", f.activatedefaultrule, yesNo(p.activatedefaultrule))],
    afterEdit, { submit: "Save", cancel });
}

function editRule(p, r, lists, actions, cancel) {
    return commandForm("edit-rule", "Edit rule " + r.name, [
        { name: "newname", label: "Name", value: r.name }, { name: "description", label: "Description", value: r.description },
        { name: "filterlist", label: "Filter list", options: lists, value: r.filterlist },
        { name: "filteraction", label: "Filter action", options: actions, value: r.filteraction },
        { name: "activate", label: "Active", options: ["yes", "no"], value: yesNo(r.active) }],
    f => [["newname", "description", "filterlist", "filteraction"].reduce((a, k) => changed(a, k, f[k], k === "newname" ? r.name : r[k]),
        ["static", "set", "rule", "name=" + r.name, "policy=" + p.name]).concat(f.activate !== yesNo(r.active) ? ["activate=" + f.activate] : [])],
    afterEdit, { submit: "Save", cancel });
}

function editFilterList(fl, cancel) {
    return commandForm("edit-filterlist", "Edit filter list " + fl.name, [
        { name: "newname", label: "Name", value: fl.name }, { name: "description", label: "Description", value: fl.description }],
    f => [changed(changed(["static", "set", "filterlist", "name=" + fl.name], "newname", f.newname, fl.name), "description", f.description, fl.description)],
    afterEdit, { submit: "Save", cancel });
}

function editFilterAction(a, cancel) {
    return commandForm("edit-filteraction", "Edit filter action " + a.name, [
        { name: "newname", label: "Name", value: a.name }, { name: "description", label: "Description", value: a.description },
        { name: "action", label: "Action", options: ["permit", "block", "negotiate"], value: a.action },
        { name: "inpass", label: "Inpass", options: ["", "yes", "no"], value: yesNo(a.inpass) },
        { name: "soft", label: "Soft", options: ["", "yes", "no"], value: yesNo(a.soft) }],
    f => [["description", "action", "inpass", "soft"].reduce((x, k) => changed(x, k, f[k], k === "inpass" || k === "soft" ? yesNo(a[k]) : a[k]),
        changed(["static", "set", "filteraction", "name=" + a.name], "newname", f.newname, a.name))],
    afterEdit, { submit: "Save", cancel });
}

const filterKeys = ["srcaddr", "srcmask", "dstaddr", "dstmask", "protocol", "srcport", "dstport", "icmptype", "icmpcode", "mirrored", "description"];

/* The words that name a filter, as `delete filter` wants them. */
function filterWords(fl, f) {
    const w = ["filterlist=" + fl];
    for (const k of filterKeys) {
        if (k === "description") continue;
        const v = k === "mirrored" ? yesNo(f.mirrored) : f[k];
        opt(w, k, v === undefined ? "" : String(v));
    }
    return w;
}

/* A filter has no `set`: an edit is its `delete filter` and the new `add
 * filter`, one script, so a refused new filter leaves the old in place. */
function editFilter(fl, f, cancel) {
    const fields = filterKeys.map(k => ({ name: k, label: filterLabels[k], value: k === "mirrored" ? yesNo(f.mirrored) : (f[k] === undefined ? "" : String(f[k])),
                                          options: k === "mirrored" ? ["yes", "no"] : null }));
    return commandForm("edit-filter", "Edit filter of " + fl, fields,
        v => [["static", "delete", "filter"].concat(filterWords(fl, f)),
              filterKeys.reduce((a, k) => opt(a, k, v[k]), ["static", "add", "filter", "filterlist=" + fl])],
        afterEdit, { submit: "Save", cancel });
}

const filterLabels = { srcaddr: "Source address", srcmask: "Source mask", dstaddr: "Destination address", dstmask: "Destination mask",
    protocol: "Protocol", srcport: "Source port", dstport: "Destination port", icmptype: "ICMP type", icmpcode: "ICMP code",
    mirrored: "Mirrored", description: "Description" };

/* ---- the view ---- */

function renderPolicies(v, all) {
    const names = all.filterlists.map(f => f.name), actions = all.filteractions.map(a => a.name);
    const pol = all.policies.map(p => [p.name, p.assigned ? "yes" : "no", p.description, String(p.pollinginterval),
        el("span", {}, editButton("policy " + p.name, "policies-edit", c => editPolicy(p, c)), assignButton(p),
           deleteButton("policy " + p.name, ["static", "delete", "policy", "name=" + p.name]))]);
    v.append(card("Policies", "policies", el("div", { id: "policies-error", "aria-live": "polite" }),
                  table("Policies", ["Name", "Assigned", "Description", "Polling interval", ""], pol),
                  el("div", { id: "policies-edit" }),
                  canChange() && store.name !== "domain" ? el("div", { class: "pf-c-form__group" },
                             el("label", { class: "pf-c-form__label", for: "confirm-seconds", text: "Seconds to confirm an assignment" }),
                             el("input", { class: "pf-c-form-control", id: "confirm-seconds", type: "number", min: "2", max: "86400", value: "60" })) : null,
                  el("div", { id: "assign-status", "aria-live": "polite" })));

    const rules = [];
    for (const p of all.policies) for (const r of p.rules) {
        rules.push([p.name, r.name, el("a", { href: "#fl-" + encodeURIComponent(r.filterlist), text: r.filterlist }), r.filteraction, r.action, r.active ? "yes" : "no",
            el("span", {}, editButton("rule " + r.name + " of " + p.name, "rules-edit", c => editRule(p, r, names, actions, c)),
               deleteButton("rule " + r.name, ["static", "delete", "rule", "name=" + r.name, "policy=" + p.name]))]);
    }
    v.append(card("Rules", "rules", table("Rules", ["Policy", "Rule", "Filter list", "Filter action", "Action", "Active", ""], rules),
                  el("div", { id: "rules-edit" })));

    const lists = all.filterlists.map(fl => el("div", { id: "fl-" + encodeURIComponent(fl.name), class: "ipsecfw-card", tabindex: "-1" },
        el("h3", { class: "pf-c-title pf-m-md" }, fl.name, " ", editButton("filter list " + fl.name, "filterlists-edit", c => editFilterList(fl, c)),
           deleteButton("filter list " + fl.name, ["static", "delete", "filterlist", "name=" + fl.name])),
        table("Filters of " + fl.name, ["Source", "Source mask", "Destination", "Destination mask", "Protocol", "Source port", "Destination port", "Mirrored", ""],
              fl.filters.map((f, i) => [f.srcaddr, f.srcmask || "", f.dstaddr, f.dstmask || "", f.protocol, f.srcport, f.dstport, f.mirrored ? "yes" : "no",
                  el("span", {}, editButton("filter " + (i + 1) + " of " + fl.name, "filterlists-edit", c => editFilter(fl.name, f, c)),
                     deleteButton("filter " + (i + 1) + " of " + fl.name, ["static", "delete", "filter"].concat(filterWords(fl.name, f))))]))));
    v.append(card("Filter lists", "filterlists", el("div", { id: "filterlists-edit" }), lists));

    v.append(card("Filter actions", "filteractions", table("Filter actions", ["Name", "Action", "Inpass", "Soft", "Description", ""],
        all.filteractions.map(a => [a.name, a.action, yesNo(a.inpass), yesNo(a.soft), a.description,
            el("span", {}, editButton("filter action " + a.name, "filteractions-edit", c => editFilterAction(a, c)),
               deleteButton("filter action " + a.name, ["static", "delete", "filteraction", "name=" + a.name]))])),
        el("div", { id: "filteractions-edit" })));

    if (!canChange()) return;
    v.append(card("Add", "add",
        el("div", { class: "ipsecfw-grid" },
           commandForm("add-policy", "Add policy", [{ name: "name", label: "Name" }, { name: "description", label: "Description" }],
                       f => [opt(opt(["static", "add", "policy"], "name", f.name), "description", f.description)], showPolicies),
           commandForm("add-filterlist", "Add filter list", [{ name: "name", label: "Name" }],
                       f => [opt(["static", "add", "filterlist"], "name", f.name)], showPolicies),
           commandForm("add-filteraction", "Add filter action", [{ name: "name", label: "Name" },
               { name: "action", label: "Action", options: ["permit", "block", "negotiate"] },
               { name: "inpass", label: "Inpass", options: ["", "yes", "no"] }, { name: "soft", label: "Soft", options: ["", "yes", "no"] }],
           f => [opt(opt(opt(opt(["static", "add", "filteraction"], "name", f.name), "action", f.action), "inpass", f.inpass), "soft", f.soft)], showPolicies),
           commandForm("add-filter", "Add filter", [{ name: "filterlist", label: "Filter list", options: names },
               { name: "srcaddr", label: "Source address", placeholder: "me, any, 192.0.2.1" }, { name: "srcmask", label: "Source mask" },
               { name: "dstaddr", label: "Destination address" }, { name: "dstmask", label: "Destination mask" },
               { name: "protocol", label: "Protocol", options: ["", "any", "tcp", "udp", "icmp"] },
               { name: "srcport", label: "Source port" }, { name: "dstport", label: "Destination port" },
               { name: "mirrored", label: "Mirrored", options: ["", "yes", "no"] }],
           f => [["srcaddr", "srcmask", "dstaddr", "dstmask", "protocol", "srcport", "dstport", "mirrored"]
                   .reduce((a, k) => opt(a, k, f[k]), opt(["static", "add", "filter"], "filterlist", f.filterlist))], showPolicies),
           commandForm("add-rule", "Add rule", [{ name: "policy", label: "Policy", options: all.policies.map(p => p.name) },
               { name: "name", label: "Name" }, { name: "filterlist", label: "Filter list", options: names },
               { name: "filteraction", label: "Filter action", options: actions }],
           f => [["name", "policy", "filterlist", "filteraction"].reduce((a, k) => opt(a, k, f[k]), ["static", "add", "rule"])], showPolicies))));
}

/* ---- the store, import and export ---- */

/* The domain store is offered when a domain.conf ($IPSECFW_DOMAIN_CONF or
 * the default path) names a directory, or when it holds a policy. With a
 * domain.conf the CLI reads and writes the directory itself, as netsh
 * does; without one, a copy the agent fetched (`show mode` names its
 * server) is read-only here, and anything else is the database's. */
function probeDomain() {
    const confPath = cockpit.spawn(["printenv", "IPSECFW_DOMAIN_CONF"], { err: "ignore" })
            .then(p => p.trim() || "/etc/ipsecfw/domain.conf", () => "/etc/ipsecfw/domain.conf");
    const conf = confPath.then(p => spawnProgram(["test", "-e", p]).then(() => true, () => false));
    const mode = run(["show", "mode"]).then(m => (m && m.domain) || null, () => null);
    const held = spawn(["-j", "-f", "-"], "static set store location=domain\nstatic show all\n")
            .then(out => { const d = JSON.parse(out); return d.policies.length + d.filterlists.length + d.filteractions.length > 0; }, () => false);
    return Promise.all([conf, mode, held]).then(([c, m, h]) => {
        store.domain = c ? "directory" : (m && m.server) ? "cached" : (m || h ? "editable" : "off");
    });
}

function storeToolbar() {
    /* Another store is a script (`-f -`), which opens the store to write. */
    const names = !admin ? ["local"] : ["local", "persistent"].concat(store.domain !== "off" ? ["domain"] : []);
    const select = el("select", { class: "pf-c-form-control", id: "store-select", "aria-describedby": "store-note" },
                      names.map(n => el("option", { value: n, text: n, selected: n === store.name ? true : null })));
    select.addEventListener("change", () => { store.name = select.value; showPolicies().then(() => document.getElementById("store-select").focus()); });
    const note = store.name === "domain" && store.domain === "cached"
        ? "The domain store is the policy agent's copy of the directory's policy: read-only here (the agent replaces it at each fetch)."
        : !admin ? "The local store (the other stores need administrative access)."
        : store.name === "local" ? "The local store: the policy assigned here is in force unless a domain policy is."
        : store.name === "persistent" ? "The persistent store: its assigned policy is enforced before the local one, from boot on."
        : store.domain === "directory" ? "The domain store: the directory's IPSec policies (domain.conf), read and written through the CLI as netsh writes them."
        : "The domain store, written through the CLI.";
    return el("div", { class: "pf-c-toolbar ipsecfw-toolbar" },
              el("div", { class: "pf-c-form__group" },
                 el("label", { class: "pf-c-form__label", for: "store-select", text: "Store" }), select),
              el("p", { id: "store-note", class: "ipsecfw-note", text: note }),
              button("Export netsh script", "secondary", exportScript, { id: "export-netsh" }),
              button("Export JSON", "secondary", exportJson, { id: "export-json" }),
              el("span", { id: "export-link" }));
}

/* exportpolicy writes a file itself (0600, renamed into place): into a
 * private folder of mktemp's, read back, then removed. */
function exportScript() {
    const status = document.getElementById("transfer-status");
    let dir = null;
    const file = () => dir + "/ipsecfw-" + store.name + ".netsh";
    status.replaceChildren(el("p", { role: "status", text: "Exporting…" }));
    spawnProgram(["mktemp", "-d", "-t", "ipsecfw-export.XXXXXX"]).then(d => {
        dir = d.trim();
        const inv = invocation([["static", "exportpolicy", "file=" + file()]]);
        status.replaceChildren(el("pre", { class: "ipsecfw-cmd", id: "export-cmd", text: inv.shown }));
        return spawn(inv.argv, inv.input);
    }).then(() => cockpit.file(file(), { superuser: "try" }).read())
            .then(text => {
                document.getElementById("export-link").replaceChildren(downloadLink("export-download", "ipsecfw-" + store.name + ".netsh", text, "text/plain"));
                status.append(alertBox("success", "Exported " + text.split("\n").filter(l => l.trim()).length + " lines."));
            })
            .catch(ex => status.append(alertBox("danger", ex.message)))
            .finally(() => { if (dir) spawnProgram(["rm", "-rf", "--", dir]).catch(() => {}); });
}

function exportJson() {
    storeRun([["static", "show", "all"]], true).then(all => {
        document.getElementById("export-link").replaceChildren(
            downloadLink("export-download", "ipsecfw-" + store.name + ".json", JSON.stringify(all, null, 2) + "\n", "application/json"));
    }).catch(ex => document.getElementById("transfer-status").replaceChildren(alertBox("danger", ex.message)));
}

/* A netsh script or batch file (.netsh, .cmd, .txt) run by the CLI as one
 * transaction (`ipsecfw -f -`): a refused line is reported with its
 * line:column and nothing is applied. It starts in the local store, as
 * netsh does; a `set store` line in it picks another. */
function importCard() {
    const input = el("input", { type: "file", id: "import-file", class: "pf-c-form-control", accept: ".netsh,.cmd,.bat,.txt", "aria-describedby": "import-help" });
    const status = el("div", { id: "import-result", "aria-live": "polite" });
    const shown = el("pre", { class: "ipsecfw-cmd", id: "import-cmd", "aria-label": "Command the import runs" });
    const run = button("Import", "primary", () => {
        const f = input.files[0];
        if (!f) { status.replaceChildren(alertBox("warning", "Choose a script first.")); return; }
        f.text().then(text => {
            const argv = ["-f", "-"];
            shown.textContent = commandLine(argv) + " < " + f.name + "   (" + text.split("\n").length + " lines)";
            status.replaceChildren(el("p", { role: "status", text: "Running…" }));
            return spawn(argv, text).then(out => {
                status.replaceChildren(alertBox("success", out.trim() || "Imported " + f.name + "."));
                showPolicies();
            });
        }).catch(ex => status.replaceChildren(alertBox("danger", ex.message)));
    }, { id: "import-run" });
    return card("Import a netsh script", "import",
                el("div", { class: "pf-c-form__group" }, el("label", { class: "pf-c-form__label", for: "import-file", text: "Script file" }), input),
                el("p", { id: "import-help", class: "ipsecfw-note",
                          text: "Runs as one transaction: a refused line is shown with its line:column and nothing is applied. It starts in the local store, as netsh does; a set store line in it picks another." }),
                shown, run, status);
}

let domainProbe = null;

function showPolicies() {
    const v = document.getElementById("view-policies");
    domainProbe = domainProbe || probeDomain();
    return domainProbe.then(() => storeRun([["static", "show", "all"]], true).then(all => {
        const keep = document.getElementById("assign-status");
        v.replaceChildren(storeToolbar(), el("div", { id: "transfer-status", "aria-live": "polite" }));
        renderPolicies(v, all);
        if (canChange()) v.append(importCard());
        if (keep && keep.childNodes.length && document.getElementById("assign-status"))
            document.getElementById("assign-status").replaceChildren(...keep.childNodes);
        const back = focusAfterDraw && Array.from(v.querySelectorAll("button")).find(b => b.getAttribute("aria-label") === focusAfterDraw);
        focusAfterDraw = null;
        if (back) back.focus();
    })).catch(ex => v.replaceChildren(storeToolbar(), alertBox("danger", ex.message)));
}
