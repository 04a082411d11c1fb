// The relay's security promises, each tried as an attack against a real relay process on
// loopback. SECURITY.md has the table of what is tried and what the relay promises.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { createPortal, eventually, launchBrowser, newDevice, waitForStatus, withRelay } from "../e2e/harness.mjs";
import { A, RawPeer, api, encode, randomDocumentId, upgradeStatus } from "./wire.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** `repo.find` either resolves with the handle or rejects (unavailable); never hangs. */
async function findOutcome(repo, id) {
  try {
    const handle = await Promise.race([
      repo.find(`automerge:${id}`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("find did not settle in 10 s")), 10_000)),
    ]);
    return { found: true, doc: handle.doc() };
  } catch (error) {
    return { found: false, error: String(error.message ?? error) };
  }
}

/** Whether a fresh owner client finds the document on the relay (then disconnects). */
async function storedOnRelay(relay, id) {
  const fresh = relay.jsRepo();
  try { return (await findOutcome(fresh.repo, id)).found; } finally { fresh.close(); }
}

const clientToken = (relay, portal, extra = []) => relay.mint(["--role", "client", "--portal", portal, "--name", "Client", ...extra]);

test("upgrade_without_a_valid_token_is_refused", () => withRelay({ staticDir: null }, async relay => {
  const base = relay.wsUrl.split("?")[0];
  assert.equal(await upgradeStatus(base), 401, "no token");
  assert.equal(await upgradeStatus(`${base}?token=thr_forged1234567890abcdefghijkl`), 401, "a made-up token");
  const minted = clientToken(relay, await randomDocumentId());
  assert.equal(await upgradeStatus(relay.wsUrlFor(minted.token)), 101, "a valid token");
  relay.revoke(minted.id);
  await eventually(() => upgradeStatus(relay.wsUrlFor(minted.token)), s => s === 401, { message: "a revoked token is refused", timeout: 5000 });
  const stored = readFileSync(join(relay.dataDir, "access.json"), "utf8");
  assert.ok(!stored.includes(minted.token) && !stored.includes(relay.owner), "only hashes are stored");
}));

test("client_token_cannot_reach_the_workspace_internal_notes_or_other_portals", () => withRelay(async relay => {
  const owner = relay.jsRepo();
  // Real documents, made by the app: a workspace, two portals, and their internal notes.
  const { page, context } = await newDevice(browser, relay);
  const theirs = await createPortal(page, relay.url, "Their Portal Inc");
  const other = await createPortal(page, relay.url, "Another Client LLC");
  await waitForStatus(page, "Synced");
  const workspace = JSON.parse(await page.evaluate(() => localStorage.getItem("threshold.workspace")));
  const wsHandle = await owner.repo.find(`automerge:${workspace}`);
  // The browser stays open until the relay has passed on every entry: "Synced" can show
  // between two of the app's writes, and a closed tab sends nothing more.
  const ws = await eventually(() => wsHandle.doc(), d => d.portals?.[theirs]?.internal && d.portals?.[other]?.internal, { message: "the workspace lists both internal documents" });
  await context.close();
  const internal = String(ws.portals[theirs].internal);
  const otherInternal = String(ws.portals[other].internal);
  assert.ok(internal && otherInternal, "the provider holds internal documents");

  // The stock JS client with that client's token.
  const minted = clientToken(relay, theirs);
  const client = relay.jsRepo(minted.token);
  const own = await findOutcome(client.repo, theirs);
  assert.ok(own.found && String(own.doc.clientName) === "Their Portal Inc", "their own portal opens");
  for (const [what, id] of [["workspace", workspace], ["own internal notes", internal], ["another portal", other], ["another internal", otherInternal]]) {
    const outcome = await findOutcome(client.repo, id);
    assert.equal(outcome.found, false, `${what} must be unavailable`);
    assert.match(outcome.error, /unavailable/i, what);
  }
  // Byte for byte, the answer for a forbidden document equals that for one that never existed.
  const raw = await (await RawPeer.connect(relay.wsUrlFor(minted.token))).handshake();
  raw.request(workspace);
  const forbidden = await raw.next(m => m.documentId === workspace);
  const nowhere = await randomDocumentId();
  raw.request(nowhere);
  const missing = await raw.next(m => m.documentId === nowhere);
  assert.equal(forbidden.type, "doc-unavailable");
  assert.deepEqual(Object.keys(forbidden).sort(), Object.keys(missing).sort());
  assert.equal(raw.messages.filter(m => m.type === "sync").length, 0, "no sync message leaked");
  raw.close();
}));

