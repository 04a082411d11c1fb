// Client figures on a large portal (issues 8 and 19): cold open from IndexedDB to first render,
// keystroke to persisted in IndexedDB, and edit visible in a second browser through the relay,
// the longest main-thread tasks (Long Tasks API), ten answers in the Intake view, plus the wasm
// size. Prints figures; asserts nothing about speed.
//   scripts/bench-client.sh   (builds the app, the relay and the generator in release, then runs this)
// Environment: BENCH_TASKS (1000), BENCH_FIELDS (200), BENCH_CHANGES (50000), BENCH_OPENS (10),
// BENCH_EDITS (50); LARGE_PORTAL_BIN, the generator (target/release/examples/large_portal).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { DIST, launchBrowser, newDevice, startRelay, tempDir, waitForStatus } from "../e2e/harness.mjs";
import { taskRowAppears } from "./probes.mjs";
import { printTrace, startTrace } from "./trace.mjs";

const TASKS = Number(process.env.BENCH_TASKS ?? 1000);
const FIELDS = Number(process.env.BENCH_FIELDS ?? 200);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 50000);
const OPENS = Number(process.env.BENCH_OPENS ?? 10);
const EDITS = Number(process.env.BENCH_EDITS ?? 50);
// BENCH_TRACE=<dir>: also record Chromium traces of the cold opens and the typing (slower; the
// figures of such a run are not the ones to record) and print what their long tasks were made of.
const TRACE = process.env.BENCH_TRACE;
const GENERATOR = process.env.LARGE_PORTAL_BIN ?? new URL("../../target/release/examples/large_portal", import.meta.url).pathname;

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const fmt = ms => `${ms.toFixed(1)} ms`;
const summary = values => `median ${fmt(quantile(values, 0.5))}, p95 ${fmt(quantile(values, 0.95))} (n=${values.length})`;

const wasm = readdirSync(DIST).find(f => f.endsWith(".wasm"));
const wasmBytes = readFileSync(join(DIST, wasm));
console.log(`wasm size: ${(statSync(join(DIST, wasm)).size / 1024).toFixed(0)} KB raw, ${(gzipSync(wasmBytes, { level: 9 }).length / 1024).toFixed(0)} KB gzip (${wasm})`);

// The portal, generated natively through the model and placed in the relay's storage as one
// snapshot per document, exactly where the relay would have written it.
const out = tempDir("large-portal");
const generated = JSON.parse(execFileSync(GENERATOR, [out, String(TASKS), String(FIELDS), String(CHANGES)], { encoding: "utf8" }));
const dataDir = tempDir("client-bench");
for (const id of [generated.workspace, generated.portal, generated.internal]) {
  const bytes = readFileSync(join(out, `${id}.automerge`));
  const dir = join(dataDir, "docs", id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `snapshot-${createHash("sha256").update(bytes).digest("hex")}`), bytes);
}
console.log(`portal: ${generated.tasks} tasks, ${generated.fields} intake fields, ${generated.changes} changes, ${(generated.portalBytes / 1024).toFixed(0)} KB saved`);

