// SPDX-License-Identifier: MIT
// browser.mjs URL SHOTDIR WORK USERURL: drives Debian's headless Chromium
// through the ipsecfw page (TAP). The store is checked with the CLI itself,
// so the page is judged by what it changed, not by what it shows.
// browser.mjs --setup: makes the store the page starts from.
import { execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

let n = 0, failed = 0;
const ok = (cond, what) => { n++; if (!cond) failed++; console.log(`${cond ? "ok" : "not ok"} ${n} - ${what}`); };
const cli = (...args) => execFileSync("ipsecfw", args, { encoding: "utf8" });
const script = text => execFileSync("ipsecfw", ["-f", "-"], { input: text, encoding: "utf8" });
const sleep = ms => new Promise(r => setTimeout(r, ms));

// The store the page starts from: a policy that blocks ssh to 192.0.2.1 and
// udp 5000 from here (the drops), a redundant filter for the analysis to
// find; another policy to assign; a policy in the domain store.
if (process.argv[2] === "--setup") {
for (const line of [
    "static add filterlist name=FL1", "static add filter filterlist=FL1 srcaddr=any dstaddr=192.0.2.1 protocol=tcp dstport=22",
    "static add filterlist name=FL2", "static add filter filterlist=FL2 srcaddr=192.0.2.2 dstaddr=192.0.2.0 dstmask=24",
    "static add filter filterlist=FL2 srcaddr=192.0.2.2 dstaddr=192.0.2.7",
    "static add filteraction name=Blk action=block", "static add filteraction name=Perm action=permit",
    "static add policy name=P1 description=first", "static add rule name=R1 policy=P1 filterlist=FL1 filteraction=Blk",
    "static add rule name=R2 policy=P1 filterlist=FL2 filteraction=Perm",
    "static add filterlist name=FL3", "static add filter filterlist=FL3 srcaddr=me dstaddr=192.0.2.1 protocol=udp dstport=5000",
    "static add rule name=R3 policy=P1 filterlist=FL3 filteraction=Blk",
    "static add policy name=P2 description=second", "static set policy name=P1 assign=yes"])
    cli(...line.split(" "));
script("static set store location=domain\nstatic add policy name=GPO-Web description=from-the-directory\n");
process.exit(0);
}
const { default: puppeteer } = await import("puppeteer-core");
const [url, shots, work, userUrl] = process.argv.slice(2);
const agentPid = Number(process.env.AGENT_PID);
const storeJson = where => JSON.parse(execFileSync("ipsecfw", ["-j", "-f", "-"], { input: `static set store location=${where}\nstatic show all\n`, encoding: "utf8" }));
const udpDrops = async count => {
    const s = createSocket("udp4");
    for (let i = 0; i < count; i++) await new Promise(r => s.send("x", 5000, "192.0.2.1", () => r()));
    s.close();
};
// A file the page had the browser save (into WORK/downloads), once there.
const downloads = join(work, "downloads");
const saved = async name => {
    for (let i = 0; i < 150 && !existsSync(join(downloads, name)); i++) await sleep(100);
    return existsSync(join(downloads, name)) ? readFileSync(join(downloads, name), "utf8") : "";
};
// Every form control of a view has a label (a <label for>, or aria-label).
const unlabelled = view => page.$$eval(`${view} input, ${view} select`, xs => xs.filter(x =>
    !(x.id && document.querySelector(`label[for="${x.id}"]`)) && !x.getAttribute("aria-label")).map(x => x.id || x.name || x.type));

const browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium", headless: true, userDataDir: mkdtempSync(join(work, "chrome-")),
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
await (await page.createCDPSession()).send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
await page.setViewport({ width: 1280, height: 900 });
const errors = [];
page.on("pageerror", e => errors.push(e.message));
const shot = name => page.screenshot({ path: join(shots, name + ".png"), fullPage: true });
const text = sel => page.$eval(sel, e => e.textContent);
// Views re-render after each change: a click may meet a node just replaced.
const click = async sel => {
    for (let i = 0; ; i++) {
        try { await page.waitForSelector(sel, { timeout: 10000 }); await page.click(sel); return; } catch (e) {
            if (i === 9) throw e;
            await sleep(200);
        }
    }
};
// Assign P2 with confirm=SECONDS: the field set and the button clicked at
// once (the view may be drawn again in between otherwise).
const assignP2 = seconds => page.waitForFunction(t => {
    const f = document.getElementById("confirm-seconds"), b = document.querySelector("button[aria-label='Assign P2']");
    if (!f || !b) return false;
    f.value = t;
    b.click();
    return true;
}, { timeout: 15000 }, String(seconds));
// Saves an edit form: the view is drawn again without it.
const submitEdit = async id => {
    await click(`#${id}-submit`);
    return page.waitForFunction(i => !document.getElementById(i), { timeout: 10000 }, id).then(() => true, () => false);
};
const waitText = (sel, t, timeout = 15000) =>
    page.waitForFunction((s, t) => { const e = document.querySelector(s); return e && e.textContent.includes(t); },
                         { timeout }, sel, t).then(() => true, () => false);

try {
    // cockpit-ws comes up in the namespace at its own pace
    let loaded = false;
    for (let i = 0; i < 40 && !loaded; i++) {
        try { await page.goto(url, { waitUntil: "networkidle0", timeout: 10000 }); loaded = true; } catch { await sleep(250); }
    }
    ok(loaded, "the page loads from cockpit-ws");

    // Monitor
    ok(await waitText("#mode-body", "Mode"), "monitor: the mode card shows show mode");
    ok(await waitText("#table-body", "192.0.2.1"), "monitor: the compiled filter table lists the assigned policy's filter");
    await page.waitForSelector("#table-search", { timeout: 15000 });
    await page.type("#table-search", "dport 22");
    const rows = await page.$$eval(".ipsecfw-filter-table tbody tr", r => r.map(x => x.textContent));
    ok(rows.length >= 1 && rows.every(r => r.includes("dport 22")), "monitor: the search keeps only matching filters");
    ok(await waitText("#facts-body", "Gateway"), "monitor: host facts are shown");
    ok(await waitText("#stats-body", "Packets and bytes per rule"), "monitor: show stats, per filter and per rule");
    // Real traffic: connections to the peer namespace (192.0.2.1), which
    // R2 (192.0.2.2 -> 192.0.2.0/24, permit) decides.
    for (let i = 0; i < 3; i++) {
        await new Promise(r => { const s = connect({ host: "192.0.2.1", port: 22, timeout: 300 }); s.on("error", r); s.on("timeout", () => { s.destroy(); r(); }); s.on("connect", () => { s.destroy(); r(); }); });
    }
    await click("#monitor-refresh");
    ok(await page.waitForFunction(() => Array.from(document.querySelectorAll(".ipsecfw-rule-counts tbody tr"))
        .some(r => r.cells[0].textContent === "R2" && parseInt(r.cells[2].textContent.split(" / ")[1], 10) >= 3), { timeout: 15000 }).then(() => true, () => false),
       "monitor: R2's counters rise after real traffic to the peer namespace");
    await page.waitForSelector("#table-search", { timeout: 15000 });  // drawn again by Refresh
    await page.$eval("#table-search", e => { e.value = "dport 22"; e.dispatchEvent(new Event("input")); });
    await shot("monitor");

    // Live: counters, the drop chart and the drop events refresh by
    // themselves (every 2 s here); Pause stops them.
    await page.select("#refresh-interval", "2");
    await udpDrops(6);
    ok(await page.waitForFunction(() => Array.from(document.querySelectorAll(".ipsecfw-rule-counts tbody tr"))
        .some(r => r.cells[0].textContent === "R3" && parseInt(r.cells[2].textContent.split(" / ")[1], 10) >= 6), { timeout: 10000 }).then(() => true, () => false),
       "monitor: R3's drop counters rise without a click (auto-refresh)");
    ok(await page.waitForFunction(() => { const m = /; (\d+) in the/.exec((document.getElementById("chart-summary") || {}).textContent || "");
                                          return m && Number(m[1]) >= 6 && document.querySelector("#drop-chart polyline"); }, { timeout: 10000 }).then(() => true, () => false),
       "monitor: the drop chart (SVG) counts the drops: " + await text("#chart-summary"));
    ok(await page.$eval("#table-search", e => e.value) === "dport 22", "monitor: the auto-refresh keeps the search being typed");
    process.kill(agentPid, "SIGUSR1");  // the agent writes this interval's drop records now
    ok(await waitText("#events-body", "R3", 10000) && await waitText("#events-body", "P1") &&
       await page.$$eval(".ipsecfw-events tbody tr", rs => rs.some(r => /^\{[0-9A-F-]{36}\}$/.test(r.cells[6].textContent))),
       "monitor: the drop events arrive, attributed to filter, rule and policy: " + (await text("#events-body")).slice(0, 160));
    await click("#events-w3c");
    const w3c = await saved("ipsecfw-events.log");
    ok(w3c.includes("#Fields: date time event-id") && / 4281 drop out UDP .* 5000 6 /.test(w3c), "monitor: the W3C export holds the drop record");
    await click("#events-csv");
    const csv = await saved("ipsecfw-events.csv");
    ok(csv.startsWith("date,time,event-id,") && csv.includes(",4281,"), "monitor: the CSV export too");
    ok(await waitText("#dynamic-body", "Main mode policies") && await page.$$eval("#dynamic-body .pf-c-alert, #dynstats-body .pf-c-alert", e => e.length) === 0 &&
       await waitText("#dynstats-body", "drops logged"), "monitor: the agent's dynamic SPD and its statistics");
    await shot("monitor-live");
    await click("#monitor-pause");
    ok(await waitText("#live-state", "Paused") && await page.$eval("#monitor-pause", b => b.getAttribute("aria-pressed")) === "true",
       "monitor: Pause says so (aria-pressed)");
    const frozen = await text("#stats-body");
    await udpDrops(3);
    await sleep(4500);
    ok(await text("#stats-body") === frozen, "monitor: paused, the counters are not refreshed");
    await click("#monitor-pause");
    ok(await page.waitForFunction(s => document.getElementById("stats-body").textContent !== s, { timeout: 8000 }, frozen).then(() => true, () => false),
       "monitor: resumed, they are again");
    // filtercounters=0: the kernel counts no filter, and the page says so
    cli("dynamic", "set", "config", "property=filtercounters", "value=0");
    ok(await waitText("#stats-body", "per-filter counters are off", 10000) && await page.$$(".ipsecfw-rule-counts").then(t => t.length === 0),
       "monitor: with filtercounters=0 the page says the filters are not counted");
    cli("dynamic", "set", "config", "property=filtercounters", "value=1");
    ok(await page.waitForSelector(".ipsecfw-rule-counts", { timeout: 10000 }).then(() => true, () => false),
       "monitor: with filtercounters=1 the counts per rule are back");
    ok((await unlabelled("#view-monitor")).length === 0, "keyboard: every monitor control has a label");

    // Policy Management
    await click("#tab-policies");
    ok(await waitText("#policies-body, #policies", "P1"), "policies: the store's policies are listed");
    ok(await waitText("#filterlists", "192.0.2.1"), "policies: filter lists show their filters");
    ok((await text("#rules")).includes("R1"), "policies: rules with their filter lists and actions");
    await page.select("#add-filter-filterlist", "FL1");
    await page.type("#add-filter-srcaddr", "bogus.example");
    await page.type("#add-filter-dstaddr", "192.0.2.9");
    ok((await text("#add-filter-cmd")) === "ipsecfw static add filter filterlist=FL1 srcaddr=bogus.example dstaddr=192.0.2.9",
       "policies: the form shows the command it runs");
    const before = cli("-j", "static", "show", "all");
    await click("#add-filter-submit");
    ok(await waitText("#add-filter-result", "ipsecfw: error: add filter: srcaddr"), "policies: an invalid filter is refused with the CLI's message");
    ok(cli("-j", "static", "show", "all") === before, "policies: the refused filter left the store unchanged");
    await shot("policies-refused");
    await page.type("#add-filterlist-name", "Web servers");
    await click("#add-filterlist-submit");
    ok(await waitText("#filterlists", "Web servers"), "policies: a filter list added through the page is listed");
    ok(JSON.parse(cli("-j", "static", "show", "all")).filterlists.some(f => f.name === "Web servers"), "policies: and it is in the store");

    // Safe assign, not kept: the CLI's own watcher puts P1 back.
    await assignP2(5);
    ok(await waitText("#assign-status", "left before the previous assignment"), "assign: a countdown and a Keep button appear");
    await shot("assign-countdown");
    ok(await waitText("#assign-status", "No assignment waits", 20000), "assign: the countdown ends");
    const pols = JSON.parse(cli("-j", "static", "show", "all")).policies;
    ok(pols.find(p => p.name === "P1").assigned && !pols.find(p => p.name === "P2").assigned, "assign: not kept, the previous assignment is back");

    // Safe assign, and the page goes away before the deadline: the CLI's
    // watcher rolls back all the same.
    await assignP2(3);
    await page.waitForSelector("#keep", { timeout: 15000 });
    await page.goto("about:blank");
    let back = false;
    for (let i = 0; i < 60 && !back; i++) {
        const ps = JSON.parse(cli("-j", "static", "show", "all")).policies;
        back = ps.find(p => p.name === "P1").assigned && !ps.find(p => p.name === "P2").assigned && i > 0;
        if (!back) await sleep(100);
    }
    ok(back, "assign: the page gone (connection lost), the previous assignment comes back by itself");
    await page.goto(url, { waitUntil: "networkidle0", timeout: 15000 });
    await click("#tab-policies");
    await page.waitForSelector("#confirm-seconds", { timeout: 15000 });

    // Safe assign, kept. The watcher holds none of the command's output,
    // so the page's spawn returns (and the countdown shows) at once.
    const assignAt = Date.now();
    await assignP2(30);
    await page.waitForSelector("#keep", { timeout: 15000 });
    const tookAssign = Date.now() - assignAt;
    ok(tookAssign < 3000, `assign: the command returns at once, the countdown shows in ${tookAssign} ms of 30 s`);
    await click("#keep");
    ok(await waitText("#assign-status", "No assignment waits"), "assign: Keep confirms");
    ok(JSON.parse(cli("-j", "static", "show", "all")).policies.find(p => p.name === "P2").assigned, "assign: kept, P2 stays assigned");
    cli("static", "set", "policy", "name=P1", "assign=yes");

    // Questions
    await click("#tab-questions");
    await page.waitForSelector("#whatif-src");
    await page.type("#whatif-src", "198.51.100.7:1000");
    await page.type("#whatif-dst", "192.0.2.1:22");
    await click("#whatif-submit");
    ok(await waitText("#verdict", "DROP"), "questions: what-if gives the verdict");
    ok(await waitText("#whatif-answer", "FL1"), "questions: and the deciding filter: " + (await text("#whatif-answer")).slice(0, 200));
    ok(await waitText("#analyze-body", "redundant"), "questions: analyze lists its findings: " + (await text("#analyze-body")).slice(0, 200));
    await shot("questions");
    await click("#analyze-body .ipsecfw-filter-link");
    ok(await page.waitForFunction(() => document.activeElement && document.activeElement.id.startsWith("fl-"), { timeout: 5000 }).then(() => true, () => false),
       "questions: a finding links to the filter list it names");

    // Edit in place: each form sends `set` with what changed, shown beside it.
    await page.$eval("#view-policies", v => v.replaceChildren());  // drawn afresh by the tab
    await click("#tab-policies");
    await click("button[aria-label='Edit policy P2']");
    ok(await page.waitForFunction(() => document.activeElement && document.activeElement.id === "edit-policy-newname", { timeout: 5000 }).then(() => true, () => false),
       "edit: the form opens with the focus on its first field");
    await page.$eval("#edit-policy-description", e => { e.value = ""; });
    await page.type("#edit-policy-description", "second, edited");
    ok((await text("#edit-policy-cmd")) === "ipsecfw static set policy name=P2 'description=second, edited'",
       "edit: the form shows the set command, with only what changed: " + await text("#edit-policy-cmd"));
    await submitEdit("edit-policy");
    ok(await page.evaluate(() => document.activeElement && document.activeElement.getAttribute("aria-label") === "Edit policy P2"),
       "keyboard: saved, the focus is back on the Edit button");
    ok(await waitText("#policies", "second, edited") && storeJson("local").policies.find(p => p.name === "P2").description === "second, edited",
       "edit: a policy's description is changed in the store");
    await click("button[aria-label='Edit rule R2 of P1']");
    await page.waitForSelector("#edit-rule-description");
    await page.type("#edit-rule-description", "lan");
    await page.select("#edit-rule-activate", "no");
    await submitEdit("edit-rule");
    await waitText("#rules", "no");
    const r2 = () => storeJson("local").policies.find(p => p.name === "P1").rules.find(r => r.name === "R2");
    ok(r2().description === "lan" && r2().active === false, "edit: a rule's description and activation (set rule)");
    await click("button[aria-label='Edit filter list Web servers']");
    await page.waitForSelector("#edit-filterlist-newname");
    await page.$eval("#edit-filterlist-newname", e => { e.value = ""; });
    await page.type("#edit-filterlist-newname", "Web");
    await submitEdit("edit-filterlist");
    await waitText("#filterlists", "Web");
    const lists = storeJson("local").filterlists.map(f => f.name);
    ok(lists.includes("Web") && !lists.includes("Web servers"), "edit: a filter list renamed (newname=)");
    await click("button[aria-label='Edit filter action Perm']");
    await page.waitForSelector("#edit-filteraction-description");
    await page.type("#edit-filteraction-description", "allow");
    await submitEdit("edit-filteraction");
    await waitText("#filteractions", "allow");
    ok(storeJson("local").filteractions.find(a => a.name === "Perm").description === "allow", "edit: a filter action (set filteraction)");
    await click("button[aria-label='Edit filter action Blk']");
    await page.waitForSelector("#edit-filteraction-cancel");
    await click("#edit-filteraction-cancel");
    ok(await page.evaluate(() => document.activeElement && document.activeElement.getAttribute("aria-label") === "Edit filter action Blk" &&
                                 !document.getElementById("edit-filteraction")),
       "keyboard: Cancel closes the form and gives the focus back to its Edit button");
    // A filter has no set: delete and add, one script, all or nothing.
    const beforeEdit = cli("-j", "static", "show", "all");
    await click("button[aria-label='Edit filter 1 of FL1']");
    await page.waitForSelector("#edit-filter-dstaddr");
    await page.$eval("#edit-filter-dstaddr", e => { e.value = ""; });
    await page.type("#edit-filter-dstaddr", "bogus.example");
    const editCmd = await text("#edit-filter-cmd");
    ok(editCmd.startsWith("ipsecfw -f - <<'EOF'\nstatic delete filter filterlist=FL1 srcaddr=any dstaddr=192.0.2.1") && editCmd.includes("\nstatic add filter filterlist=FL1 srcaddr=any") &&
       editCmd.includes("dstaddr=bogus.example"), "edit: a filter's edit shows its script (delete, then add)");
    await click("#edit-filter-submit");
    ok(await waitText("#edit-filter-result", "<stdin>:2:") && await waitText("#edit-filter-result", "error: add filter: dstaddr"),
       "edit: an invalid filter is refused with the CLI's message: " + (await text("#edit-filter-result")).slice(0, 160));
    ok(cli("-j", "static", "show", "all") === beforeEdit, "edit: and the store is unchanged (the old filter is still there)");
    await shot("policies-edit-refused");
    await (await page.$("#filterlists")).screenshot({ path: join(shots, "policies-filter-edit.png") });
    await page.$eval("#edit-filter-dstaddr", e => { e.value = "192.0.2.1"; });
    await page.$eval("#edit-filter-dstport", e => { e.value = "2222"; e.dispatchEvent(new Event("input", { bubbles: true })); });
    await submitEdit("edit-filter");
    await waitText("#filterlists", "2222");
    const fl1 = storeJson("local").filterlists.find(f => f.name === "FL1").filters;
    ok(fl1.length === 1 && fl1[0].dstport === "2222", "edit: a valid edit replaces the filter");
    ok((await unlabelled("#view-policies")).length === 0, "keyboard: every control of Policy Management has a label: " + (await unlabelled("#view-policies")).join(" "));

    // Stores: persistent (changes go through `set store` first), domain
    // (no domain.conf here: the database's, holding a policy).
    ok(await page.$$eval("#store-select option", o => o.map(x => x.value).join(",")) === "local,persistent,domain",
       "store: local, persistent and, as it holds a policy, domain");
    await page.select("#store-select", "persistent");
    await waitText("#store-note", "persistent store");
    await page.waitForSelector("#add-policy-name");
    await page.type("#add-policy-name", "Boot");
    ok((await text("#add-policy-cmd")).includes("static set store location=persistent\nstatic add policy name=Boot\n"),
       "store: the command shows the store it goes to");
    await click("#add-policy-submit");
    await waitText("#policies", "Boot");
    ok(storeJson("persistent").policies.some(p => p.name === "Boot") && !storeJson("local").policies.some(p => p.name === "Boot"),
       "store: a policy added in the persistent store is there, not in the local one");
    await shot("policies-persistent");
    await page.select("#store-select", "domain");
    ok(await waitText("#store-note", "domain store") && await waitText("#policies", "GPO-Web"), "store: the domain store's policies");
    await page.waitForSelector("#add-policy-name");
    await page.type("#add-policy-name", "Fleet");
    ok((await text("#add-policy-cmd")).includes("static set store location=domain\nstatic add policy name=Fleet\n"),
       "store: a change to the domain store goes through set store location=domain");
    await shot("policies-domain");
    await page.select("#store-select", "local");
    await waitText("#store-note", "local store");

    // Import: one transaction, a refused line at its line:column.
    writeFileSync(join(work, "bad.netsh"), "static add filterlist name=Imp\nstatic add filter filterlist=Imp srcaddr=me dstaddr=any\n" +
        "static add filter filterlist=Imp srcaddr=me dstaddr=any protocol=tcp dstport=99999\n");
    writeFileSync(join(work, "good.cmd"), "@echo off\r\nnetsh ipsec static add filterlist name=Imported\r\n" +
        "netsh ipsec static add filter filterlist=Imported srcaddr=me dstaddr=198.51.100.0 dstmask=24\r\n");
    const beforeImport = cli("-j", "static", "show", "all");
    await page.waitForSelector("#import-file");
    await (await page.$("#import-file")).uploadFile(join(work, "bad.netsh"));
    await click("#import-run");
    ok(await waitText("#import-result", "<stdin>:3:") && await waitText("#import-result", "dstport"),
       "import: a refused line is shown with line:column: " + (await text("#import-result")).slice(0, 160));
    ok(cli("-j", "static", "show", "all") === beforeImport, "import: and nothing of the script is applied");
    ok((await text("#import-cmd")).startsWith("ipsecfw -f - < bad.netsh"), "import: the command is shown");
    await shot("policies-import-refused");
    await page.waitForSelector("#import-file");
    await (await page.$("#import-file")).uploadFile(join(work, "good.cmd"));
    await click("#import-run");
    await waitText("#import-result", "Imported");
    await waitText("#filterlists", "Imported");  // the view is drawn again
    ok(storeJson("local").filterlists.some(f => f.name === "Imported" && f.filters.length === 1), "import: a batch file (.cmd) is imported");
    // Export: exportpolicy's script, downloaded.
    await click("#export-netsh");
    ok(await waitText("#transfer-status", "Exported"), "export: done: " + (await text("#transfer-status")).slice(0, 200));
    const exported = await saved("ipsecfw-local.netsh");
    ok(/add policy name="?P1"?/.test(exported) && exported.includes("Imported") && (await text("#export-cmd")).includes("static exportpolicy file="),
       "export: the store as a netsh script (exportpolicy): " + exported.split("\n").length + " lines");
    await shot("policies");

    // Keyboard: arrow keys move between the tabs.
    await page.focus("#tab-policies");
    await page.keyboard.press("ArrowRight");
    ok(await page.$eval("#tab-questions", e => e.getAttribute("aria-selected") === "true" && document.activeElement === e),
       "keyboard: arrow keys move between tabs");
    // The read-only view: a console whose bridge runs as nobody.
    let userLoaded = false;
    for (let i = 0; i < 40 && !userLoaded; i++) {
        try { await page.goto(userUrl, { waitUntil: "networkidle0", timeout: 10000 }); userLoaded = true; } catch { await sleep(250); }
    }
    ok(userLoaded && await waitText("#access", "Read-only view"), "read-only: a user without administrative access is told so");
    await click("#tab-policies");
    ok(await waitText("#policies", "P1"), "read-only: the store is shown to a user who may read it (opened read-only)");
    ok(await page.$$eval("#view-policies form, #view-policies button:not(#export-netsh):not(#export-json)", e => e.length) === 0,
       "read-only: no forms and no change buttons");
    await shot("read-only");
    rmSync(join(downloads, "ipsecfw-local.netsh"), { force: true });
    await click("#export-netsh");
    ok(/add policy name="?P1"?/.test(await saved("ipsecfw-local.netsh")), "read-only: the export works (exportpolicy reads the store only)");
    await click("#tab-monitor");
    ok(await waitText("#table-body", "192.0.2.1") && await waitText("#mode-body", "root") &&
       await waitText("#events-body", "reading the events needs root"),
       "read-only: the Monitor shows the filter table, and says the kernel's state and the events need root");
    await shot("read-only-monitor");
    ok(errors.length === 0, "no script errors on the page" + (errors.length ? ": " + errors.join("; ") : ""));
} catch (e) {
    ok(false, "unexpected: " + e.message + (errors.length ? " (page errors: " + errors.join("; ") + ")" : ""));
}
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