test("changes_from_a_read_only_token_are_never_applied_or_relayed", () => withRelay({ staticDir: null }, async relay => {
  const owner = relay.jsRepo();
  const handle = owner.repo.create({ title: "Final report", items: ["kept"] });
  const id = handle.documentId;
  await eventually(() => storedOnRelay(relay, id), found => found, { message: "the relay holds the document" });
  const minted = clientToken(relay, id, ["--read-only"]);
  const alumni = relay.jsRepo(minted.token);
  const theirs = await alumni.repo.find(`automerge:${id}`);
  assert.equal(theirs.doc().title, "Final report", "a read-only token still reads");
  theirs.change(d => { d.title = "Defaced"; d.items.push("injected"); });
  // The provider keeps editing; the alumni still receives those changes.
  handle.change(d => { d.items.push("from the provider"); });
  await eventually(() => theirs.doc().items.includes("from the provider"), v => v, { message: "the read-only peer still receives" });
  await new Promise(r => setTimeout(r, 1000));
  assert.equal(handle.doc().title, "Final report", "the owner never sees the read-only change");
  const fresh = relay.jsRepo();
  const stored = (await fresh.repo.find(`automerge:${id}`)).doc();
  fresh.close();
  assert.equal(stored.title, "Final report", "the relay never stored it");
  assert.ok(!stored.items.includes("injected"));
}));

test("revoking_a_token_closes_its_open_connections_at_once", () => withRelay({ staticDir: null }, async relay => {
  const portal = await randomDocumentId();
  // Revoked from the command line while the relay runs.
  const byCli = clientToken(relay, portal);
  const a = await (await RawPeer.connect(relay.wsUrlFor(byCli.token))).handshake();
  relay.revoke(byCli.id);
  const cliClose = await a.closedWithin(5000);
  assert.equal(cliClose.code, 4401);
  assert.ok(a.errors().some(e => /revoked/.test(e)), "the peer is told why");
  // Revoked through the API by the provider.
  const byApi = clientToken(relay, portal);
  const b = await (await RawPeer.connect(relay.wsUrlFor(byApi.token))).handshake();
  const revoked = await api(relay, "DELETE", `/api/tokens/${byApi.id}`, { token: relay.owner });
  assert.equal(revoked.status, 200);
  const apiClose = await b.closedWithin(5000);
  assert.equal(apiClose.code, 4401);
  console.log(`# revocation to close: ${cliClose.ms} ms after the command-line revoke returned, ${apiClose.ms} ms after the API answered`);
  assert.equal(await upgradeStatus(relay.wsUrlFor(byApi.token)), 401, "and it cannot come back");
  assert.equal((await api(relay, "GET", "/api/session", { token: byApi.token })).status, 401);
}));

test("offboarding_turns_open_client_connections_read_only", () => withRelay({ staticDir: null }, async relay => {
  const owner = relay.jsRepo();
  const handle = owner.repo.create({ title: "Active engagement" });
  const id = handle.documentId;
  await eventually(() => storedOnRelay(relay, id), found => found, { message: "stored" });
  const minted = clientToken(relay, id);
  const client = relay.jsRepo(minted.token);
  const theirs = await client.repo.find(`automerge:${id}`);
  theirs.change(d => { d.before = "written while active"; });
  await eventually(() => handle.doc().before, v => v === "written while active", { message: "write access works" });
  const set = await api(relay, "PUT", `/api/portals/${id}/access`, { token: relay.owner, body: { readOnly: true } });
  assert.equal(set.status, 200);
  assert.equal(set.body[0].readOnly, true);
  await new Promise(r => setTimeout(r, 300));
  theirs.change(d => { d.after = "written as alumni"; });
  await new Promise(r => setTimeout(r, 1000));
  assert.equal(handle.doc().after, undefined, "changes after offboarding are dropped on the open connection");
  const session = await api(relay, "GET", "/api/session", { token: minted.token });
  assert.equal(session.body.readOnly, true);
  assert.equal(session.body.workspace, null, "a client never learns the workspace id");
}));

