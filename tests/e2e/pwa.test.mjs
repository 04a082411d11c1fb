// Installable, opens with no network, updates without losing edits, tabs stay in step.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DIST, addTask, createPortal, eventually, goView, launchBrowser, launchProfile, newDevice, taskTitles,
  tempDir, waitForStatus, withRelay,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const serviceWorkerReady = page => page.evaluate(async () => {
  await navigator.serviceWorker.ready;
  // The first install claims the page; wait until it controls it.
  if (!navigator.serviceWorker.controller) {
    await new Promise(r => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
  }
});

/** Keys of a document's chunks in this browser profile's IndexedDB. */
const storedChunks = (page, id) => page.evaluate(id => new Promise((resolve, reject) => {
  const open = indexedDB.open("threshold");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const prefix = `docs/${id}/`;
    const request = open.result.transaction("kv").objectStore("kv").getAllKeys(IDBKeyRange.bound(prefix, prefix + "\uffff"));
    request.onsuccess = () => { resolve(request.result); open.result.close(); };
    request.onerror = () => reject(request.error);
  };
}), id);

test("installability_criteria_are_met", () => withRelay(async relay => {
  // A persistent profile, as a user's browser has: installation is never offered in incognito.
  const context = await launchProfile(relay);
  const page = await context.newPage();
  await page.goto(relay.url + "/");
  await serviceWorkerReady(page);
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  assert.deepEqual(installabilityErrors, []);
  const manifest = await cdp.send("Page.getAppManifest");
  assert.deepEqual(manifest.errors, []);
  const parsed = JSON.parse(manifest.data);
  assert.equal(parsed.display, "standalone");
  assert.ok(parsed.icons.some(i => i.purpose === "maskable"));
}));

test("offline_reload_then_edit_syncs_when_the_network_returns", () => withRelay(async relay => {
  const a = await newDevice(browser, relay);
  const id = await createPortal(a.page, relay.url, "Train Wi-Fi Ltd");
  await addTask(a.page, "Made online");
  await serviceWorkerReady(a.page);
  await waitForStatus(a.page, "Synced");

  // No relay and no network at all: the app shell comes from the service worker and the
  // portal from IndexedDB.
  await relay.stop("SIGKILL");
  await a.context.setOffline(true);
  await a.page.reload();
  await a.page.getByRole("checkbox", { name: "Done: Made online" }).waitFor();
  assert.equal(await a.page.getByRole("heading", { level: 1 }).innerText(), "Train Wi-Fi Ltd");
  await waitForStatus(a.page, "Offline");
  await addTask(a.page, "Made offline after a reload");
  await a.page.goto(relay.url + "/#/");
  await a.page.getByRole("link", { name: "Train Wi-Fi Ltd" }).waitFor();
  await a.page.getByRole("link", { name: "Train Wi-Fi Ltd" }).click();
  await goView(a.page, "Plan");
  await a.page.getByRole("checkbox", { name: "Done: Made offline after a reload" }).waitFor();

  await relay.restart();
  await a.context.setOffline(false);
  await waitForStatus(a.page, "Synced", 30_000);
  const b = await newDevice(browser, relay);
  await b.page.goto(`${relay.url}/#/portal/${id}`);
  await eventually(() => taskTitles(b.page), t => t.length === 2, { message: "the offline edit reached the relay" });
  assert.deepEqual((await taskTitles(b.page)).sort(), ["Made offline after a reload", "Made online"]);
}));

test("update_flow_keeps_local_edits", () => {
  const site = tempDir("site");
  cpSync(DIST, site, { recursive: true });
  return withRelay({ staticDir: site }, async relay => {
    const a = await newDevice(browser, relay);
    await createPortal(a.page, relay.url, "Update Co");
    await serviceWorkerReady(a.page);
    const oldVersion = readFileSync(join(site, "sw.js"), "utf8").match(/const VERSION = "(.*)"/)[1];

    // A new build is deployed while the app is open.
    const sw = readFileSync(join(site, "sw.js"), "utf8");
    writeFileSync(join(site, "sw.js"), sw.replace(`const VERSION = "${oldVersion}"`, `const VERSION = "next-build"`));
    await a.page.evaluate(() => navigator.serviceWorker.getRegistration().then(r => r.update()));
    const banner = a.page.getByRole("status").filter({ hasText: "A new version of Threshold is available" });
    await banner.waitFor();

    // An edit made just before updating must survive the reload into the new version.
    await goView(a.page, "Plan");
    await a.page.getByLabel("New task").fill("Typed right before the update");
    await a.page.getByRole("button", { name: "Add task" }).click();
    // Listen before clicking: the new version's page can finish loading before the click
    // returns (it comes from the service worker's cache).
    const reloaded = a.page.waitForEvent("load");
    await a.page.getByRole("button", { name: "Reload to update" }).click();
    await reloaded;
    await a.page.getByRole("checkbox", { name: "Done: Typed right before the update" }).waitFor();
    const caches = await a.page.evaluate(() => caches.keys());
    assert.deepEqual(caches, ["threshold-next-build"]);
  });
});

test("two_tabs_stay_in_step_without_writing_a_change_twice", () => withRelay(async relay => {
  const { context, page: tab1 } = await newDevice(browser, relay);
  const id = await createPortal(tab1, relay.url, "Two Tabs Inc");
  await waitForStatus(tab1, "Synced");
  const tab2 = await context.newPage();
  await tab2.goto(`${relay.url}/#/portal/${id}`);
  await tab2.getByRole("navigation", { name: "Portal" }).waitFor();
  await goView(tab2, "Plan");

  // Offline, so the tabs can only hear of each other through the browser itself.
  await context.setOffline(true);
  await waitForStatus(tab1, "Offline");
  const before = (await storedChunks(tab1, id)).length;
  for (const title of ["First from tab 1", "Second from tab 1", "Third from tab 1"]) {
    await addTask(tab1, title);
    await tab2.getByRole("checkbox", { name: `Done: ${title}` }).waitFor();
  }
  await addTask(tab2, "From tab 2");
  await tab1.getByRole("checkbox", { name: "Done: From tab 2" }).waitFor();
  // Four edits, four chunks: the tab that receives an edit does not store it again.
  assert.equal((await storedChunks(tab1, id)).length, before + 4);

  await context.setOffline(false);
  await waitForStatus(tab1, "Synced", 30_000);
  await waitForStatus(tab2, "Synced", 30_000);
  assert.deepEqual((await taskTitles(tab1)).sort(), (await taskTitles(tab2)).sort());
  assert.equal((await storedChunks(tab1, id)).length, before + 4, "syncing stored nothing twice");
  const other = await newDevice(browser, relay);
  await other.page.goto(`${relay.url}/#/portal/${id}`);
  await eventually(() => taskTitles(other.page), t => t.length === 4, { message: "the relay has every tab's edits" });
}));
