// Scheduled mail on a clock the test drives: the relay starts on a test clock
// (`--test-clock`, hidden) and `PUT /api/test/clock` moves it, answering once the scheduler has
// run a pass at the new time. Due reminders and follow-ups arrive at a real SMTP server
// (aiosmtpd) and are parsed back; restarts send nothing twice.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  withRelay, startSmtp, mailArgs, header, eventually, launchBrowser, providerWithPortal, newDevice, createPortal,
  inviteClient, goView, addTask, waitForStatus, axeFindings,
  setClock, assertWellFormed,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** A provider's portal with Dana invited and a client task due on `due`, held by the relay. */
async function portalWithTaskDue(relay, due) {
  const { page: p, id } = await providerWithPortal(browser, relay, "Acme Studio");
  const link = await inviteClient(p, "Dana Reyes", "dana@acme.example");
  await addTask(p, "Send the signed contract");
  await p.getByLabel("Due date for Send the signed contract").fill(due);
  await waitForStatus(p, "Synced");
  const handle = await relay.jsRepo().repo.find(`automerge:${id}`);
  await eventually(() => Object.values(handle.doc().tasks ?? {}).map(t => String(t.due ?? "")), d => d.includes(due), { message: "the due date at the relay" });
  return { p, id, link };
}

const TEST_CLOCK = ["--test-clock", "2026-03-09T05:00:00Z"];

test("the test clock is only there when the relay is started on one and only the owner moves it; a portal's mail list is the provider's; an offset is bounded", async () => {
  await withRelay(async relay => {
    const response = await fetch(`${relay.url}/api/test/clock`, {
      method: "PUT",
      headers: { authorization: `Bearer ${relay.owner}`, "content-type": "application/json" },
      body: JSON.stringify({ now: "2030-01-01T00:00:00Z" }),
    });
    assert.equal(response.status, 404, "no test clock without --test-clock");
  });
  await withRelay({ extraArgs: TEST_CLOCK }, async relay => {
    const team = relay.mint(["--role", "team", "--name", "Sam"]);
    const asTeam = await fetch(`${relay.url}/api/test/clock`, {
      method: "PUT",
      headers: { authorization: `Bearer ${team.token}`, "content-type": "application/json" },
      body: JSON.stringify({ now: "2030-01-01T00:00:00Z" }),
    });
    assert.equal(asTeam.status, 403);
    const bad = await fetch(`${relay.url}/api/test/clock`, {
      method: "PUT",
      headers: { authorization: `Bearer ${relay.owner}`, "content-type": "application/json" },
      body: JSON.stringify({ now: "next Tuesday" }),
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /RFC 3339/);

    // A portal's outbox entries (with recipients) are the provider's; an offset is bounded.
    const id = (await relay.jsRepo().repo.create({ kind: "portal" })).documentId;
    const client = relay.mint(["--role", "client", "--portal", id, "--name", "Dana"]);
    const asClient = await fetch(`${relay.url}/api/portals/${id}/mail`, { headers: { authorization: `Bearer ${client.token}` } });
    assert.equal(asClient.status, 403);
    const asOwner = await fetch(`${relay.url}/api/portals/${id}/mail`, { headers: { authorization: `Bearer ${relay.owner}` } });
    assert.deepEqual(await asOwner.json(), [], "email off: nothing queued");
    const zone = minutes => fetch(`${relay.url}/api/session/time-zone`, {
      method: "PUT",
      headers: { authorization: `Bearer ${client.token}`, "content-type": "application/json" },
      body: JSON.stringify({ utcOffsetMinutes: minutes }),
    });
    assert.equal((await zone(15 * 60)).status, 400);
    assert.equal((await zone(-300)).status, 204);
  });
});

test("a task due tomorrow reminds the client in their own morning, once, even after a restart, and a done task stops", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: [...mailArgs(smtp), ...TEST_CLOCK] }, async relay => {
    relay.defer(smtp.close);
    const { p, id, link } = await portalWithTaskDue(relay, "2026-03-10");

    // The client's device is in Paris (UTC+1 in March) and tells the relay so.
    const context = await browser.newContext({ timezoneId: "Europe/Paris" });
    relay.defer(() => context.close());
    const client = await context.newPage();
    await client.goto(link);
    await client.getByRole("navigation", { name: "Portal" }).waitFor();
    const access = () => JSON.parse(readFileSync(join(relay.dataDir, "access.json"), "utf8"));
    await eventually(access, a => a.tokens.some(t => t.email === "dana@acme.example" && t.utcOffsetMinutes === 60), { message: "the client's offset stored" });

    const reminders = async () => (await smtp.messages()).filter(m => m.to[0].address === "dana@acme.example" && !/invited you/.test(m.subject));
    await setClock(relay, "2026-03-09T06:59:00Z");
    assert.equal((await reminders()).length, 0, "07:59 in Paris is not morning yet");
    await setClock(relay, "2026-03-09T07:00:00Z");
    const [tomorrow] = await eventually(reminders, m => m.length === 1, { message: "the reminder at 08:00 in Paris" });
    assert.equal(tomorrow.subject, "Due tomorrow: Send the signed contract");
    assert.deepEqual(tomorrow.to, [{ address: "dana@acme.example", name: "Dana Reyes" }]);
    assert.match(tomorrow.text, /Hello Dana Reyes,/);
    assert.match(tomorrow.text, /The task “Send the signed contract” in your portal with .+ is due tomorrow, Tuesday 10 March 2026\./);
    assert.ok(tomorrow.text.includes(`${relay.url}/#/portal/${id}/plan`), "links straight to the plan");
    assert.ok(tomorrow.html.includes(`href="${relay.url}/#/portal/${id}/plan"`));
    assertWellFormed(tomorrow, relay);

    // Later passes, and a restarted relay, send nothing more for the same day.
    await setClock(relay, "2026-03-09T12:00:00Z");
    await relay.restart();
    await setClock(relay, "2026-03-09T13:00:00Z");
    assert.equal((await reminders()).length, 1, "not twice");

    await setClock(relay, "2026-03-10T07:00:00Z");
    const due = await eventually(reminders, m => m.length === 2, { message: "the reminder on the day" });
    assert.equal(due[1].subject, "Due today: Send the signed contract");
    assert.equal(new Set(due.map(m => m.messageId)).size, 2);

    // Done: no overdue reminder the day after.
    await p.reload();
    await goView(p, "Plan");
    await p.getByRole("checkbox", { name: "Done: Send the signed contract" }).check();
    const after = await relay.jsRepo().repo.find(`automerge:${id}`);
    await eventually(() => Object.values(after.doc().tasks ?? {}).map(t => t.done), d => d.includes(true), { message: "done at the relay" });
    await setClock(relay, "2026-03-11T09:00:00Z");
    assert.equal((await reminders()).length, 2, "a done task is not chased");
  });
});

