// First visit on a phone: a client opens their invite link in Chromium throttled through the
// DevTools protocol (9 Mbit/s down and up, 150 ms round trip, CPU slowed 4x), then comes back.
// Prints, for each run and as medians: bytes the page's requests transferred (the sum of
// Network.loadingFinished encodedDataLength: bodies as sent, compressed or not, plus headers),
// all bytes the relay sent on any connection (through a counting proxy: this includes the
// service worker's own fetches and the sync WebSocket, which the page's DevTools session does
// not see), and the time from navigation start to the portal's heading on screen.
// Asserts nothing about speed.
//   scripts/bench-first-visit.sh        (builds the app and the relay, then runs this)
//   FIRST_VISIT_RUNS (3)
import net from "node:net";
import { launchBrowser, inviteClient, providerWithPortal, startRelay, waitForStatus } from "../e2e/harness.mjs";

const RUNS = Number(process.env.FIRST_VISIT_RUNS ?? 3);
const PHONE = {
  offline: false,
  latency: 150,
  downloadThroughput: (9 * 1000 * 1000) / 8,
  uploadThroughput: (9 * 1000 * 1000) / 8,
};
const CPU_SLOWDOWN = 4;

/** A loopback proxy in front of the relay that counts the bytes the relay sends. */
async function countingProxy(port) {
  const counter = { down: 0 };
  const server = net.createServer(client => {
    const upstream = net.connect(port, "127.0.0.1");
    upstream.on("data", chunk => { counter.down += chunk.length; });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
  await new Promise(resolve => server.listen(0, "127.0.0.1", resolve));
  counter.url = `http://127.0.0.1:${server.address().port}`;
  counter.close = () => new Promise(resolve => { server.close(resolve); });
  return counter;
}

/** Sets window.__portalShown when the portal's heading (the client's name) is first on screen. */
const headingProbe = () => {
  const tick = () => {
    const heading = document.querySelector("[data-testid=client-name]");
    if (heading && heading.textContent.trim() && heading.getClientRects().length) window.__portalShown = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const kb = bytes => `${(bytes / 1000).toFixed(0)} KB`;
const s = ms => `${(ms / 1000).toFixed(2)} s`;

/** One visit to `url` in `page` under the phone profile: `{ pageBytes, proxyBytes, ms, byType }`. */
async function visit(page, cdp, proxy, url) {
  const sizes = new Map();
  const types = new Map();
  const onResponse = e => types.set(e.requestId, e.type);
  const onFinished = e => sizes.set(e.requestId, e.encodedDataLength);
  cdp.on("Network.responseReceived", onResponse);
  cdp.on("Network.loadingFinished", onFinished);
  const before = proxy.down;
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(() => window.__portalShown !== undefined, null, { timeout: 120_000, polling: 100 });
  const ms = await page.evaluate(() => window.__portalShown);
  // Let what the visit started (the service worker's install, the first sync) finish.
  await page.waitForTimeout(3000);
  cdp.off("Network.responseReceived", onResponse);
  cdp.off("Network.loadingFinished", onFinished);
  const byType = {};
  for (const [id, bytes] of sizes) byType[types.get(id) ?? "Other"] = (byType[types.get(id) ?? "Other"] ?? 0) + bytes;
  const pageBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  return { pageBytes, proxyBytes: proxy.down - before, ms, byType };
}

const relay = await startRelay();
const proxy = await countingProxy(relay.port);
const browser = await launchBrowser();
const results = { first: [], repeat: [] };
try {
  const provider = await providerWithPortal(browser, relay, "Phone Visit Ltd");
  await waitForStatus(provider.page, "Synced");
  for (let run = 0; run < RUNS; run++) {
    const link = await inviteClient(provider.page, `Client ${run}`, `client${run}@example.com`);
    await waitForStatus(provider.page, "Synced");
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.addInitScript(headingProbe);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", PHONE);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });

    const first = await visit(page, cdp, proxy, link.replace(relay.url, proxy.url));
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise(r => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
      }
    });
    // Opening the app again is a new navigation (a same-address goto would only move the hash).
    const again = page.url();
    await page.goto("about:blank");
    const repeat = await visit(page, cdp, proxy, again);
    results.first.push(first);
    results.repeat.push(repeat);
    const detail = v => Object.entries(v.byType).map(([t, b]) => `${t} ${kb(b)}`).join(", ");
    console.log(`run ${run + 1}: first visit ${kb(first.pageBytes)} by the page (${detail(first)}), ${kb(first.proxyBytes)} from the relay in all, portal heading at ${s(first.ms)}`);
    console.log(`run ${run + 1}: repeat visit ${kb(repeat.pageBytes)} by the page (${detail(repeat)}), ${kb(repeat.proxyBytes)} from the relay in all, portal heading at ${s(repeat.ms)}`);
    await context.close();
  }
  for (const kind of ["first", "repeat"]) {
    const runs = results[kind];
    console.log(`${kind} visit, median of ${runs.length}: ${kb(median(runs.map(r => r.pageBytes)))} transferred by the page, ${kb(median(runs.map(r => r.proxyBytes)))} sent by the relay on all connections, portal heading visible at ${s(median(runs.map(r => r.ms)))}`);
  }
} finally {
  await browser.close();
  await proxy.close();
  await relay.stop();
}
