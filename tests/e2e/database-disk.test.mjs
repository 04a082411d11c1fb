// A relay on PostgreSQL whose database disk fills up: the cluster runs on a small tmpfs, which
// the test fills to the last byte (see postgres.mjs). Like the relay's own full-disk test
// (security/attacks.test.mjs): a clear error, nothing acknowledged lost, and everything
// resumes once there is room.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually, withRelay } from "./harness.mjs";
import { startPostgres } from "./postgres.mjs";

let pg;
before(async () => { pg = await startPostgres({ diskMegabytes: 128 }); });
after(() => pg?.stop());

/** Fill the database's disk until it refuses another byte. */
function fill(dir) {
  try { for (let i = 0; ; i++) writeFileSync(join(dir, `filler-${i}`), Buffer.alloc(1024 * 1024)); } catch (e) { assert.equal(e.code, "ENOSPC"); }
  try { for (let i = 0; ; i++) writeFileSync(join(dir, `filler-small-${i}`), Buffer.alloc(4096)); } catch (e) { assert.equal(e.code, "ENOSPC"); }
}

function empty(dir) {
  for (const f of readdirSync(dir).filter(f => f.startsWith("filler"))) rmSync(join(dir, f));
}

test("a_full_database_disk_gives_a_clear_error_loses_nothing_acknowledged_and_resumes", { timeout: 180_000 }, () => withRelay({ staticDir: null, extraArgs: ["--database-url", pg.database()] }, async relay => {
  const js = relay.jsRepo();
  const handle = js.repo.create({ title: "Signed NDA", notes: "kept" });
  const reader = relay.jsRepo();
  const seen = await reader.repo.find(handle.url);
  assert.equal(String(seen.doc().title), "Signed NDA", "stored while there was room");

  fill(pg.dir);
  // The client edits: the relay cannot store it, so it acknowledges nothing. It closes the
  // socket and says why; the client keeps the change and will send it again.
  const socket = js.adapter.socket;
  const closed = new Promise(resolve => socket.addEventListener("close", e => resolve({ code: e.code, reason: String(e.reason) })));
  // Random text (as many characters as the relay takes operations in one change), so that
  // compression does not make it small.
  const big = randomBytes(105_000).toString("base64");
  handle.change(d => { d.big = big; });
  const { code, reason } = await closed;
  assert.equal(code, 1011, reason);
  assert.equal(reason, "relay storage failed: the database's disk is full");

  // A file upload on the full disk: refused in words, and no trace of it.
  const content = Buffer.alloc(300 * 1024, 7);
  const hash = createHash("sha256").update(content).digest("hex");
  const put = () => fetch(`${relay.url}/blobs/${hash}`, { method: "PUT", headers: { authorization: `Bearer ${relay.owner}` }, body: content });
  const refused = await put();
  assert.equal(refused.status, 507);
  assert.match((await refused.json()).error, /the database's disk is full; nothing was kept/);
  assert.equal((await fetch(`${relay.url}/blobs/${hash}`, { headers: { authorization: `Bearer ${relay.owner}` } })).status, 404, "nothing of the upload is kept");

  // Room again: the client's change is stored when it comes back, the upload goes through, and
  // nothing before them was lost.
  empty(pg.dir);
  await eventually(async () => (await put()).status, s => s === 201, { timeout: 60_000, message: "the same upload goes through once there is room" });
  await eventually(() => String(seen.doc().big ?? ""), v => v === big, { timeout: 60_000, message: "the change made on the full disk reaches another client" });
  const fresh = relay.jsRepo();
  const stored = await fresh.repo.find(handle.url);
  await eventually(() => stored.doc(), d => String(d.title) === "Signed NDA" && String(d.notes) === "kept" && String(d.big ?? "") === big,
    { message: "a new client reads everything from the database" });
}));