test("follow-ups go out on their date: the client's check-in in the provider's words, the provider's reminder, each once and shown as sent", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: [...mailArgs(smtp), ...TEST_CLOCK] }, async relay => {
    relay.defer(smtp.close);
    const { page: p } = await newDevice(browser, relay);
    const id = await createPortal(p, relay.url, "Harbour Co", { template: "Service engagement" });
    await inviteClient(p, "Robin Park", "robin@harbour.example");
    await p.getByLabel("Stage").selectOption("active");
    await goView(p, "Offboarding");
    await p.locator("#offboarding-playbook").selectOption({ label: "Service engagement" });
    await p.getByRole("button", { name: "Start offboarding" }).click();
    const goodbye = p.getByRole("region", { name: "Goodbye email" });
    await eventually(() => goodbye.getByTestId("goodbye-to").innerText(), t => t.includes("robin@harbour.example"), { message: "addressed" });
    await goodbye.getByRole("button", { name: "Mark Deposit invoice paid" }).click();
    const send = goodbye.getByRole("button", { name: "Send the goodbye email" });
    await eventually(() => send.isEnabled(), v => v, { message: "the gate opens once paid" });
    await send.click();
    await goodbye.getByRole("status").filter({ hasText: "Sent and completed on" }).waitFor();

    const followUps = p.getByRole("region", { name: "Follow-ups" });
    const m3 = await followUps.getByLabel("Date of the 3-month follow-up", { exact: true }).inputValue();
    const m6 = await followUps.getByLabel("Date of the 6-month follow-up", { exact: true }).inputValue();
    assert.equal(await followUps.getByLabel("On the date of the 3-month follow-up").inputValue(), "remind-me", "nothing to the client unless chosen");
    await followUps.getByLabel("On the date of the 3-month follow-up").selectOption({ label: "Email the client" });
    const text = followUps.getByLabel("Check-in email for the 3-month follow-up");
    assert.match(await text.inputValue(), /^Hello Harbour Co,/, "prefilled in the product's voice");
    assert.match(await text.inputValue(), /3 months since we wrapped up/);
    const words = "Hi Robin,\n\nThree months on — how is the new booking flow treating you?\n\nSam";
    await text.fill(words);
    await text.blur();
    // The follow-up section, its choice and its text fit a phone, with nothing serious for axe.
    await p.setViewportSize({ width: 360, height: 800 });
    assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no horizontal scroll at 360 px");
    assert.deepEqual(await axeFindings(p), []);
    await p.setViewportSize({ width: 1100, height: 900 });
    await waitForStatus(p, "Synced");
    const js = relay.jsRepo();
    const handle = await js.repo.find(`automerge:${id}`);
    await eventually(() => handle.doc().followUps?.m3, f => String(f?.mode) === "email-client" && String(f?.message ?? "").startsWith("Hi Robin"), { message: "the choice at the relay" });

    const checkIns = async () => (await smtp.messages()).filter(m => /Checking in/.test(m.subject));
    const reachOut = async () => (await smtp.messages()).filter(m => /^Reach out to/.test(m.subject));
    await setClock(relay, `${m3}T07:59:00Z`);
    assert.equal((await checkIns()).length, 0, "not before the morning of the date");
    await setClock(relay, `${m3}T09:00:00Z`);
    const [checkIn] = await eventually(checkIns, m => m.length === 1, { message: "the check-in email" });
    assert.deepEqual(checkIn.to, [{ address: "robin@harbour.example", name: "Robin Park" }]);
    assert.ok(checkIn.text.startsWith(words), `the provider's words: ${JSON.stringify(checkIn.text)}`);
    assertWellFormed(checkIn, relay);
    assert.equal((await reachOut()).length, 0, "the 3-month follow-up went to the client only");

    // The 6-month one reminds the provider (the owner has no email: the reply-to gets it).
    await setClock(relay, `${m6}T09:00:00Z`);
    const [reminder] = await eventually(reachOut, m => m.length === 1, { message: "the provider's reminder" });
    assert.equal(reminder.subject, "Reach out to Harbour Co: 6-month follow-up");
    assert.deepEqual(reminder.to.map(t => t.address), ["zoe@harbor.example"]);
    assert.ok(reminder.text.includes(`${relay.url}/#/portal/${id}/offboarding`));
    assertWellFormed(reminder, relay);

    // Two restarts and more passes: nothing twice.
    for (let n = 0; n < 2; n++) {
      await relay.restart();
      await setClock(relay, `${m6}T10:00:00Z`);
    }
    assert.equal((await checkIns()).length, 1, "the check-in once");
    assert.equal((await reachOut()).length, 1, "the reminder once");

    // The portal shows both as sent, once each.
    await eventually(async () => (await (await fetch(`${relay.url}/api/portals/${id}/mail`, { headers: { authorization: `Bearer ${relay.owner}` } })).json()),
      list => list.filter(r => r.key.startsWith("follow-up-") && r.state === "sent").length === 2, { message: "both sent in the outbox" });
    const { page: again } = await newDevice(browser, relay);
    await again.goto(`${relay.url}/#/portal/${id}/offboarding`);
    const shown = again.getByRole("region", { name: "Follow-ups" });
    await shown.getByRole("status").first().waitFor();
    const statuses = await shown.getByRole("status").allInnerTexts();
    assert.equal(statuses.filter(s => s.startsWith("Sent on")).length, 2, JSON.stringify(statuses));
  });
});