test("a_frame_over_the_size_limit_gets_a_clear_error_and_a_close", () => withRelay({ staticDir: null, extraArgs: ["--max-frame-bytes", "4096"] }, async relay => {
  const a = await (await RawPeer.connect(relay.wsUrl)).handshake();
  a.sendRaw(new Uint8Array(6000));
  const closed = await a.closedWithin();
  assert.equal(closed.code, 1009);
  assert.ok(a.errors().some(e => /larger than the limit of 4096 bytes/.test(e)), JSON.stringify(a.errors()));
  // Far beyond the limit the WebSocket layer refuses before buffering; still a 1009.
  const b = await (await RawPeer.connect(relay.wsUrl)).handshake();
  b.sendRaw(new Uint8Array(200_000));
  assert.equal((await b.closedWithin()).code, 1009);
  assert.equal(await upgradeStatus(relay.wsUrl), 101, "the relay keeps serving");
}));

test("too_many_documents_on_one_connection_is_refused", () => withRelay({ staticDir: null, extraArgs: ["--max-docs-per-connection", "3"] }, async relay => {
  const a = await (await RawPeer.connect(relay.wsUrl)).handshake();
  for (let n = 0; n < 6; n++) a.request(await randomDocumentId());
  const closed = await a.closedWithin();
  assert.equal(closed.code, 1008);
  assert.ok(a.errors().some(e => /too many documents on one connection \(the limit is 3\)/.test(e)), JSON.stringify(a.errors()));
}));

test("message_rate_per_token_is_limited_across_its_connections", () => withRelay({ staticDir: null, extraArgs: ["--rate-per-second", "10", "--rate-burst", "20"] }, async relay => {
  const minted = clientToken(relay, await randomDocumentId());
  const a = await (await RawPeer.connect(relay.wsUrlFor(minted.token))).handshake();
  // Messages of a type the relay ignores: only the count matters.
  for (let n = 0; n < 60; n++) a.send({ type: "remote-heads-changed", senderId: a.senderId });
  const closed = await a.closedWithin();
  assert.equal(closed.code, 1008);
  assert.ok(a.errors().some(e => /rate limit exceeded/.test(e)), JSON.stringify(a.errors()));
  // A second socket of the same token shares the spent allowance.
  const b = await RawPeer.connect(relay.wsUrlFor(minted.token));
  for (let n = 0; n < 10; n++) b.send({ type: "remote-heads-changed", senderId: "b" });
  assert.equal((await b.closedWithin()).code, 1008);
  // Another token is unaffected.
  const other = await (await RawPeer.connect(relay.wsUrl)).handshake();
  assert.equal(other.errors().length, 0);
  other.close();
}));

test("malformed_cbor_and_malformed_sync_messages_are_rejected", () => withRelay({ staticDir: null }, async relay => {
  const a = await RawPeer.connect(relay.wsUrl);
  a.sendRaw(Buffer.from([0xff, 0x00, 0x13, 0x37]));
  assert.equal((await a.closedWithin()).code, 1008);
  assert.ok(a.errors().some(e => /malformed message/.test(e)), JSON.stringify(a.errors()));

  const b = await (await RawPeer.connect(relay.wsUrl)).handshake();
  const id = await randomDocumentId();
  b.send({ type: "sync", senderId: b.senderId, targetId: b.relayId, documentId: id, data: new Uint8Array([0x42, 0xff, 0xff, 0x00]) });
  assert.equal((await b.closedWithin()).code, 1008);
  assert.ok(b.errors().some(e => /malformed sync message/.test(e)), JSON.stringify(b.errors()));

  const c = await (await RawPeer.connect(relay.wsUrl)).handshake();
  c.send({ type: "sync", senderId: c.senderId, targetId: c.relayId, documentId: "not-a-document-id", data: new Uint8Array([1]) });
  assert.equal((await c.closedWithin()).code, 1008);
  // Nothing was stored for any of it, and the relay still serves.
  assert.ok(!existsSync(join(relay.dataDir, "docs", id)), "no document was created");
  assert.equal(await upgradeStatus(relay.wsUrl), 101);
}));

