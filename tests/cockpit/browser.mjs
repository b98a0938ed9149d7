// SPDX-License-Identifier: MIT
// browser.mjs URL SHOTDIR WORK: drives Debian's headless Chromium through the
// ipsecfw page (TAP). The store is checked with the CLI itself, so the page
// is judged by what it changed, not by what it shows.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const [url, shots, work, userUrl] = process.argv.slice(2);
let n = 0, failed = 0;
const ok = (cond, what) => { n++; if (!cond) failed++; console.log(`${cond ? "ok" : "not ok"} ${n} - ${what}`); };
const cli = (...args) => execFileSync("ipsecfw", args, { encoding: "utf8" });
const sleep = ms => new Promise(r => setTimeout(r, ms));

// The store the page starts from: a policy that blocks ssh to 192.0.2.1 and
// a redundant filter for the analysis to find; another policy to assign.
for (const line of [
    "static add filterlist name=FL1", "static add filter filterlist=FL1 srcaddr=any dstaddr=192.0.2.1 protocol=tcp dstport=22",
    "static add filterlist name=FL2", "static add filter filterlist=FL2 srcaddr=192.0.2.2 dstaddr=192.0.2.0 dstmask=24",
    "static add filter filterlist=FL2 srcaddr=192.0.2.2 dstaddr=192.0.2.7",
    "static add filteraction name=Blk action=block", "static add filteraction name=Perm action=permit",
    "static add policy name=P1 description=first", "static add rule name=R1 policy=P1 filterlist=FL1 filteraction=Blk",
    "static add rule name=R2 policy=P1 filterlist=FL2 filteraction=Perm",
    "static add policy name=P2 description=second", "static set policy name=P1 assign=yes"])
    cli(...line.split(" "));

const browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium", headless: true, userDataDir: mkdtempSync(join(work, "chrome-")),
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
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
    await page.$eval("#table-search", e => { e.value = "dport 22"; e.dispatchEvent(new Event("input")); });
    await shot("monitor");

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
    await page.$eval("#confirm-seconds", e => { e.value = "5"; });
    await click("button[aria-label='Assign P2']");
    ok(await waitText("#assign-status", "left before the previous assignment"), "assign: a countdown and a Keep button appear");
    await shot("assign-countdown");
    ok(await waitText("#assign-status", "No assignment waits", 20000), "assign: the countdown ends");
    const pols = JSON.parse(cli("-j", "static", "show", "all")).policies;
    ok(pols.find(p => p.name === "P1").assigned && !pols.find(p => p.name === "P2").assigned, "assign: not kept, the previous assignment is back");

    // Safe assign, kept.
    await page.$eval("#confirm-seconds", e => { e.value = "30"; });
    await click("button[aria-label='Assign P2']");
    await page.waitForSelector("#keep", { timeout: 15000 });
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
    await sleep(1500);
    ok(await page.$$eval("#view-policies form, #view-policies button", e => e.length) === 0,
       "read-only: no forms and no change buttons");
    await shot("read-only");
    ok(errors.length === 0, "no script errors on the page" + (errors.length ? ": " + errors.join("; ") : ""));
} catch (e) {
    ok(false, "unexpected: " + e.message + (errors.length ? " (page errors: " + errors.join("; ") + ")" : ""));
}
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
