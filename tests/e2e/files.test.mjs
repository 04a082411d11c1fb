// Files end to end: the provider shares files, the client previews and downloads them in their
// own browser, a file added offline reaches the relay after reconnect and reload, a file over
// the relay's limit is refused with a clear message before any of it is kept or sent, and the
// export carries every file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import {
  eventually, goView, inviteClient, launchBrowser, newDevice, openInvite, providerWithPortal, waitForStatus, withRelay,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Network errors of a device that was offline on purpose are expected. */
const unexpected = errors => errors.filter(e => !/ERR_INTERNET_DISCONNECTED|Failed to load resource|WebSocket/i.test(e));

/** A real 2×2 PNG, built here so the test needs no fixture file. */
function png() {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = buf => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13); header.writeUInt32BE(2, 0); header.writeUInt32BE(2, 4); header[8] = 8; header[9] = 2;
  const rows = Buffer.from([0, 255, 0, 0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 255]);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

const pdf = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

const filesList = page => page.getByRole("list", { name: "Files in this portal" });

async function uploaded(page, name) {
  const row = filesList(page).getByRole("listitem").filter({ hasText: name });
  await row.waitFor();
  await eventually(() => row.locator(".file-status").innerText(), t => t === "", { message: `${name} uploaded`, timeout: 20_000 });
}

test("provider_shares_files_the_client_previews_and_downloads_them", () => withRelay(async relay => {
  const p = (await providerWithPortal(browser, relay, "Acme Studio", { template: "Service engagement" })).page;
  const link = await inviteClient(p);

  // A brand kit image for the whole portal, and the signed NDA on its document.
  await goView(p, "Files");
  await p.locator("#portal-file-input").setInputFiles({ name: "brand-kit.png", mimeType: "image/png", buffer: png() });
  await uploaded(p, "brand-kit.png");
  await goView(p, "Documents");
  await p.getByLabel("Attach a file to NDA").setInputFiles({ name: "Signed NDA.pdf", mimeType: "application/pdf", buffer: pdf });
  await goView(p, "Files");
  await uploaded(p, "Signed NDA.pdf");
  assert.match(await p.getByTestId("files-storage").innerText(), /Files on this device: \d/);
  await waitForStatus(p, "Synced");

  const c = (await openInvite(browser, relay, link)).page;
  await goView(c, "Documents");
  await c.getByRole("list", { name: "Files: NDA" }).getByText("Signed NDA.pdf").waitFor();
  await goView(c, "Files");
  await c.getByRole("heading", { name: "Files" }).waitFor();
  await filesList(c).getByText("brand-kit.png").waitFor();

  await c.getByRole("button", { name: "Preview brand-kit.png" }).click();
  const image = c.getByRole("img", { name: "Preview of brand-kit.png" });
  await image.waitFor();
  await eventually(() => image.evaluate(img => img.naturalWidth), w => w === 2, { message: "the image decodes" });
  await c.getByRole("button", { name: "Preview Signed NDA.pdf" }).first().click();
  assert.match(await c.locator("iframe[title='Preview of Signed NDA.pdf']").first().getAttribute("src"), /^blob:/);

  const download = c.waitForEvent("download");
  await filesList(c).getByRole("button", { name: "Download Signed NDA.pdf" }).click();
  const file = await download;
  assert.equal(file.suggestedFilename(), "Signed NDA.pdf");
  assert.deepEqual(readFileSync(await file.path()), pdf);

  // The client attaches their W-9 in their own view; the provider receives it.
  await goView(c, "Documents");
  await c.getByLabel("Attach a file to W-9").setInputFiles({ name: "W-9.pdf", mimeType: "application/pdf", buffer: Buffer.concat([pdf, Buffer.from("w9")]) });
  await goView(c, "Files");
  await uploaded(c, "W-9.pdf");
  await filesList(p).getByText("W-9.pdf").waitFor();
  const fromClient = p.waitForEvent("download");
  await filesList(p).getByRole("button", { name: "Download W-9.pdf" }).click();
  assert.deepEqual(readFileSync(await (await fromClient).path()), Buffer.concat([pdf, Buffer.from("w9")]));

  // The export the client keeps carries every file.
  const archive = c.waitForEvent("download");
  await c.getByRole("button", { name: "Download everything (.zip)" }).click();
  const zip = readFileSync(await (await archive).path());
  for (const name of ["portal.json", "portal.automerge", "files/brand-kit.png", "files/Signed NDA.pdf", "files/W-9.pdf"]) {
    assert.ok(zip.includes(Buffer.from(name)), `the archive has ${name}`);
  }
  assert.ok(zip.includes(png()), "with the image's bytes");

  // Once the engagement ends, the client's archive still opens and downloads every file.
  await p.getByLabel("Stage").selectOption("cancelled");
  await c.getByText("This engagement has ended.", { exact: false }).waitFor();
  assert.equal(await filesList(c).getByRole("button", { name: /^Remove file/ }).count(), 0, "nothing to remove in the archive");
  assert.equal(await c.locator("#portal-file-input").count(), 0, "nothing to add in the archive");
  const kept = c.waitForEvent("download");
  await filesList(c).getByRole("button", { name: "Download brand-kit.png" }).click();
  assert.deepEqual(readFileSync(await (await kept).path()), png());

  assert.deepEqual(unexpected(p.errors), []);
  assert.deepEqual(unexpected(c.errors), []);
}));