test("the_api_answers_only_to_the_provider", () => withRelay({ staticDir: null }, async relay => {
  const client = clientToken(relay, await randomDocumentId());
  const team = relay.mint(["--role", "team", "--name", "Sam"]);
  const viewer = relay.mint(["--role", "team", "--name", "Auditor", "--read-only"]);
  assert.equal((await api(relay, "GET", "/api/tokens")).status, 401, "no token");
  assert.equal((await api(relay, "GET", "/api/tokens", { token: "thr_forged0000000000000000000000" })).status, 401);
  assert.equal((await api(relay, "GET", "/api/tokens", { token: client.token })).status, 403, "a client lists nothing");
  const asClient = await api(relay, "POST", "/api/tokens", { token: client.token, body: { role: "client", portal: await randomDocumentId(), name: "Mallory" } });
  assert.equal(asClient.status, 403, "a client mints nothing");
  assert.equal((await api(relay, "POST", "/api/tokens", { token: team.token, body: { role: "team", name: "Eve" } })).status, 403, "team cannot mint team");
  assert.equal((await api(relay, "POST", "/api/tokens", { token: team.token, body: { role: "owner", name: "Eve" } })).status, 403);
  assert.equal((await api(relay, "POST", "/api/tokens", { token: viewer.token, body: { role: "client", portal: await randomDocumentId(), name: "X" } })).status, 403, "read-only tokens manage nothing");
  assert.equal((await api(relay, "DELETE", `/api/tokens/${team.id}`, { token: client.token })).status, 403);
  assert.equal((await api(relay, "DELETE", "/api/tokens/ffffffffffff", { token: relay.owner })).status, 404);
  const bad = await api(relay, "POST", "/api/tokens", { token: relay.owner, body: { role: "client", name: "No portal" } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /needs the portal/);
  const made = await api(relay, "POST", "/api/tokens", { token: team.token, body: { role: "client", portal: await randomDocumentId(), name: "Dana", email: "dana@example.com" } });
  assert.equal(made.status, 201);
  assert.match(made.body.token, /^thr_/);
  const listed = await api(relay, "GET", "/api/tokens", { token: team.token });
  assert.ok(listed.body.every(t => !("hash" in t) && !("token" in t)), "lists never carry secrets or hashes");
  const session = await api(relay, "GET", "/api/session", { token: client.token });
  assert.equal(session.body.role, "client");
  assert.equal(session.body.workspace, null);
}));

test("the_served_app_carries_security_headers_and_a_strict_csp", () => withRelay(async relay => {
  const page = await fetch(relay.url + "/");
  const csp = page.headers.get("content-security-policy");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
  assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /object-src 'none'/);
  assert.equal(page.headers.get("x-frame-options"), "DENY");
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  assert.equal(page.headers.get("referrer-policy"), "no-referrer");
  const deep = await fetch(relay.url + "/portal/whatever");
  assert.equal(deep.headers.get("content-security-policy"), csp, "deep links get the same policy");
}));

test("sigkill_mid_write_loses_nothing_acknowledged", () => withRelay({ staticDir: null }, async relay => {
  const peer = await (await RawPeer.connect(relay.wsUrl)).handshake();
  const id = await randomDocumentId();
  let doc = A.from({ n: 0, log: [] });
  let acknowledged = [];
  let state = A.initSyncState();
  // Stream changes as fast as the relay answers, and kill it in the middle.
  const killAt = 40;
  for (let n = 1; n <= 80; n++) {
    doc = A.change(doc, d => { d.n = n; d.log.push(n); });
    let message;
    [state, message] = A.generateSyncMessage(doc, state);
    if (message) peer.send({ type: "sync", senderId: peer.senderId, targetId: peer.relayId, documentId: id, data: message });
    const replies = peer.messages.filter(m => m.type === "sync" && m.documentId === id);
    for (const reply of replies.splice(0)) {
      acknowledged = A.decodeSyncMessage(reply.data).heads;
      [doc, state] = A.receiveSyncMessage(doc, state, reply.data);
    }
    peer.messages.length = 0;
    if (n === killAt) await relay.stop("SIGKILL");
    else await new Promise(r => setTimeout(r, 5));
  }
  assert.ok(acknowledged.length > 0, "the relay acknowledged something before it died");
  await relay.restart();
  const reader = await (await RawPeer.connect(relay.wsUrl)).handshake();
  const { doc: stored } = await reader.sync(id, A.init());
  const kept = new Set(A.getAllChanges(stored).map(c => A.decodeChange(c).hash));
  for (const head of acknowledged) assert.ok(kept.has(head), `acknowledged change ${head} survives`);
  const files = readdirSync(join(relay.dataDir, "docs", id));
  assert.ok(files.every(f => !f.startsWith(".tmp-")), "no partial file is visible");
  reader.close();
}));

