// Several relay processes on one PostgreSQL database: a change accepted by one reaches peers
// on the others, a token revoked anywhere is cut off everywhere, a file uploaded to one is
// served by all, and a database stopped and started again loses nothing acknowledged.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import WebSocket from "ws";
import { RELAY_BIN, eventually, startRelay, tempDir, withRelay } from "./harness.mjs";
import { startPostgres } from "./postgres.mjs";
import { A, RawPeer } from "../security/wire.mjs";

let pg;
before(async () => { pg = await startPostgres(); });
after(() => pg?.stop());

/** Relay A through the fixture, relay B beside it on the same database. */
function withTwoRelays(body) {
  const url = pg.database();
  const database = ["--database-url", url];
  return withRelay({ staticDir: null, extraArgs: database }, async a => {
    const b = await startRelay({ staticDir: null, extraArgs: database, owner: a.owner });
    a.defer(() => b.stop());
    await body(a, b, url);
  });
}

const onB = (a, b) => ({ ...a, wsUrlFor: token => b.wsUrlFor(token) });

/**
 * Waits until `relay` holds `handle`'s document as its client has it: a relay answers nothing
 * before its group commit, so its answer with those heads means they are stored, and another
 * relay asked for the document finds it in the database.
 */
async function storedThrough(relay, handle) {
  const want = [...A.getHeads(handle.doc())].sort().join();
  await eventually(async () => {
    const peer = await (await RawPeer.connect(relay.wsUrlFor(relay.owner), "reader")).handshake();
    try {
      const { doc } = await peer.sync(handle.documentId, A.init(), { timeout: 2000 });
      return [...A.getHeads(doc)].sort().join();
    } catch { return null; } finally { peer.close(); }
  }, heads => heads === want, { message: "the relay has stored the document" });
}

test("a_change_sent_to_one_relay_reaches_stock_js_clients_on_two_others", () => withTwoRelays(async (a, b, url) => {
  const c = await startRelay({ staticDir: null, extraArgs: ["--database-url", url], owner: a.owner });
  a.defer(() => c.stop());
  const jsA = a.jsRepo();
  // Stock clients on relays B and C: the fixture's helper, pointed at their addresses.
  const jsB = a.jsRepo.call(onB(a, b));
  const jsC = a.jsRepo.call(onB(a, c));
  const handle = jsA.repo.create({ note: "from relay A" });
  // Asked for a document no relay has stored yet, relay B rightly answers "unavailable".
  await storedThrough(a, handle);
  const found = await jsB.repo.find(handle.url);
  assert.equal(String(found.doc().note), "from relay A");
  const third = await jsC.repo.find(handle.url);
  assert.equal(String(third.doc().note), "from relay A");
  // Live: the next change made through A reaches the clients that hold it through B and C.
  handle.change(d => { d.more = "added through relay A"; });
  await eventually(() => String(found.doc().more ?? ""), v => v === "added through relay A", { message: "B's client sees A's change" });
  await eventually(() => String(third.doc().more ?? ""), v => v === "added through relay A", { message: "C's client sees A's change" });
  // And back, from B and from C.
  found.change(d => { d.reply = "through relay B"; });
  third.change(d => { d.third = "through relay C"; });
  for (const doc of [handle, found, third]) {
    await eventually(() => [String(doc.doc().reply ?? ""), String(doc.doc().third ?? "")],
      ([reply, fromC]) => reply === "through relay B" && fromC === "through relay C",
      { message: "every client sees B's and C's changes" });
  }
}));