// Records, on every page load, the first animation frame in which the portal's Plan view (the
// portal's name and its first task rows) is on screen, and every main-thread task over 50 ms
// (Long Tasks API) with its start, so that a phase can count the ones that fell inside it.
const pageProbe = () => {
  window.__longTasks = [];
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch { /* no Long Tasks API: the figures say n=0 */ }
  // First render: the portal's name and its first task rows on screen, drawn from this
  // device's ready-to-draw copy (text) or from the document. First usable: the rows' own
  // checkboxes, once the document is loaded and the page itself is drawn.
  const tick = () => {
    const name = document.querySelector('[data-testid="client-name"]');
    const rows = document.querySelectorAll(".task-list li.task").length;
    const usable = document.querySelectorAll('input[aria-label^="Done: "]').length;
    if (name && name.textContent && rows > 0 && window.__firstPortal === undefined) window.__firstPortal = performance.now();
    if (usable > 0) window.__firstUsable = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

/** The long tasks a page saw since `since` (its `performance.now()`): the longest and how many. */
const longTasksSince = (page, since) => page.evaluate(since => {
  const tasks = window.__longTasks.filter(t => t.start >= since);
  return { count: tasks.length, longest: Math.max(0, ...tasks.map(t => t.duration)), over200: tasks.filter(t => t.duration > 200).length };
}, since);
const longSummary = l => `longest ${fmt(l.longest)}, ${l.count} over 50 ms, ${l.over200} over 200 ms`;

const relay = await startRelay({ dataDir });
const browser = await launchBrowser();
try {
  const registered = await fetch(`${relay.url}/api/workspace`, {
    method: "PUT",
    headers: { authorization: `Bearer ${relay.owner}`, "content-type": "application/json" },
    body: JSON.stringify({ workspace: generated.workspace }),
  });
  if (!registered.ok) throw new Error(`registering the workspace: ${registered.status} ${await registered.text()}`);
  // The Plan view: the view that shows tasks (the portal is split into views since issue 17).
  const portalUrl = `${relay.url}/#/portal/${generated.portal}/plan`;

  // First open on a new device: the portal comes from the relay and is stored in IndexedDB.
  const a = await newDevice(browser, relay);
  await a.page.addInitScript(pageProbe);
  await a.page.goto(portalUrl);
  await a.page.waitForFunction(() => window.__firstUsable !== undefined, null, { timeout: 120_000 });
  const fromRelay = await a.page.evaluate(() => window.__firstPortal);
  await waitForStatus(a.page, "Synced", 60_000);
  console.log(`first open on a new device (portal from the relay): ${fmt(fromRelay)}`);

  // Cold open: a fresh page load with the portal only in IndexedDB (the relay has nothing newer).
  const cold = { read: [], loaded: [], first: [], usable: [], rows: [], longest: [] };
  const stopColdTrace = TRACE && await startTrace(a.page);
  for (let i = 0; i < OPENS; i++) {
    await a.page.reload();
    await a.page.waitForFunction(() => window.__firstUsable !== undefined, null, { timeout: 120_000 });
    const t = await a.page.evaluate(id => ({
      read: performance.getEntriesByName(`threshold:read:${id}`)[0]?.startTime,
      loaded: performance.getEntriesByName(`threshold:loaded:${id}`)[0]?.startTime,
      first: window.__firstPortal,
      usable: window.__firstUsable,
      rows: document.querySelectorAll('input[aria-label^="Done: "]').length,
      longest: Math.max(0, ...window.__longTasks.map(l => l.duration)),
    }), generated.portal);
    for (const k of Object.keys(cold)) cold[k].push(t[k]);
  }
  if (TRACE) {
    await stopColdTrace(join(TRACE, "cold-open.json"));
    printTrace("cold opens", join(TRACE, "cold-open.json"));
  }
  console.log(`cold open, navigation to the portal's bytes read from IndexedDB: ${summary(cold.read)}`);
  console.log(`cold open, navigation to the document loaded by the engine: ${summary(cold.loaded)}`);
  console.log(`cold open, navigation to first render (the portal's name and first task rows, Plan view; from this device's copy once it has one): ${summary(cold.first)}`);
  console.log(`cold open to the page itself drawn (the rows' checkboxes, the document loaded): ${summary(cold.usable)}`);
  console.log(`cold open, task rows in the page once drawn: ${summary(cold.rows).replaceAll(" ms", "")}`);
  console.log(`cold open, longest main-thread task up to the page drawn: ${summary(cold.longest)}`);

  // A second browser on the same portal, to watch edits arrive.
  const b = await newDevice(browser, relay);
  await b.page.addInitScript(pageProbe);
  await b.page.goto(portalUrl);
  await b.page.waitForFunction(() => window.__firstUsable !== undefined, null, { timeout: 120_000 });
  await waitForStatus(b.page, "Synced", 60_000);
  await waitForStatus(a.page, "Synced", 60_000);

  // One keystroke per edit: Enter in "New task" adds the task. Timed in A from the keydown
  // event to the app's `threshold:persisted` event (its chunk is in IndexedDB), and from the
  // same keydown to the frame where B's MutationObserver sees the new row.
  const persisted = [];
  const fromSubmit = [];
  const visible = [];
  // Tracing is browser-wide: one trace holds both pages' renderers.
  const stopTypingTrace = TRACE && await startTrace(a.page);
  const typingFrom = { a: await a.page.evaluate(() => performance.now()), b: await b.page.evaluate(() => performance.now()) };
  for (let n = 0; n < EDITS; n++) {
    const title = `bench edit ${n}`;
    // A windowed plan draws a new task past its first rows only when searched for: B searches
    // for the title before it exists (a plan that draws every row has no search box).
    if (await b.page.locator("#task-search").count()) await b.page.locator("#task-search").fill(title);
    const seen = taskRowAppears(b.page, title);
    await a.page.locator("#new-task-title").fill(title);
    await a.page.evaluate(() => {
      window.__keystroke = new Promise(resolve => {
        let pressed, submitted;
        window.addEventListener("keydown", e => { pressed = e.timeStamp; }, { capture: true, once: true });
        window.addEventListener("submit", e => { submitted = e.timeStamp; }, { capture: true, once: true });
        window.addEventListener("threshold:persisted", () => resolve({ pressed, submitted, persisted: performance.now() }), { once: true });
      });
    });
    await a.page.locator("#new-task-title").press("Enter");
    const timing = await a.page.evaluate(() => window.__keystroke.then(t => ({ ...t, origin: performance.timeOrigin })));
    persisted.push(timing.persisted - timing.pressed);
    fromSubmit.push(timing.persisted - timing.submitted);
    visible.push((await seen) - (timing.origin + timing.pressed));
  }
  console.log(`keystroke to persisted in IndexedDB: ${summary(persisted)}`);
  console.log(`  of which the form's submit event to persisted (the app's own work): ${summary(fromSubmit)}`);
  console.log(`keystroke to visible in the other browser through the relay: ${summary(visible)}`);
  if (TRACE) {
    await stopTypingTrace(join(TRACE, "typing.json"));
    printTrace("both browsers while typing", join(TRACE, "typing.json"));
  }
  console.log(`main-thread tasks while typing (Long Tasks API), typing browser: ${longSummary(await longTasksSince(a.page, typingFrom.a))}`);
  console.log(`main-thread tasks while typing (Long Tasks API), watching browser: ${longSummary(await longTasksSince(b.page, typingFrom.b))}`);

  // The Intake view: the portal's other long list (its 200 fields in one form). Ten answers,
  // each typed into the first text field and committed with Tab (answers save on change), timed
  // from the change to `threshold:persisted`, with the long tasks meanwhile.
  await a.page.goto(`${relay.url}/#/portal/${generated.portal}/intake`);
  const field = a.page.locator(".intake-form input[type=text]").first();
  await field.waitFor({ timeout: 120_000 });
  const intakeFrom = await a.page.evaluate(() => performance.now());
  const stopIntakeTrace = TRACE && await startTrace(a.page);
  const answered = [];
  for (let n = 0; n < 10; n++) {
    await field.fill(`bench answer ${n}`);
    await a.page.evaluate(() => {
      window.__answer = new Promise(resolve => {
        const start = performance.now();
        window.addEventListener("threshold:persisted", () => resolve(performance.now() - start), { once: true });
      });
    });
    await field.press("Tab");
    answered.push(await a.page.evaluate(() => window.__answer));
  }
  if (TRACE) {
    await stopIntakeTrace(join(TRACE, "intake.json"));
    printTrace("intake answers", join(TRACE, "intake.json"));
  }
  console.log(`intake (${await a.page.locator(".intake-form :is(input, textarea, select)").count()} controls): answer to persisted: ${summary(answered)}`);
  console.log(`main-thread tasks while answering (Long Tasks API): ${longSummary(await longTasksSince(a.page, intakeFrom))}`);
} finally {
  await browser.close();
  await relay.stop();
}
