// The example load balancer config (deploy/nginx.conf) run by Debian's nginx in front of two
// relays on one PostgreSQL database: the app loads through it, two browsers that nginx sends to
// different relays co-edit a portal live, a browser whose relay is SIGKILLed carries on through
// the other, and a file whose upload that kill cut short is sent again through the other.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  addTask, createPortal, eventually, goView, inviteClient, launchBrowser, newDevice, openInvite, startRelay, taskTitles, waitForStatus, withRelay,
} from "./harness.mjs";
import { startPostgres } from "./postgres.mjs";
import { startNginx } from "./nginx.mjs";

let pg;
let browser;
before(async () => { pg = await startPostgres(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); pg?.stop(); });

/**
 * Relays A and B on one database, and nginx with two fronts: the first sends everything to A
 * (B as its backup), the second to B (A as its backup).
 */
function behindNginx(body) {
  const database = ["--database-url", pg.database()];
  return withRelay({ extraArgs: database }, async a => {
    const b = await startRelay({ extraArgs: database, owner: a.owner });
    a.defer(() => b.stop());
    const nginx = await startNginx([[a.port, b.port], [b.port, a.port]]);
    a.defer(() => nginx.stop());
    try {
      await body({ a, b, nginx, toA: nginx.urls[0], toB: nginx.urls[1] });
    } catch (error) {
      process.stderr.write(`# relay B wrote:\n${b.output().replace(/^/gm, "#   ")}\n# nginx errors:\n${nginx.errors().replace(/^/gm, "#   ")}\n`);
      throw error;
    }
  });
}

/** The relay ports nginx sent front `url`'s `/sync` sockets to, from its access log. */
function syncUpstreams(nginx, url) {
  const port = new URL(url).port;
  return nginx.log()
    .filter(line => line.includes(` ${port} "GET /sync" `))
    .map(line => Number(line.split(":").pop()));
}

test("through_nginx_a_provider_on_one_relay_and_a_client_on_the_other_co_edit_a_portal_live", () => behindNginx(async ({ a, b, nginx, toA, toB }) => {
  const provider = await newDevice(browser, a);
  const p = provider.page;
  await createPortal(p, toA, "Acme Studio");
  await waitForStatus(p, "Synced");
  const link = await inviteClient(p);
  assert.ok(link.startsWith(`${toA}/#/join/`), `the invite names the address the provider uses: ${link}`);

  // The client opens the invite through the other front, which sends them to relay B.
  const client = await openInvite(browser, a, link.replace(toA, toB));
  const c = client.page;
  await waitForStatus(c, "Synced");
  await addTask(c, "Send the brand guidelines");
  await eventually(() => taskTitles(p), t => t.includes("Send the brand guidelines"), { message: "the provider (relay A) sees the client's task live" });
  await addTask(p, "Review the guidelines");
  // A client sees a provider's task without its title field (they may not rename it).
  await c.getByRole("checkbox", { name: "Done: Review the guidelines" }).waitFor({ timeout: 15_000 });
  assert.deepEqual([...p.errors, ...c.errors], []);

  // nginx logs a socket when it closes: the provider's went to A and the client's to B.
  await client.context.close();
  await provider.context.close();
  await eventually(() => [syncUpstreams(nginx, toA), syncUpstreams(nginx, toB)],
    ([viaA, viaB]) => viaA.length > 0 && viaB.length > 0, { message: "nginx logged both sockets" });
  assert.ok(syncUpstreams(nginx, toA).every(port => port === a.port), `the provider's sockets went to relay A: ${nginx.log().join("\n")}`);
  assert.ok(syncUpstreams(nginx, toB).every(port => port === b.port), `the client's sockets went to relay B: ${nginx.log().join("\n")}`);
}));

