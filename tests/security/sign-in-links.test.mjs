// Sign-in links under attack: malformed, unknown, reused, expired and revoked links; known and
// unknown addresses answered alike; floods of requests per address and per client address.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withRelay, startSmtp, mailArgs, eventually } from "../e2e/harness.mjs";

const post = (relay, path, body) => fetch(`${relay.url}${path}`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const ask = (relay, email) => post(relay, "/api/sign-in/email", { email });
const redeem = (relay, link) => post(relay, "/api/sign-in/redeem", { link });

const people = async relay => (await fetch(`${relay.url}/api/tokens`, { headers: { authorization: `Bearer ${relay.owner}` } })).json();

/** Mint a team member with the CLI, once the running relay has read the new token. */
async function mintMember(relay, email) {
  relay.mint(["--role", "team", "--name", "Sam Lee", "--email", email]);
  await eventually(() => people(relay), list => list.some(t => t.email === email), { message: "the relay sees the new token" });
}

/** Mint a team member with an email, ask for their link, and return the link from the email. */
async function linkFor(relay, smtp, email = "sam@harbor.example") {
  await mintMember(relay, email);
  const before = (await smtp.messages()).length;
  assert.equal((await ask(relay, email)).status, 204);
  const messages = await eventually(() => smtp.messages(), m => m.length === before + 1, { message: "the link arrives" });
  return messages.at(-1).text.match(/(http:\/\/\S+\/#\/sign-in\/tsl_\w+)/)[1];
}

test("a sign-in link signs in once as a new token with the person's access; reused, malformed and unknown links are refused", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    const link = await linkFor(relay, smtp);
    const first = await redeem(relay, link);
    assert.equal(first.status, 201);
    const created = await first.json();
    assert.match(created.token, /^thr_/);
    assert.equal(created.record.role, "team");
    assert.equal(created.record.email, "sam@harbor.example");
    const session = await fetch(`${relay.url}/api/session`, { headers: { authorization: `Bearer ${created.token}` } });
    assert.equal(session.status, 200, "the new token works");

    const again = await redeem(relay, link);
    assert.equal(again.status, 410);
    assert.match((await again.json()).error, /expired or was already used/);
    const unknown = await redeem(relay, "tsl_" + "1".repeat(44));
    assert.ok([400, 410].includes(unknown.status));
    for (const bad of ["", "tsl_", "thr_abc", "tsl_0OIl", "<script>", "x".repeat(5000)]) {
      const r = await redeem(relay, bad);
      assert.equal(r.status, 400, bad.slice(0, 20));
      assert.match((await r.json()).error, /not a sign-in link/);
    }
  });
});

test("an expired sign-in link and one whose person was revoked are refused", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    const expired = await linkFor(relay, smtp, "old@harbor.example");
    const revokedLink = await linkFor(relay, smtp, "gone@harbor.example");
    const gone = (await people(relay)).find(t => t.email === "gone@harbor.example");
    relay.revoke(gone.id);
    // An hour and a bit later: the relay reads the links file at start.
    await relay.stop();
    const file = join(relay.dataDir, "sign-in", "links.json");
    const links = JSON.parse(readFileSync(file, "utf8"));
    links[0].expiresAt = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(file, JSON.stringify(links));
    await relay.restart();
    const late = await redeem(relay, expired);
    assert.equal(late.status, 410);
    const revoked = await redeem(relay, revokedLink);
    assert.equal(revoked.status, 410);
    assert.match((await revoked.json()).error, /revoked/);
  });
});

test("known and unknown addresses get the same answer, and floods per address and per client address are refused", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    await mintMember(relay, "sam@harbor.example");
    const known = await ask(relay, "sam@harbor.example");
    const unknown = await ask(relay, "nobody@harbor.example");
    assert.equal(known.status, 204);
    assert.equal(unknown.status, 204);
    assert.equal(await known.text(), await unknown.text());
    assert.equal((await ask(relay, "not an address")).status, 400);

    // Per address: a few, then 429 with Retry-After.
    assert.equal((await ask(relay, "sam@harbor.example")).status, 204);
    assert.equal((await ask(relay, "SAM@harbor.example")).status, 204);
    const flood = await ask(relay, "sam@harbor.example");
    assert.equal(flood.status, 429);
    assert.ok(Number(flood.headers.get("retry-after")) > 0);
    await eventually(() => smtp.messages(), m => m.length === 3, { message: "three links, no more" });

    // Per client address: ten addresses, then 429 for any other.
    const statuses = [];
    for (let n = 0; n < 12; n++) statuses.push((await ask(relay, `p${n}@harbor.example`)).status);
    assert.ok(statuses.includes(429), JSON.stringify(statuses));
    assert.equal(statuses.lastIndexOf(204) < statuses.indexOf(429), true, "once refused, refused");
    assert.equal((await smtp.messages()).length, 3, "nothing sent to unknown addresses");
  });
});

test("a relay without email says so for sign-in links", async () => {
  await withRelay(async relay => {
    const r = await ask(relay, "sam@harbor.example");
    assert.equal(r.status, 409);
    assert.match((await r.json()).error, /sends no email/);
  });
});

test("behind a trusted proxy each client address has its own sign-in budget, and the header from anyone else counts for nothing", async () => {
  const from = (relay, forwardedFor) => fetch(`${relay.url}/api/sign-in/redeem`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
    body: JSON.stringify({ link: "tsl_" + "1".repeat(44) }),
  });
  /** Redeem unknown links as `forwardedFor` until the relay refuses; how many it took. */
  const untilRefused = async (relay, forwardedFor) => {
    for (let n = 1; n <= 40; n++) if ((await from(relay, forwardedFor)).status === 429) return n;
    return Infinity;
  };
  // The relay trusts the proxy on this machine (the test's own requests come from 127.0.0.1,
  // as nginx's would): a flood from one client behind it leaves another client's budget whole.
  await withRelay({ staticDir: null, extraArgs: ["--trusted-proxy", "127.0.0.1"] }, async relay => {
    const first = await untilRefused(relay, "198.51.100.7");
    assert.ok(first > 1 && first <= 25, `the first client is refused after its budget: ${first}`);
    assert.notEqual((await from(relay, "203.0.113.9")).status, 429, "another client is not");
    // What a client writes to the left of what the proxy appended is not read.
    assert.equal((await from(relay, "203.0.113.10, 198.51.100.7")).status, 429, "a forged hop does not buy a new budget");
  });
  // Without the flag the header is nobody's word: every request is the socket's peer.
  await withRelay({ staticDir: null }, async relay => {
    await untilRefused(relay, "198.51.100.7");
    assert.equal((await from(relay, "203.0.113.9")).status, 429, "one budget for the one peer");
  });
});