test("a client who turns reminders off gets none until they turn them back on", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: [...mailArgs(smtp), ...TEST_CLOCK] }, async relay => {
    relay.defer(smtp.close);
    const { link } = await portalWithTaskDue(relay, "2026-03-10");

    const context = await browser.newContext({ timezoneId: "UTC" });
    relay.defer(() => context.close());
    const client = await context.newPage();
    await client.goto(link);
    const card = client.getByRole("region", { name: "Emails to you" });
    await card.getByRole("checkbox", { name: /Reminders/ }).uncheck();
    await card.getByRole("status").filter({ hasText: "Saved." }).waitFor();

    const reminders = async () => (await smtp.messages()).filter(m => m.to[0].address === "dana@acme.example" && !/invited you/.test(m.subject));
    await setClock(relay, "2026-03-09T09:00:00Z");
    assert.equal((await reminders()).length, 0, "reminders are off");
    await card.getByRole("checkbox", { name: /Reminders/ }).check();
    // The status still says "Saved." from before: ask the relay itself.
    const token = link.split("/join/")[1];
    await eventually(async () => (await fetch(`${relay.url}/api/me/email`, { headers: { authorization: `Bearer ${token}` } })).json(),
      m => m.reminders === true, { message: "reminders back on at the relay" });
    await setClock(relay, "2026-03-09T09:30:00Z");
    const [back] = await eventually(reminders, m => m.length === 1, { message: "the reminder once they are back on" });
    assert.equal(back.subject, "Due tomorrow: Send the signed contract");
  });
});