// The timeout only ends a run that would otherwise wait forever on a socket never closed.
test("the_database_stopped_and_started_again_while_two_relays_run_loses_nothing_acknowledged", { timeout: 120_000 }, () => withTwoRelays(async (a, b) => {
  const jsA = a.jsRepo();
  const jsB = a.jsRepo.call(onB(a, b));
  const handle = jsA.repo.create({ note: "before the outage" });
  await storedThrough(a, handle);
  const found = await jsB.repo.find(handle.url);
  handle.change(d => { d.before = "stored"; });
  // Seen through relay B, which only learns of it from the database: stored.
  await eventually(() => String(found.doc().before ?? ""), v => v === "stored", { message: "B's client sees the change made before the outage" });

  pg.stopServer();
  await Promise.all([a, b].map(async relay => {
    const health = await fetch(`${relay.url}/healthz`);
    assert.equal(health.status, 503, "the relay reports the database unreachable");
    assert.match(await health.text(), /database: unreachable/);
  }));
  // The client keeps editing. Relay A cannot store the change, so it acknowledges nothing:
  // it closes the socket with 1011 and says why; the client keeps the change and reconnects.
  const socket = jsA.adapter.socket;
  const closed = new Promise(resolve => socket.addEventListener("close", e => resolve({ code: e.code, reason: String(e.reason) })));
  handle.change(d => { d.during = "written while the database was down"; });
  const { code, reason } = await closed;
  assert.equal(code, 1011);
  assert.match(reason, /relay storage failed: the database is unavailable/);

  pg.start();
  // Everything resumes: the client's reconnection stores its change, relay B's listener
  // reconnects and B's client sees it, and B's edits travel back.
  await eventually(() => String(found.doc().during ?? ""), v => v === "written while the database was down",
    { timeout: 30_000, message: "B's client sees the change made during the outage" });
  found.change(d => { d.after = "through relay B after the outage"; });
  await eventually(() => String(handle.doc().after ?? ""), v => v === "through relay B after the outage",
    { timeout: 30_000, message: "A's client sees B's change after the outage" });
  // Nothing acknowledged was lost: a new client on relay B reads every change from the database.
  const fresh = a.jsRepo.call(onB(a, b));
  const again = await fresh.repo.find(handle.url);
  await eventually(() => again.doc(), d => String(d.before) === "stored" && String(d.during ?? "") !== "" && String(d.after ?? "") !== "",
    { message: "a new client sees every change" });
}));

// A failed group commit must not hold the relay's engine while the database is down: every
// document of the relay would wait behind it, even those whose peers only read. The yardstick is
// a file read on the same relay, which waits out the pool's connection timeout before it fails:
// two refused writes and five reads of other documents all finish before it does. (Before the
// relay knew the database was down, each refused write alone held the engine that long.)
test("while_the_database_is_down_writes_are_refused_at_once_and_readers_of_other_documents_are_answered", { timeout: 120_000 }, () => withTwoRelays(async (a, b) => {
  const jsA = a.jsRepo();
  const written = jsA.repo.create({ note: "the writer's document" });
  const read = [0, 1, 2, 3, 4].map(n => jsA.repo.create({ n }));
  // Stored (relay B reads them from the database); relay A keeps them in memory a while.
  const jsB = a.jsRepo.call(onB(a, b));
  for (const handle of [written, ...read]) {
    await storedThrough(a, handle);
    await jsB.repo.find(handle.url);
  }
  jsA.close();
  jsB.close();
  pg.stopServer();
  try {
    await refusedAndAnsweredWhileDown(a, written.documentId, read.map(h => h.documentId));
  } finally {
    pg.start();
  }
}));

async function refusedAndAnsweredWhileDown(a, written, read) {
  const health = await fetch(`${a.url}/healthz`);
  assert.equal(health.status, 503, "relay A knows the database is down");
  const order = [];
  const yardstick = fetch(`${a.url}/blobs/${"0".repeat(64)}`, { headers: { authorization: `Bearer ${a.owner}` } })
    .then(r => { order.push("file read"); return r.status; });
  // Two writes, one after the other, each refused with a close.
  for (const attempt of [1, 2]) {
    const writer = await (await RawPeer.connect(a.wsUrlFor(a.owner), "writer")).handshake();
    writer.request(written);
    const reply = await writer.next(m => m.type === "sync" && m.documentId === written, 60_000);
    const [doc, state] = A.receiveSyncMessage(A.init(), A.initSyncState(), reply.data);
    const [, data] = A.generateSyncMessage(A.change(doc, d => { d.attempt = attempt; }), state);
    writer.send({ type: "sync", senderId: writer.senderId, targetId: writer.relayId, documentId: written, data });
    const { code } = await writer.closedWithin(60_000);
    assert.equal(code, 1011, "a change the relay cannot store is refused with 1011");
    order.push(`write ${attempt} refused`);
  }
  // A reader asks for five other documents, one after the other; each is answered.
  const reader = await (await RawPeer.connect(a.wsUrlFor(a.owner), "reader")).handshake();
  for (const id of read) {
    reader.request(id);
    await reader.next(m => m.type === "sync" && m.documentId === id, 60_000);
  }
  reader.close();
  order.push("five reads answered");
  assert.notEqual(await yardstick, 200, "the file read fails: the database is down");
  assert.deepEqual(order, ["write 1 refused", "write 2 refused", "five reads answered", "file read"]);
}

