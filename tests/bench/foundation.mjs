// Foundation figures: wasm size, navigation to first rendered portal, and edit-to-visible
// latency between two browsers through the relay. Prints figures; asserts nothing about speed.
//   scripts/bench.sh            (builds release app and relay, then runs this)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { DIST, createPortal, launchBrowser, newDevice, startRelay, waitForStatus } from "../e2e/harness.mjs";
import { taskRowAppears } from "./probes.mjs";

const EDITS = Number(process.env.BENCH_EDITS ?? 50);
const OPENS = Number(process.env.BENCH_OPENS ?? 10);

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const fmt = ms => `${ms.toFixed(1)} ms`;

const wasm = readdirSync(DIST).find(f => f.endsWith(".wasm"));
const wasmBytes = readFileSync(join(DIST, wasm));
console.log(`wasm size: ${(statSync(join(DIST, wasm)).size / 1024).toFixed(0)} KB raw, ${(gzipSync(wasmBytes, { level: 9 }).length / 1024).toFixed(0)} KB gzip (${wasm})`);

// Records, on every page, when the portal's client name is first on screen.
const firstRenderProbe = () => {
  const tick = () => {
    const el = document.querySelector("#client-name");
    if (el && el.value) window.__firstPortal = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

const relay = await startRelay();
const browser = await launchBrowser();
try {
  const a = await newDevice(browser);
  const id = await createPortal(a.page, relay.url, "Benchmark Co");
  await waitForStatus(a.page, "Synced");

  // Cold: a new device with nothing stored; the portal comes from the relay.
  const cold = [];
  for (let i = 0; i < OPENS; i++) {
    const d = await newDevice(browser);
    await d.page.addInitScript(firstRenderProbe);
    await d.page.goto(`${relay.url}/#/portal/${id}`);
    await d.page.waitForFunction(() => window.__firstPortal !== undefined);
    cold.push(await d.page.evaluate(() => window.__firstPortal));
    await d.context.close();
  }
  // Warm: a reload on a device that has the portal in IndexedDB.
  await a.page.addInitScript(firstRenderProbe);
  const warm = [];
  for (let i = 0; i < OPENS; i++) {
    await a.page.reload();
    await a.page.waitForFunction(() => window.__firstPortal !== undefined);
    warm.push(await a.page.evaluate(() => window.__firstPortal));
  }
  console.log(`navigation to first rendered portal, new device (from relay): median ${fmt(quantile(cold, 0.5))}, p95 ${fmt(quantile(cold, 0.95))} (n=${OPENS})`);
  console.log(`navigation to first rendered portal, reload (from IndexedDB): median ${fmt(quantile(warm, 0.5))}, p95 ${fmt(quantile(warm, 0.95))} (n=${OPENS})`);

  // Edit-to-visible: A adds a task; B notices the new row. Both clocks are this machine's.
  const b = await newDevice(browser);
  await b.page.goto(`${relay.url}/#/portal/${id}`);
  await b.page.getByRole("heading", { name: "Task plan" }).waitFor();
  await waitForStatus(a.page, "Synced");
  const latencies = [];
  for (let n = 0; n < EDITS; n++) {
    const title = `bench-${n}`;
    const seen = taskRowAppears(b.page, title);
    await a.page.getByLabel("New task").fill(title);
    const sent = await a.page.evaluate(() => {
      const t0 = performance.timeOrigin + performance.now();
      document.querySelector("form.add-task button[type=submit]").click();
      return t0;
    });
    latencies.push((await seen) - sent);
  }
  console.log(`edit visible in the other browser through the relay: median ${fmt(quantile(latencies, 0.5))}, p95 ${fmt(quantile(latencies, 0.95))} (n=${EDITS})`);
} finally {
  await browser.close();
  await relay.stop();
}
