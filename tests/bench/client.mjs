// Client figures on a large portal (issue 8): cold open from IndexedDB to first render,
// keystroke to persisted in IndexedDB, and edit visible in a second browser through the relay,
// plus the wasm size. Prints figures; asserts nothing about speed.
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

const TASKS = Number(process.env.BENCH_TASKS ?? 1000);
const FIELDS = Number(process.env.BENCH_FIELDS ?? 200);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 50000);
const OPENS = Number(process.env.BENCH_OPENS ?? 10);
const EDITS = Number(process.env.BENCH_EDITS ?? 50);
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

// Records, on every page load, the first animation frame in which the portal (its name and its
// first tasks) is on screen, and the first in which every one of its tasks is.
const firstRenderProbe = tasks => {
  const tick = () => {
    const name = document.querySelector("#client-name");
    const rows = document.querySelectorAll('input[aria-label^="Done: "]').length;
    if (name && name.value && rows > 0 && window.__firstPortal === undefined) window.__firstPortal = performance.now();
    if (name && name.value && rows >= tasks) window.__allTasks = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

const relay = await startRelay({ dataDir });
const browser = await launchBrowser();
try {
  const registered = await fetch(`${relay.url}/api/workspace`, {
    method: "PUT",
    headers: { authorization: `Bearer ${relay.owner}`, "content-type": "application/json" },
    body: JSON.stringify({ workspace: generated.workspace }),
  });
  if (!registered.ok) throw new Error(`registering the workspace: ${registered.status} ${await registered.text()}`);
  const portalUrl = `${relay.url}/#/portal/${generated.portal}`;

  // First open on a new device: the portal comes from the relay and is stored in IndexedDB.
  const a = await newDevice(browser, relay);
  await a.page.addInitScript(firstRenderProbe, TASKS);
  await a.page.goto(portalUrl);
  await a.page.waitForFunction(() => window.__firstPortal !== undefined, null, { timeout: 120_000 });
  const fromRelay = await a.page.evaluate(() => window.__firstPortal);
  await waitForStatus(a.page, "Synced", 60_000);
  console.log(`first open on a new device (portal from the relay): ${fmt(fromRelay)}`);

  // Cold open: a fresh page load with the portal only in IndexedDB (the relay has nothing newer).
  const cold = { read: [], loaded: [], first: [], all: [] };
  for (let i = 0; i < OPENS; i++) {
    await a.page.reload();
    await a.page.waitForFunction(() => window.__allTasks !== undefined, null, { timeout: 120_000 });
    const t = await a.page.evaluate(id => ({
      read: performance.getEntriesByName(`threshold:read:${id}`)[0]?.startTime,
      loaded: performance.getEntriesByName(`threshold:loaded:${id}`)[0]?.startTime,
      first: window.__firstPortal,
      all: window.__allTasks,
    }), generated.portal);
    for (const k of Object.keys(cold)) cold[k].push(t[k]);
  }
  console.log(`cold open, navigation to the portal's bytes read from IndexedDB: ${summary(cold.read)}`);
  console.log(`cold open, navigation to the document loaded by the engine: ${summary(cold.loaded)}`);
  console.log(`cold open from IndexedDB to first render (the portal with its first tasks): ${summary(cold.first)}`);
  console.log(`cold open to all ${TASKS} tasks on screen: ${summary(cold.all)}`);

  // A second browser on the same portal, to watch edits arrive.
  const b = await newDevice(browser, relay);
  await b.page.addInitScript(firstRenderProbe, TASKS);
  await b.page.goto(portalUrl);
  await b.page.waitForFunction(() => window.__firstPortal !== undefined, null, { timeout: 120_000 });
  await waitForStatus(b.page, "Synced", 60_000);
  await waitForStatus(a.page, "Synced", 60_000);

  // One keystroke per edit: Enter in "New task" adds the task. Timed in A from the keydown
  // event to the app's `threshold:persisted` event (its chunk is in IndexedDB), and from the
  // same keydown to the frame where B's MutationObserver sees the new row.
  const persisted = [];
  const fromSubmit = [];
  const visible = [];
  for (let n = 0; n < EDITS; n++) {
    const title = `bench edit ${n}`;
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
} finally {
  await browser.close();
  await relay.stop();
}