test("every_relay_names_the_verified_author_of_a_change_from_the_database", () => withTwoRelays(async (a, b) => {
  const jsA = a.jsRepo();
  const handle = jsA.repo.create({ note: "written through relay A" });
  await storedThrough(a, handle);
  // The binding of the writer's actor to its token is stored with the change, in the database:
  // both relays serve it (the app names people by it; digests leave out a reader's own changes).
  for (const relay of [a, b]) {
    const authors = await eventually(async () => {
      const r = await fetch(`${relay.url}/api/portals/${handle.documentId}/authors`, { headers: { authorization: `Bearer ${a.owner}` } });
      return r.status === 200 ? r.json() : [];
    }, list => list.length > 0, { message: `relay on ${relay.url} names the author` });
    assert.equal(authors[0].actor, A.getActorId(handle.doc()));
  }
}));

test("a_token_revoked_on_the_command_line_is_cut_off_on_every_relay", () => withTwoRelays(async (a, b, url) => {
  const minted = JSON.parse(execFileSync(RELAY_BIN, ["token", "create", "--json", "--data-dir", tempDir("cli"),
    "--database-url", url, "--role", "team", "--name", "Sam"], { encoding: "utf8" }));
  // Minted in the database: relay B knows it without a restart.
  const socket = new WebSocket(b.wsUrlFor(minted.token));
  await new Promise((resolve, reject) => { socket.on("open", resolve); socket.on("error", reject); });
  const closed = new Promise(resolve => socket.on("close", code => resolve(code)));
  execFileSync(RELAY_BIN, ["token", "revoke", "--data-dir", tempDir("cli"), "--database-url", url, minted.id]);
  assert.equal(await closed, 4401, "relay B closes the revoked token's socket");
  // Relay A hears of it from the database too, within a second (B may hear first).
  await eventually(async () => (await fetch(`${a.url}/api/session`, { headers: { authorization: `Bearer ${minted.token}` } })).status,
    status => status === 401, { message: "relay A refuses it too" });
}));

test("a_file_uploaded_through_one_relay_is_served_by_another_and_a_bad_upload_is_kept_by_neither", () => withTwoRelays(async (a, b) => {
  const auth = { authorization: `Bearer ${a.owner}` };
  const content = randomBytes(300_000);
  const hash = createHash("sha256").update(content).digest("hex");
  assert.equal((await fetch(`${b.url}/blobs/${hash}`, { headers: auth })).status, 404, "not stored yet");
  const put = await fetch(`${a.url}/blobs/${hash}`, { method: "PUT", headers: auth, body: content });
  assert.equal(put.status, 201);
  // Relay B has never seen it on its own disk: it comes from the database.
  const got = await fetch(`${b.url}/blobs/${hash}`, { headers: auth });
  assert.equal(got.status, 200);
  assert.ok(Buffer.from(await got.arrayBuffer()).equals(content), "the same bytes");
  const range = await fetch(`${b.url}/blobs/${hash}`, { headers: { ...auth, range: "bytes=1000-1999" } });
  assert.equal(range.status, 206);
  assert.ok(Buffer.from(await range.arrayBuffer()).equals(content.subarray(1000, 2000)));
  // Uploading it again through B finds it stored.
  assert.equal((await fetch(`${b.url}/blobs/${hash}`, { method: "PUT", headers: auth, body: content })).status, 200);

  // Content that does not match its name is refused, and neither relay serves it.
  const other = randomBytes(1000);
  const claimed = createHash("sha256").update(randomBytes(8)).digest("hex");
  assert.equal((await fetch(`${b.url}/blobs/${claimed}`, { method: "PUT", headers: auth, body: other })).status, 400);
  for (const relay of [a, b]) {
    assert.equal((await fetch(`${relay.url}/blobs/${claimed}`, { headers: auth })).status, 404);
  }
}));