test("a_full_disk_gives_a_clear_error_and_loses_nothing", () => {
  // A real full disk: the relay runs in its own mount namespace with a 3 MB tmpfs as its data
  // dir. The test reaches that filesystem through /proc/<pid>/root to fill it up.
  const inTmpfs = (bin, args, dataDir) => ["unshare", ["-rm", "sh", "-c", 'mount -t tmpfs -o size=3m tmpfs "$0" && exec "$@"', dataDir, bin, ...args]];
  return withRelay({ staticDir: null, command: inTmpfs }, async relay => {
    const inside = `/proc/${relay.pid}/root${relay.dataDir}`;
    assert.ok(existsSync(join(inside, "access.json")), "the relay's data dir is the tmpfs");
    const peer = await (await RawPeer.connect(relay.wsUrl)).handshake();
    const id = await randomDocumentId();
    const first = await peer.sync(id, A.from({ title: "Signed NDA", notes: "kept" }));
    assert.ok(first.relayHeads.length > 0, "stored while there was room");

    // Fill the disk to the last byte.
    const filler = join(inside, "filler");
    try { for (let i = 0; ; i++) writeFileSync(`${filler}-${i}`, Buffer.alloc(256 * 1024)); } catch (e) { assert.equal(e.code, "ENOSPC"); }
    try { for (let i = 0; ; i++) writeFileSync(`${filler}-small-${i}`, Buffer.alloc(4096)); } catch (e) { assert.equal(e.code, "ENOSPC"); }

    let doc = A.change(first.doc, d => { d.big = "x".repeat(64 * 1024); });
    peer.send({ type: "sync", senderId: peer.senderId, targetId: peer.relayId, documentId: id, data: A.generateSyncMessage(doc, first.state)[1] });
    const closed = await peer.closedWithin();
    assert.equal(closed.code, 1011);
    assert.match(closed.reason, /relay storage failed: No space left on device/);
    assert.equal((await fetch(relay.url + "/healthz")).status, 200, "the relay keeps running");
    const files = readdirSync(join(inside, "docs", id));
    assert.ok(files.every(f => !f.startsWith(".tmp-")), `no half-written file: ${files}`);

    // A file upload on the full disk: a clear error, and no trace of it.
    const content = Buffer.alloc(200 * 1024, 7);
    const hash = createHash("sha256").update(content).digest("hex");
    const put = () => fetch(`${relay.url}/blobs/${hash}`, { method: "PUT", headers: { authorization: `Bearer ${relay.owner}` }, body: content });
    const refused = await put();
    assert.equal(refused.status, 507);
    assert.match((await refused.json()).error, /the relay's disk is full; nothing was kept/);
    assert.deepEqual(readdirSync(join(inside, "blobs", ".incoming")), [], "no half-written upload");
    assert.ok(!existsSync(join(inside, "blobs", hash.slice(0, 2), hash)));

    // Room again: the same change goes through, and nothing before it was lost.
    for (const f of readdirSync(inside).filter(f => f.startsWith("filler"))) rmSync(join(inside, f));
    assert.equal((await put()).status, 201, "the same upload goes through once there is room");
    const again = await (await RawPeer.connect(relay.wsUrl)).handshake();
    await again.sync(id, doc);
    const reader = await (await RawPeer.connect(relay.wsUrl)).handshake();
    const { doc: stored } = await reader.sync(id, A.init());
    assert.equal(stored.title, "Signed NDA");
    assert.equal(stored.big.length, 64 * 1024);
    again.close();
    reader.close();
  });
});
