// Several relay processes on one PostgreSQL database: a change accepted by one reaches peers
// on another, a token revoked anywhere is cut off everywhere, and a file uploaded to one is
// served by all.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import WebSocket from "ws";
import { RELAY_BIN, eventually, startRelay, tempDir, withRelay } from "./harness.mjs";
import { startPostgres } from "./postgres.mjs";

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

test("a_change_sent_to_one_relay_reaches_a_stock_js_client_on_another", () => withTwoRelays(async (a, b) => {
  const jsA = a.jsRepo();
  // A stock client on relay B: the fixture's helper, pointed at B's address.
  const jsB = a.jsRepo.call(onB(a, b));
  const handle = jsA.repo.create({ note: "from relay A" });
  const found = await jsB.repo.find(handle.url);
  assert.equal(String(found.doc().note), "from relay A");
  // Live: the next change made through A reaches the client that holds it through B.
  handle.change(d => { d.more = "added through relay A"; });
  await eventually(() => String(found.doc().more ?? ""), v => v === "added through relay A", { message: "B's client sees A's change" });
  // And back.
  found.change(d => { d.reply = "through relay B"; });
  await eventually(() => String(handle.doc().reply ?? ""), v => v === "through relay B", { message: "A's client sees B's change" });
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
  const session = await fetch(`${a.url}/api/session`, { headers: { authorization: `Bearer ${minted.token}` } });
  assert.equal(session.status, 401, "relay A refuses it too");
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