test("a_file_added_offline_uploads_after_reconnect_and_reload", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Offline Files Ltd");
  const { page: p, id } = provider;
  await waitForStatus(p, "Synced");
  await provider.context.setOffline(true);
  await waitForStatus(p, "Offline");
  await goView(p, "Files");
  const content = Buffer.from("minutes of the kick-off, written on a train");
  await p.locator("#portal-file-input").setInputFiles({ name: "kickoff-notes.txt", mimeType: "text/plain", buffer: content });
  const row = filesList(p).getByRole("listitem").filter({ hasText: "kickoff-notes.txt" });
  await eventually(() => row.locator(".file-status").innerText(), t => t === "Waiting to upload", { message: "queued while offline" });

  // Closed and reopened while still offline: the file and its place in the queue survive.
  await p.reload();
  await eventually(() => filesList(p).getByRole("listitem").filter({ hasText: "kickoff-notes.txt" }).locator(".file-status").innerText(), t => t === "Waiting to upload", { message: "still queued after reload" });
  await p.getByRole("button", { name: "Preview kickoff-notes.txt" }).click();
  await p.locator("iframe[title='Preview of kickoff-notes.txt']").waitFor();

  await provider.context.setOffline(false);
  await uploaded(p, "kickoff-notes.txt");
  const hash = createHash("sha256").update(content).digest("hex");
  const fetched = await fetch(`${relay.url}/blobs/${hash}`, { headers: { authorization: `Bearer ${relay.owner}` } });
  assert.equal(fetched.status, 200);
  assert.equal(await fetched.text(), content.toString());

  // Another device opens it from the relay.
  const other = await newDevice(browser, relay);
  await other.page.goto(`${relay.url}/#/portal/${id}/files`);
  const download = other.page.waitForEvent("download");
  await filesList(other.page).getByRole("button", { name: "Download kickoff-notes.txt" }).click();
  assert.deepEqual(readFileSync(await (await download).path()), content);

  // What a device opened once, it opens offline.
  await other.context.setOffline(true);
  await waitForStatus(other.page, "Offline");
  await other.page.getByRole("button", { name: "Preview kickoff-notes.txt" }).click();
  // The preview needs the bytes: offline, only this device's copy can give them.
  await other.page.locator("iframe[title='Preview of kickoff-notes.txt']").waitFor();

  assert.deepEqual(unexpected(p.errors), []);
}));

test("a_file_over_the_relays_limit_is_refused_with_a_clear_message", () => withRelay({ extraArgs: ["--max-blob-bytes", "4096"] }, async relay => {
  const p = (await providerWithPortal(browser, relay, "Big Files Inc")).page;
  await goView(p, "Files");
  await waitForStatus(p, "Synced");
  await p.locator("#portal-file-input").setInputFiles({ name: "raw-footage.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(10_000, 1) });
  await p.getByText("raw-footage.bin is 9.8 KB, and files up to 4.0 KB can be shared here. Nothing of it was kept or sent.").waitFor();
  assert.equal(await filesList(p).getByText("raw-footage.bin").count(), 0, "never listed");
}));

/** Every key this device keeps in its file store (IndexedDB `threshold-files`). */
async function keptFileKeys(page) {
  return await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open("threshold-files");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("kv")) { db.close(); resolve([]); return; }
      const keys = db.transaction("kv").objectStore("kv").getAllKeys();
      keys.onsuccess = () => { db.close(); resolve(keys.result.map(String)); };
      keys.onerror = () => reject(keys.error);
    };
  }));
}

test("a_60_mb_file_is_refused_before_upload_and_nothing_of_it_is_kept", () => withRelay(async relay => {
  // The relay's own limit (50 MB by default), which it tells each session.
  const p = (await providerWithPortal(browser, relay, "Huge Video Co")).page;
  await goView(p, "Files");
  await waitForStatus(p, "Synced");
  const blobRequests = [];
  p.on("request", request => { if (new URL(request.url()).pathname.startsWith("/blobs")) blobRequests.push(request.method() + " " + request.url()); });
  const dir = mkdtempSync(join(tmpdir(), "threshold-big-"));
  const big = join(dir, "launch-video.mov");
  writeFileSync(big, Buffer.alloc(60 * 1024 * 1024, 7));
  try {
    await p.locator("#portal-file-input").setInputFiles(big);
    await p.getByText("launch-video.mov is 60.0 MB, and files up to 50.0 MB can be shared here. Nothing of it was kept or sent.").waitFor();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(blobRequests, [], "no request to /blobs");
  assert.deepEqual(await keptFileKeys(p), [], "nothing of it in IndexedDB");
  assert.equal(await filesList(p).getByText("launch-video.mov").count(), 0, "never listed");
  await p.getByText("No files shared yet.").waitFor();
  if (process.env.THRESHOLD_SHOTS) {
    for (const [width, height] of [[390, 844], [1280, 800]]) {
      await p.setViewportSize({ width, height });
      await p.screenshot({ path: `${process.env.THRESHOLD_SHOTS}/file-too-large-${width}.png`, fullPage: true });
    }
  }
}));

test("upload_progress_is_shown_while_a_file_is_sent", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Slow Line Ltd");
  const p = provider.page;
  await waitForStatus(p, "Synced");
  // A slow uplink (1 MB/s), so a 4 MB file takes long enough to watch.
  const cdp = await provider.context.newCDPSession(p);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
  await goView(p, "Files");
  await p.locator("#portal-file-input").setInputFiles({ name: "site-photos.zip", mimeType: "application/zip", buffer: Buffer.alloc(4 << 20, 3) });
  const status = filesList(p).getByRole("listitem").filter({ hasText: "site-photos.zip" }).locator(".file-status");
  const seen = new Set();
  await eventually(async () => { const t = await status.innerText(); seen.add(t); return t; }, t => /^Uploading ([1-9]\d?)%$/.test(t), { message: "progress between 1 and 99%", timeout: 20_000 });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await uploaded(p, "site-photos.zip");
  assert.ok([...seen].some(t => t.startsWith("Uploading")), `seen: ${[...seen]}`);
}));