test("a_relay_killed_behind_nginx_loses_nothing_acknowledged_and_its_browser_carries_on_through_the_other", () => behindNginx(async ({ a, b, nginx, toA, toB }) => {
  const provider = await newDevice(browser, a);
  const p = provider.page;
  const id = await createPortal(p, toA, "Acme Studio");
  await addTask(p, "Acknowledged before the crash");
  await waitForStatus(p, "Synced");
  // A second device on relay B follows along.
  const watcher = await newDevice(browser, a);
  const w = watcher.page;
  await w.goto(`${toB}/#/portal/${id}`);
  await eventually(() => taskTitles(w), t => t.includes("Acknowledged before the crash"), { message: "relay B's device sees the first task" });

  assert.deepEqual(await a.stop("SIGKILL"), { code: null, signal: "SIGKILL" });
  // The provider's socket drops; the app reconnects to the same address, and nginx, finding
  // relay A refusing connections, hands it to relay B, which acknowledges the next change.
  await addTask(p, "Made after the crash");
  await waitForStatus(p, "Synced", 30_000);
  await eventually(() => taskTitles(w), t => t.includes("Made after the crash"), { message: "relay B's device sees the task made after the crash" });

  // The app itself still loads through the front whose relay died, with everything in it.
  await p.reload();
  await eventually(() => taskTitles(p), t => ["Acknowledged before the crash", "Made after the crash"].every(x => t.includes(x)), { message: "after a reload, both tasks" });
  const toDead = nginx.log().filter(line => line.includes(` ${new URL(toA).port} "GET /sync" `) && line.endsWith(`:${b.port}`));
  assert.ok(toDead.length > 0, `nginx sent the provider's new socket to relay B:\n${nginx.log().join("\n")}`);
  assert.deepEqual(p.errors.filter(e => !/WebSocket|502|ERR_CONNECTION/i.test(e)), []);
}));

test("a_file_mid_upload_when_its_relay_is_killed_is_sent_again_through_the_other_and_opens_with_its_bytes", () => behindNginx(async ({ a, b, nginx, toA, toB }) => {
  const provider = await newDevice(browser, a);
  const p = provider.page;
  const id = await createPortal(p, toA, "Acme Studio");
  await waitForStatus(p, "Synced");
  // A slow uplink (512 KB/s), so the 4 MB file is still on its way when relay A dies. nginx
  // streams uploads to the relay (proxy_request_buffering off), so relay A is receiving it.
  const cdp = await provider.context.newCDPSession(p);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 512 * 1024 });
  await goView(p, "Files");
  const content = randomBytes(4 << 20);
  await p.locator("#portal-file-input").setInputFiles({ name: "site-photos.zip", mimeType: "application/zip", buffer: content });
  const row = p.getByRole("list", { name: "Files in this portal" }).getByRole("listitem").filter({ hasText: "site-photos.zip" });
  await eventually(() => row.locator(".file-status").innerText(), t => /^Uploading ([1-9]\d?)%$/.test(t), { message: "the upload is under way", timeout: 20_000 });

  assert.deepEqual(await a.stop("SIGKILL"), { code: null, signal: "SIGKILL" });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  // The app keeps the file queued and sends it again; nginx hands the new request to relay B.
  await eventually(() => row.locator(".file-status").innerText(), t => t === "", { message: "the file uploaded after the failover", timeout: 45_000 });
  const uploads = nginx.log().filter(line => line.includes(` ${new URL(toA).port} "PUT /blobs/`));
  // nginx logs each upload with its status and the relay it went to: the first, to relay A,
  // was cut short (502); the app sent it again, and relay B stored it (201).
  const shown = `nginx's log:\n${nginx.log().join("\n")}`;
  assert.ok(/" 502 /.test(uploads[0] ?? "") && uploads[0].endsWith(`:${a.port}`), `the first upload went to relay A and was cut short; ${shown}`);
  assert.ok(uploads.some(line => / 201 /.test(line) && line.endsWith(`:${b.port}`)), `relay B stored the upload sent again; ${shown}`);

  // A second browser, through the other front, opens the file with the same bytes.
  const watcher = await newDevice(browser, a);
  const w = watcher.page;
  await w.goto(`${toB}/#/portal/${id}`);
  await goView(w, "Files");
  const files = w.getByRole("list", { name: "Files in this portal" });
  await files.getByText("site-photos.zip").waitFor({ timeout: 15_000 });
  const download = w.waitForEvent("download");
  await files.getByRole("button", { name: "Download site-photos.zip" }).click();
  assert.ok(readFileSync(await (await download).path()).equals(content), "the same bytes");
  assert.deepEqual(w.errors, []);
}));

