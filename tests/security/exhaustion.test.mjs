// Issue 16, documents and HTTP: what one change, one document or one request may cost the relay,
// and the page's policy on every HTML response. Each tried as an attack against a real relay
// process on loopback; SECURITY.md has a row per attack.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { existsSync, readdirSync } from "node:fs";
import { withRelay } from "../e2e/harness.mjs";
import { A, RawPeer, randomDocumentId, upgradeStatus } from "./wire.mjs";

/** A document whose one change inserts `chars` characters of text: that many operations. */
function docWithText(chars) {
  return A.change(A.init(), d => { d.text = "x".repeat(chars); });
}

/** How many files the relay holds for a document (none: nothing of it was stored). */
const storedFiles = (relay, id) => existsSync(join(relay.dataDir, "docs", id)) ? readdirSync(join(relay.dataDir, "docs", id)).length : 0;

/** A static dir holding a page with one inline script, as trunk writes the app's. */
function staticDirWithPage() {
  const dir = mkdtempSync(join(tmpdir(), "threshold-static-"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><html><head><script type=\"module\">import('/app.js');</script></head><body></body></html>");
  return dir;
}

/** One raw HTTP/1.1 GET, the path sent byte for byte (fetch would normalise `/./` and `//`). */
function rawGet(port, path) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.setEncoding("latin1");
    socket.on("connect", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    socket.on("data", chunk => { data += chunk; });
    socket.on("end", () => {
      const [head, ...rest] = data.split("\r\n\r\n");
      const [status, ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(lines.map(l => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      resolve({ status: Number(status.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
    });
    socket.on("error", reject);
    setTimeout(() => { socket.destroy(); reject(new Error(`no answer for ${path} in 10 s`)); }, 10_000).unref();
  });
}

test("every_html_response_carries_the_csp_whatever_the_path", async () => {
  const staticDir = staticDirWithPage();
  try {
    await withRelay({ staticDir }, async relay => {
      const paths = ["/", "/index.html", "/%69ndex.html", "/index.html/", "//index.html", "/./index.html", "/portal/deep/link"];
      for (const path of paths) {
        const res = await rawGet(relay.port, path);
        assert.match(res.headers["content-type"] ?? "", /text\/html/i, `${path} serves the page`);
        const csp = res.headers["content-security-policy"];
        assert.ok(csp, `${path} served HTML (${res.status}) without a Content-Security-Policy`);
        assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/, path);
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.equal(res.headers["x-frame-options"], "DENY", path);
        assert.equal(res.headers["x-content-type-options"], "nosniff", path);
      }
    });
  } finally {
    rmSync(staticDir, { recursive: true, force: true });
  }
});

test("a_change_over_the_ops_limit_is_refused_before_it_is_applied", () => withRelay({ staticDir: null, extraArgs: ["--max-ops-per-change", "5000"] }, async relay => {
  // The op bomb: one change of far more operations than the limit (the was 3.7 KiB
  // compressed, expanding to 2,000,000; the count is the same after decompression).
  const bomb = docWithText(200_000);
  const attacker = await (await RawPeer.connect(relay.wsUrl, "bomber")).handshake();
  const id = await randomDocumentId();
  attacker.sync(id, bomb).catch(() => {});
  const closed = await attacker.closedWithin(10_000);
  assert.equal(closed.code, 4403);
  assert.ok(attacker.errors().some(e => /over the limit of 5000 operations per change/.test(e)), JSON.stringify(attacker.errors()));
  assert.equal(storedFiles(relay, id), 0, "nothing of the bomb was stored");
  // An honest change within the limit is kept.
  const honest = await (await RawPeer.connect(relay.wsUrl, "honest")).handshake();
  const other = await randomDocumentId();
  const { relayHeads } = await honest.sync(other, docWithText(4_000));
  assert.equal(relayHeads.length, 1, "the honest change was acknowledged");
  assert.ok(storedFiles(relay, other) > 0);
  assert.equal(await upgradeStatus(relay.wsUrl), 101, "the relay keeps serving");
  honest.close();
}));

/** A document of `changes` changes, each inserting `chars` characters of text (one operation each). */
function docOfChanges(changes, chars) {
  let doc = A.init();
  for (let n = 0; n < changes; n++) doc = A.change(doc, d => { d[`text${n}`] = "x".repeat(chars); });
  return doc;
}

/** A sync message carrying `doc` as one whole-document chunk, as automerge sends it when most of it is new. */
const wholeDocument = doc => A.encodeSyncMessage({ heads: A.getHeads(doc), need: [], have: [], changes: [A.save(doc)] });

/** The storage chunk types (0 is a whole document) in the sync messages `peer` has sent. */
function sentChunkTypes(peer) {
  const types = [];
  const send = peer.send.bind(peer);
  peer.send = message => {
    if (message.type === "sync") for (const chunk of A.decodeSyncMessage(message.data).changes) types.push(chunk[8]);
    send(message);
  };
  return types;
}

test("a_whole_document_op_bomb_is_refused_by_its_counts_while_an_honest_edit_round_trips", () => withRelay({ staticDir: null }, async relay => {
  // The relay's default limits. The bomb: ten changes of 199,990 characters each (each under the
  // 200,000 operations per change), saved as one whole document of about 2.5 KB that expands to
  // 2,000,000 operations. Counted from its columns, it is refused without being loaded.
  const honest = await (await RawPeer.connect(relay.wsUrl, "honest")).handshake();
  const kept = await randomDocumentId();
  let { doc: keptDoc } = await honest.sync(kept, docWithText(10));
  const bomb = docOfChanges(10, 199_990);
  const bombMessage = wholeDocument(bomb);
  assert.ok(bombMessage.length < 8 * 1024, `${bombMessage.length} bytes`);
  const attacker = await (await RawPeer.connect(relay.wsUrl, "bomber")).handshake();
  const id = await randomDocumentId();
  attacker.send({ type: "sync", senderId: attacker.senderId, targetId: attacker.relayId, documentId: id, data: bombMessage });
  // The honest peer's edit on its own document round trips meanwhile.
  keptDoc = A.change(keptDoc, d => { d.more = "an honest edit"; });
  const { relayHeads } = await honest.sync(kept, keptDoc);
  assert.deepEqual(relayHeads, A.getHeads(keptDoc), "the honest edit was acknowledged");
  const closed = await attacker.closedWithin(10_000);
  assert.equal(closed.code, 4403);
  assert.ok(attacker.errors().some(e => /over the limit of 1000000 operations per message/.test(e)), JSON.stringify(attacker.errors()));
  assert.equal(storedFiles(relay, id), 0, "nothing of the bomb was stored");
  // One change of 2,000,000 operations in a whole document: the per-change limit, the same way.
  const single = await (await RawPeer.connect(relay.wsUrl, "single")).handshake();
  single.send({ type: "sync", senderId: single.senderId, targetId: single.relayId, documentId: id, data: wholeDocument(docWithText(2_000_000)) });
  assert.equal((await single.closedWithin(10_000)).code, 4403);
  assert.ok(single.errors().some(e => /over the limit of 200000 operations per change/.test(e)), JSON.stringify(single.errors()));
  assert.equal(storedFiles(relay, id), 0);
  honest.close();
}));

test("an_honest_device_with_offline_edits_sends_a_whole_document_and_it_syncs", () => withRelay({ staticDir: null }, async relay => {
  // The relay holds two changes; the device comes back with ten more made offline. Automerge
  // sends a whole document when most changes are new to the other side: the relay counts it and
  // keeps it (refusing whole documents for held documents was the wrong fix).
  const id = await randomDocumentId();
  const first = await (await RawPeer.connect(relay.wsUrl, "device")).handshake();
  let doc = A.change(docWithText(100), d => { d.title = "Portal"; });
  ({ doc } = await first.sync(id, doc));
  first.close();
  for (let n = 0; n < 10; n++) doc = A.change(doc, d => { d[`offline${n}`] = `edit ${n}`; });
  const device = await (await RawPeer.connect(relay.wsUrl, "device")).handshake();
  const types = sentChunkTypes(device);
  const { relayHeads } = await device.sync(id, doc, { timeout: 10_000 });
  assert.ok(types.includes(0), `a whole document was sent (chunk types ${types})`);
  assert.deepEqual(relayHeads, A.getHeads(doc), "the relay holds every offline edit");
  assert.equal(device.errors().length, 0, JSON.stringify(device.errors()));
  // Another device sees them all.
  const reader = await (await RawPeer.connect(relay.wsUrl, "reader")).handshake();
  const { doc: seen } = await reader.sync(id, A.init(), { timeout: 10_000 });
  assert.equal(seen.offline9, "edit 9");
  device.close();
  reader.close();
}));

test("http_requests_per_token_and_without_a_token_are_rate_limited", () => withRelay({ staticDir: null, extraArgs: ["--http-rate-per-second", "1", "--http-rate-burst", "5", "--unauthenticated-rate-per-second", "3"] }, async relay => {
  const portal = await randomDocumentId();
  const client = relay.mint(["--role", "client", "--portal", portal, "--name", "Client"]);
  const get = (path, token) => fetch(relay.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const statuses = async (n, path, token) => {
    const answers = [];
    for (let i = 0; i < n; i++) answers.push(await get(path, token));
    return answers;
  };
  // /api: the burst, then 429 with a clear body and Retry-After.
  const api = await statuses(10, "/api/session", client.token);
  assert.equal(api.filter(r => r.status === 200).length, 5, api.map(r => r.status).join(","));
  const refused = api.find(r => r.status === 429);
  assert.ok(refused, "the sixth request is refused");
  assert.match((await refused.json()).error, /rate limit exceeded/);
  assert.ok(Number(refused.headers.get("retry-after")) >= 1, "Retry-After says when to come back");
  // /blobs spends the same token's allowance.
  const blob = await get(`/blobs/${"0".repeat(64)}`, client.token);
  assert.equal(blob.status, 429);
  // Another token has its own allowance.
  assert.equal((await get("/api/session", relay.owner)).status, 200);
  // Requests without a valid token share one small allowance, whatever token they forge.
  const forged = [];
  for (let i = 0; i < 10; i++) forged.push((await get("/api/session", `thr_forged${i}${"0".repeat(24)}`)).status);
  assert.ok(forged.includes(401) && forged.includes(429), forged.join(","));
  assert.equal((await get("/blobs/" + "0".repeat(64))).status, 429, "no token at all spends the same allowance");
  assert.equal((await get("/api/session", relay.owner)).status, 200, "valid tokens are still served");
}));

test("a_blob_request_for_a_portal_not_in_memory_does_not_stall_sync", () => withRelay({ staticDir: null }, async relay => {
  // A large portal, then a restart so the relay holds it only on disk: the file check of a
  // client's `GET /blobs/…` must read it without making other documents' sync wait.
  const portal = await randomDocumentId();
  const writer = await (await RawPeer.connect(relay.wsUrl, "writer")).handshake();
  let big = A.init();
  for (let n = 0; n < 4; n++) big = A.change(big, d => { d[`text${n}`] = "x".repeat(150_000); });
  const { relayHeads } = await writer.sync(portal, big, { timeout: 60_000 });
  assert.equal(relayHeads.length, 1, "the relay acknowledged the large document");
  writer.close();
  await relay.restart();
  const client = relay.mint(["--role", "client", "--portal", portal, "--name", "Client"]);
  const owner = await (await RawPeer.connect(relay.wsUrl, "owner")).handshake();
  const order = [];
  const blobs = Promise.all([0, 1, 2, 3].map(async () => {
    const res = await fetch(`${relay.url}/blobs/${"ab".repeat(32)}`, { headers: { authorization: `Bearer ${client.token}` } });
    order.push("blob");
    return res.status;
  }));
  // Let the requests reach the relay before the owner's sync does.
  await new Promise(r => setTimeout(r, 50));
  const other = await randomDocumentId();
  await owner.sync(other, A.change(A.init(), d => { d.title = "meanwhile"; }), { timeout: 60_000 });
  order.push("sync");
  assert.deepEqual(await blobs, [404, 404, 404, 404], "a file the portal does not refer to is not found");
  assert.equal(order[0], "sync", `the owner's sync answered before the portal was read from disk: ${order.join(",")}`);
  owner.close();
}));

test("loading_a_large_document_does_not_stall_other_documents_sync", () => withRelay({ staticDir: null }, async relay => {
  // A large document, then a restart so the relay holds it only on disk. A peer asks for it,
  // which makes the relay load it; the owner's sync of another document, sent just after, must
  // be answered before the large one arrives: loads are read and decoded off the engine thread.
  const large = await randomDocumentId();
  const writer = await (await RawPeer.connect(relay.wsUrl, "writer")).handshake();
  let big = A.init();
  for (let n = 0; n < 4; n++) big = A.change(big, d => { d[`text${n}`] = "x".repeat(150_000); });
  const { relayHeads } = await writer.sync(large, big, { timeout: 60_000 });
  assert.equal(relayHeads.length, 1, "the relay acknowledged the large document");
  writer.close();
  await relay.restart();
  const reader = await (await RawPeer.connect(relay.wsUrl, "reader")).handshake();
  const owner = await (await RawPeer.connect(relay.wsUrl, "owner")).handshake();
  const order = [];
  const arrived = reader.next(m => m.type === "sync" && m.documentId === large, 120_000).then(() => order.push("large"));
  reader.request(large);
  // Let the request reach the relay before the owner's sync does.
  await new Promise(r => setTimeout(r, 50));
  const other = await randomDocumentId();
  await owner.sync(other, A.change(A.init(), d => { d.title = "meanwhile"; }), { timeout: 120_000 });
  order.push("other");
  await arrived;
  assert.deepEqual(order, ["other", "large"], "the other document's sync was answered while the large one loaded");
  reader.close();
  owner.close();
}));

test("history_a_client_adds_is_limited_per_day_and_survives_a_restart", () => withRelay({ staticDir: null, extraArgs: ["--client-history-bytes-per-day", "40000", "--client-history-bytes-total", "1000000"] }, async relay => {
  const portal = await randomDocumentId();
  const client = relay.mint(["--role", "client", "--portal", portal, "--name", "Client"]);
  const first = await (await RawPeer.connect(relay.wsUrlFor(client.token), "client")).handshake();
  let doc = A.change(A.init(), d => { d.note = "a".repeat(25_000); });
  const synced = await first.sync(portal, doc);
  assert.equal(synced.relayHeads.length, 1, "the first change is within the day's budget");
  first.close();
  // The count is kept on disk: a restart does not give the client a new day's budget.
  await relay.restart();
  const again = await (await RawPeer.connect(relay.wsUrlFor(client.token), "client")).handshake();
  const before = synced.relayHeads;
  doc = A.change(synced.doc, d => { d.more = "b".repeat(25_000); });
  again.sync(portal, doc).catch(() => {});
  const closed = await again.closedWithin(10_000);
  assert.equal(closed.code, 4403);
  assert.ok(again.errors().some(e => /more history than a client may add in a day \(the limit is 40000 bytes a day\)/.test(e)), JSON.stringify(again.errors()));
  // Nothing of it was stored: the relay still holds only the first change.
  const owner = await (await RawPeer.connect(relay.wsUrl, "owner")).handshake();
  const seen = await owner.sync(portal, A.init());
  assert.deepEqual(seen.relayHeads, before, "the refused change was not kept");
  // The provider is the business and is not limited.
  const { relayHeads } = await owner.sync(portal, A.change(seen.doc, d => { d.fromProvider = "c".repeat(60_000); }));
  assert.equal(relayHeads.length, 1);
  assert.notDeepEqual(relayHeads, before, "the provider's large change was kept");
  owner.close();
}));
