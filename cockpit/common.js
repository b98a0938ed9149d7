// SPDX-License-Identifier: MIT
/* The ipsecfw console page: what every view shares. The page holds no
 * policy logic: every view is the JSON of `ipsecfw -j ...` and every change
 * is ipsecfw commands, shown beside their form, so the CLI validates them
 * and its message is shown as it is. */
"use strict";

const CMD = "ipsecfw";
let admin = true;           /* false: read-only view, no forms */

/* The store Policy Management shows and changes. domain: "off" (not
 * offered), "editable" (the CLI writes it) or "cached" (the agent's copy
 * of the directory's policy, which it overwrites: read-only). */
const store = { name: "local", domain: "off" };

/* ---- DOM ---- */

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

function heading(text) {
    return el("h3", { class: "pf-c-title pf-m-md", text });
}

/* A file the browser saves: a link to the text, clicked once and left in
 * place (labelled) so it can be saved again. */
function downloadLink(id, name, text, type) {
    const old = document.getElementById(id);
    if (old) URL.revokeObjectURL(old.href);
    const a = el("a", { id, href: URL.createObjectURL(new Blob([text], { type })), download: name, class: "ipsecfw-download" },
                 "Save " + name + " again");
    a.click();
    return a;
}

/* ---- running ipsecfw ---- */

function quote(a) {
    return /^[\w.:/=@%+,-]+$/.test(a) ? a : "'" + a.replace(/'/g, "'\\''") + "'";
}

function commandLine(args) {
    return [CMD].concat(args).map(quote).join(" ");
}

/* Runs PROGRAM ARGS as root where the user may; resolves with its output,
 * rejects with the program's own message (its standard error, verbatim).
 * INPUT, when given, is its standard input. */
function spawnProgram(argv, input) {
    return new Promise((resolve, reject) => {
        const p = cockpit.spawn(argv, { superuser: "try", err: "message" });
        p.then(resolve, ex => reject(new Error((ex.message || String(ex)).trim())));
        if (input !== null && input !== undefined) p.input(input);
    });
}

function spawn(args, input) {
    return spawnProgram([CMD].concat(args), input);
}

/* `ipsecfw -j ARGS`, parsed (null for no output). */
function run(args) {
    return spawn(["-j"].concat(args)).then(out => (out.trim() ? JSON.parse(out) : null));
}

/* One netsh line from argument words: a value with blanks, or none, is
 * double-quoted, as in a script. */
function netshLine(args) {
    return args.map(a => {
        const eq = a.indexOf("=");
        return eq < 0 || /^[^\s"]+$/.test(a.slice(eq + 1)) ? a : a.slice(0, eq + 1) + '"' + a.slice(eq + 1) + '"';
    }).join(" ");
}

/* How store commands (each an array of words) run: one command on the
 * local store is one ipsecfw command line; several, or any on another
 * store, are one script on standard input (`ipsecfw -f -`, after `set
 * store`), which the CLI runs as one transaction: all or nothing. */
function invocation(cmds, json) {
    const pre = json ? ["-j"] : [];
    if (store.name === "local" && cmds.length === 1)
        return { argv: pre.concat(cmds[0]), input: null, shown: commandLine(pre.concat(cmds[0])) };
    const lines = (store.name === "local" ? [] : ["static set store location=" + store.name]).concat(cmds.map(netshLine));
    const input = lines.join("\n") + "\n";
    const argv = pre.concat(["-f", "-"]);
    return { argv, input, shown: commandLine(argv) + " <<'EOF'\n" + input + "EOF" };
}

/* Store commands: resolves with what the CLI printed (parsed with json). */
function storeRun(cmds, json) {
    const inv = invocation(cmds, json);
    return spawn(inv.argv, inv.input).then(out => (json ? (out.trim() ? JSON.parse(out) : null) : out));
}

/* Whether the page offers changes to the store shown. */
function canChange() {
    return admin && !(store.name === "domain" && store.domain === "cached");
}

/* A form that runs ipsecfw commands: its fields make the commands, the
 * command line is shown live and stays shown while it runs, and a refusal
 * shows the CLI's message inline (the CLI changed nothing then). Options:
 * submit (the button's label), cancel (a Cancel button's action), shown
 * (the command line shown, for queries), answer (runs a query instead). */
function commandForm(id, title, fields, makeCmds, done, opts) {
    const o = opts || {};
    const cmd = el("pre", { class: "ipsecfw-cmd", id: id + "-cmd", "aria-label": "Command this form runs" });
    const result = el("div", { id: id + "-result", "aria-live": "polite" });
    const inputs = {};
    let first = null;
    const controls = fields.map(f => {
        const fid = id + "-" + f.name;
        let input;
        if (f.options) {
            input = el("select", { class: "pf-c-form-control", id: fid, name: f.name },
                       f.options.map(v => el("option", { value: v, text: v || "(default)", selected: v === f.value ? true : null })));
        } else {
            input = el("input", { class: "pf-c-form-control", type: "text", id: fid, name: f.name, placeholder: f.placeholder || "",
                                  value: f.value === undefined ? null : f.value, "aria-describedby": id + "-cmd" });
        }
        first = first || input;
        inputs[f.name] = input;
        return el("div", { class: "pf-c-form__group" },
                  el("label", { class: "pf-c-form__label", for: fid }, el("span", { class: "pf-c-form__label-text", text: f.label })),
                  input);
    });
    const values = () => Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.value.trim()]));
    const update = () => { cmd.textContent = o.shown ? o.shown(values()) : invocation(makeCmds(values())).shown; };
    const submit = el("button", { class: "pf-c-button pf-m-primary", type: "submit", id: id + "-submit" }, o.submit || title);
    const form = el("form", { class: "pf-c-form", id, "aria-label": title, novalidate: true,
        onsubmit: ev => {
            ev.preventDefault();
            if (o.answer) {     /* a question, not a change: it shows its own answer */
                o.answer(values());
                return;
            }
            const cmds = makeCmds(values());
            update();
            submit.disabled = true;
            result.replaceChildren(el("p", { role: "status", text: "Running…" }));
            storeRun(cmds).then(out => {
                result.replaceChildren(alertBox("success", out.trim() || "Done."));
                done();
            }).catch(ex => result.replaceChildren(alertBox("danger", ex.message)))
                    .finally(() => { submit.disabled = false; });
        }
    }, o.cancel ? heading(title) : null, el("div", { class: "ipsecfw-form" }, controls), cmd,
    el("div", { class: "pf-c-form__actions" }, submit, o.cancel ? button("Cancel", "link", o.cancel, { id: id + "-cancel" }) : null),
    result);
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.focusFirst = () => first && first.focus();
    update();
    return form;
}

/* KEY=VALUE when VALUE is given. */
function opt(args, key, value) {
    if (value !== "" && value !== undefined && value !== null) args.push(key + "=" + value);
    return args;
}

/* KEY=VALUE when VALUE differs from what the object holds (an edit sends
 * only what changed). */
function changed(args, key, value, was) {
    if (value !== undefined && value !== String(was === undefined || was === null ? "" : was)) args.push(key + "=" + value);
    return args;
}

const yesNo = b => (b === undefined ? "" : (b ? "yes" : "no"));
