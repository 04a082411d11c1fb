// Scheduled mail with several relays on one PostgreSQL database: only the relay holding the
// scheduler's lock (a session advisory lock) runs passes, so each letter goes once however many
// relays run; what it sent is recorded in the database, so when it dies and another relay takes
// the lock, the new sender knows what went and sends only what is new. A sign-in link asked for
// through one relay works through another, once. Real SMTP (aiosmtpd).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  RELAY_BIN, addTask, eventually, inviteClient, launchBrowser, mailArgs, providerWithPortal, setClock, startRelay, startSmtp,
  tempDir, waitForStatus, withRelay,
} from "./harness.mjs";
import { startPostgres } from "./postgres.mjs";

let pg;
let browser;
before(async () => { pg = await startPostgres(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); pg?.stop(); });

const TEST_CLOCK = ["--test-clock", "2026-03-09T05:00:00Z"];
/** The database session holding the scheduler's lock, if any. */
const holder = url => pg.query(url, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted");

test("two_relays_send_a_due_reminder_once_and_when_the_sender_dies_the_other_sends_only_what_is_new", async () => {
  const smtp = await startSmtp();
  const url = pg.database();
  const args = ["--database-url", url, ...mailArgs(smtp), ...TEST_CLOCK];
  await withRelay({ extraArgs: args }, async a => {
    a.defer(smtp.close);
    const b = await startRelay({ extraArgs: args, owner: a.owner });
    let bRunning = true;
    a.defer(() => bRunning && b.stop());
    const { page: p } = await providerWithPortal(browser, a, "Acme Studio");
    await inviteClient(p, "Dana Reyes", "dana@acme.example");
    await addTask(p, "Send the signed contract");
    await p.getByLabel("Due date for Send the signed contract").fill("2026-03-10");
    await waitForStatus(p, "Synced");
    const reminders = async () => (await smtp.messages()).filter(m => m.to[0].address === "dana@acme.example" && !/invited you/.test(m.subject));

    // Both relays run a pass at noon the day before; one letter arrives.
    for (const relay of [a, b]) await setClock(relay, "2026-03-09T12:00:00Z");
    await eventually(reminders, m => m.length === 1, { message: "the reminder the day before" });
    for (const relay of [b, a]) await setClock(relay, "2026-03-09T12:30:00Z");
    // The letter names the relay that sent it (its links are to that relay's address).
    const [first] = await reminders();
    const sender = [a, b].find(relay => first.text.includes(`${relay.url}/#/portal/`));
    assert.ok(sender, `the reminder links to one of the relays: ${first.text}`);
    const other = sender === a ? b : a;
    const held = holder(url);
    assert.match(held, /^\d+$/, "one session holds the scheduler's lock");

    // The sender dies; the other takes the lock at its next pass, and knows what went.
    await sender.stop("SIGKILL");
    if (sender === b) bRunning = false;
    let minute = 0;
    await eventually(async () => {
      minute += 1;
      await setClock(other, `2026-03-09T13:${String(minute).padStart(2, "0")}:00Z`);
      return holder(url);
    }, now => /^\d+$/.test(now) && now !== held, { message: "the other relay takes the scheduler's lock" });
    await setClock(other, "2026-03-10T12:00:00Z");
    // The outbox sends in order: a letter sent twice (by two relays at once, or again by the
    // new sender) would arrive before the one of the day.
    const all = await eventually(reminders, m => m.some(x => x.subject.startsWith("Due today")), { message: "the reminder on the day, from the new sender" });
    assert.deepEqual(all.map(m => m.subject), ["Due tomorrow: Send the signed contract", "Due today: Send the signed contract"]);
    assert.ok(all[1].text.includes(`${other.url}/#/portal/`), "sent by the relay that took over");
    await setClock(other, "2026-03-10T13:00:00Z");
    assert.equal((await reminders()).length, 2, "and once");
  });
});

test("a_sign_in_link_asked_for_through_one_relay_works_once_through_another", async () => {
  const smtp = await startSmtp();
  const url = pg.database();
  const args = ["--database-url", url, ...mailArgs(smtp)];
  await withRelay({ staticDir: null, extraArgs: args }, async a => {
    a.defer(smtp.close);
    const b = await startRelay({ staticDir: null, extraArgs: args, owner: a.owner });
    a.defer(() => b.stop());
    execFileSync(RELAY_BIN, ["token", "create", "--json", "--data-dir", tempDir("cli"), "--database-url", url,
      "--role", "team", "--name", "Dana Reyes", "--email", "dana@acme.example"]);
    const post = (relay, path, body) => fetch(`${relay.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    assert.equal((await post(a, "/api/sign-in/email", { email: "dana@acme.example" })).status, 204);
    const [message] = await eventually(() => smtp.messages(), m => m.length === 1, { message: "the sign-in email from relay A" });
    const link = message.text.match(/(http:\/\/\S+\/#\/sign-in\/tsl_\w+)/)[1];
    const redeemed = await post(b, "/api/sign-in/redeem", { link });
    assert.equal(redeemed.status, 201, "relay B signs the link in");
    const { token } = await redeemed.json();
    const session = await fetch(`${a.url}/api/session`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(session.status, 200, "the token it gave works on relay A too");
    for (const relay of [a, b]) {
      assert.equal((await post(relay, "/api/sign-in/redeem", { link })).status, 410, "once, on every relay");
    }
  });
});