test("two_browsers_on_different_relays_edit_offline_and_every_device_ends_with_both_edits", () => behindNginx(async ({ a, b, nginx, toA, toB }) => {
  const first = await newDevice(browser, a);
  const p = first.page;
  const id = await createPortal(p, toA, "Acme Studio");
  await waitForStatus(p, "Synced");
  const second = await newDevice(browser, a);
  const q = second.page;
  await q.goto(`${toB}/#/portal/${id}`);
  await q.getByRole("navigation", { name: "Portal" }).waitFor();
  await waitForStatus(q, "Synced");

  await first.context.setOffline(true);
  await second.context.setOffline(true);
  await waitForStatus(p, "Offline");
  await waitForStatus(q, "Offline");
  const both = ["Written offline beside relay A", "Written offline beside relay B"];
  await addTask(p, both[0]);
  await addTask(q, both[1]);
  await first.context.setOffline(false);
  await second.context.setOffline(false);
  for (const page of [p, q]) {
    await eventually(() => taskTitles(page), t => both.every(x => t.includes(x)), { message: "each browser gets the other's offline edit", timeout: 30_000 });
    await waitForStatus(page, "Synced", 30_000);
  }
  // A third device on a fresh profile reads both from the relays.
  const third = (await newDevice(browser, a)).page;
  await third.goto(`${toA}/#/portal/${id}`);
  await eventually(() => taskTitles(third), t => both.every(x => t.includes(x)), { message: "a fresh device sees both offline edits" });
  await second.context.close();
  await first.context.close();
  await eventually(() => [syncUpstreams(nginx, toA), syncUpstreams(nginx, toB)],
    ([viaA, viaB]) => viaA.length > 0 && viaB.length > 0, { message: "nginx logged both browsers' sockets" });
  assert.ok(syncUpstreams(nginx, toB).every(port => port === b.port), `the second browser's sockets went to relay B: ${nginx.log().join("\n")}`);
  assert.deepEqual([...p.errors, ...q.errors, ...third.errors].filter(e => !/ERR_INTERNET_DISCONNECTED|WebSocket/i.test(e)), []);
}));

test("while_the_database_is_down_the_app_does_not_say_synced_and_says_so_once_it_is_back", { timeout: 120_000 }, () => behindNginx(async ({ a, toA }) => {
  const device = await newDevice(browser, a);
  const p = device.page;
  const id = await createPortal(p, toA, "Acme Studio");
  await waitForStatus(p, "Synced");
  // Every state the badge shows from here on, in order.
  await p.evaluate(() => {
    const badge = document.querySelector("[data-testid=connection-status]");
    window.shown = [badge.textContent.trim()];
    new MutationObserver(() => window.shown.push(badge.textContent.trim())).observe(badge, { subtree: true, childList: true, characterData: true });
  });
  pg.stopServer();
  try {
    await addTask(p, "Written while the database was down");
    // The relay refuses the change it cannot store (and again when the app resends it).
    await eventually(() => (a.output().match(/could not store changes/g) ?? []).length, n => n >= 2,
      { message: "relay A refused the change twice", timeout: 60_000 });
    const shown = await p.evaluate(() => window.shown);
    const status = await p.getByTestId("connection-status").innerText();
    assert.ok(shown.length > 1 && !shown.slice(1).includes("Synced"), `never "Synced" during the outage: ${shown}`);
    assert.notEqual(status.trim(), "Synced");
  } finally {
    pg.start();
  }
  await waitForStatus(p, "Synced", 60_000);
  const fresh = (await newDevice(browser, a)).page;
  await fresh.goto(`${toA}/#/portal/${id}`);
  await eventually(() => taskTitles(fresh), t => t.includes("Written while the database was down"), { message: "a fresh device reads the change stored after the outage" });
}));
