// Mail that leaves the relay, against a real SMTP server (aiosmtpd) on loopback: the durable
// outbox (a server that is down, a relay that is killed), refusals, and what arrives, parsed
// back with postal-mime.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  withRelay, startSmtp, mailArgs, header, eventually, launchBrowser, providerWithPortal, openInvite, goView, waitForStatus,
  newDevice, createPortal, inviteClient,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Mint a team token with an email through the API, asking the relay to email the invite. */
async function invite(relay, { name = "Sam Lee", email = "sam@harbor.example", note = "" } = {}) {
  const response = await fetch(`${relay.url}/api/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${relay.owner}`, "content-type": "application/json" },
    body: JSON.stringify({ role: "team", name, email, sendEmail: { provider: "Harbor Studio", note } }),
  });
  const body = await response.json();
  assert.equal(response.status, 201, JSON.stringify(body));
  return body;
}

const json = dir => (existsSync(dir) ? readdirSync(dir).filter(n => n.endsWith(".json")) : []);
const outbox = relay => ({
  pending: json(join(relay.dataDir, "outbox")),
  sent: json(join(relay.dataDir, "outbox", "sent")),
  failed: json(join(relay.dataDir, "outbox", "failed")),
});
const read = (relay, sub, name) => JSON.parse(readFileSync(join(relay.dataDir, "outbox", sub, name), "utf8"));

/** How many times each Message-ID arrived. */
const counts = messages => messages.reduce((m, msg) => m.set(msg.messageId, (m.get(msg.messageId) ?? 0) + 1), new Map());

test("mail queued while the SMTP server is down is delivered once it starts, exactly once", async () => {
  const smtp = await startSmtp({ running: false });
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    const emails = ["a@harbor.example", "b@harbor.example", "c@harbor.example"];
    for (const email of emails) assert.equal((await invite(relay, { name: email, email })).emailed, true);
    assert.equal(outbox(relay).pending.length, 3, "written to the outbox before the answer");
    // The relay says why it could not deliver, and keeps every message.
    await eventually(() => relay.output(), out => /mail not delivered yet; will retry/.test(out), { message: "a logged retry" });
    assert.match(relay.output(), /Connection refused|connect/i, "the reason is in the log");
    assert.equal(outbox(relay).pending.length, 3, "nothing lost while the server is down");

    await smtp.start();
    await eventually(() => outbox(relay), o => o.sent.length === 3 && o.pending.length === 0, { message: "all sent", timeout: 20_000 });
    const messages = await smtp.messages();
    assert.equal(messages.length, 3, "each message once");
    assert.equal(counts(messages).size, 3, "three distinct Message-IDs");
    assert.deepEqual(messages.map(m => m.to[0].address).sort(), emails);
    const recorded = outbox(relay).sent.map(n => read(relay, "sent", n).messageId).sort();
    assert.deepEqual([...counts(messages).keys()].sort(), recorded, "the Message-ID chosen at queue time is the one received");
  });
});

test("a relay SIGKILLed with mail in its outbox delivers all of it after a restart, none twice", async () => {
  const smtp = await startSmtp({ running: false });
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    for (let n = 0; n < 5; n++) await invite(relay, { name: `P${n}`, email: `p${n}@harbor.example` });
    const queued = outbox(relay).pending.map(n => read(relay, "", n).messageId).sort();
    assert.equal(queued.length, 5);
    await relay.stop("SIGKILL");
    await smtp.start();
    await relay.restart();
    await eventually(() => outbox(relay), o => o.sent.length === 5 && o.pending.length === 0, { message: "all sent after restart", timeout: 20_000 });
    const messages = await smtp.messages();
    const seen = counts(messages);
    assert.deepEqual([...seen.keys()].sort(), queued, "every queued message arrived");
    assert.ok([...seen.values()].every(n => n === 1), `no duplicate: ${JSON.stringify([...seen])}`);
  });
});

test("a recipient the SMTP server refuses is recorded as failed with the reason and not retried; other mail still goes", async () => {
  const smtp = await startSmtp({ reject: ["gone@harbor.example"] });
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    await invite(relay, { name: "Gone", email: "gone@harbor.example" });
    await invite(relay, { name: "Here", email: "here@harbor.example" });
    await eventually(() => outbox(relay), o => o.failed.length === 1 && o.sent.length === 1, { message: "one failed, one sent" });
    const failed = read(relay, "failed", outbox(relay).failed[0]);
    assert.match(failed.lastError, /550/, "the server's answer is kept");
    assert.deepEqual(failed.to, ["gone@harbor.example"]);
    assert.match(relay.output(), /mail refused by the SMTP server; not retried.*550/);
    const messages = await smtp.messages();
    assert.deepEqual(messages.map(m => m.to[0].address), ["here@harbor.example"]);
  });
});

test("an invite email parses back as multipart text and HTML with UTF-8 names, and its one-click unsubscribe stops the next one", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    const created = await invite(relay, { name: "Zoë Ångström", email: "zoe@acme.example", note: "Looking forward — see you Monday!" });
    const [message] = await eventually(() => smtp.messages(), m => m.length === 1, { message: "the invite arrives" });
    assert.equal(message.subject, "Harbor Studio invited you to your client portal");
    assert.deepEqual(message.from, { address: "portal@harbor.example", name: "Harbor Studio" });
    assert.deepEqual(message.to, [{ address: "zoe@acme.example", name: "Zoë Ångström" }]);
    assert.equal(message.replyTo[0].name, "Zoë Harbor");
    assert.match(message.text, /Hello Zoë Ångström,/);
    assert.match(message.text, /Looking forward — see you Monday!/);
    assert.ok(message.text.includes(`${relay.url}/#/join/${created.token}`), "the link is in the text");
    assert.ok(message.html.includes(`href="${relay.url}/#/join/${created.token}"`), "and in the HTML");
    assert.match(message.raw, /^Content-Type: multipart\/alternative/m);
    assert.equal(header(message, "list-unsubscribe-post"), "List-Unsubscribe=One-Click");
    const unsubscribe = header(message, "list-unsubscribe").replace(/^<|>$/g, "");
    assert.ok(unsubscribe.startsWith(`${relay.url}/api/mail/unsubscribe/`), unsubscribe);
    assert.match(header(message, "message-id"), /^<[0-9a-f]{32}@harbor\.example>$/);

    // Opening the link only asks; a mail client's one-click POST unsubscribes.
    const page = await fetch(unsubscribe);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Stop these emails\?/);
    const forged = await fetch(unsubscribe.replace(/.$/, c => (c === "0" ? "1" : "0")), { method: "POST", body: "List-Unsubscribe=One-Click" });
    assert.equal(forged.status, 400, "a forged link unsubscribes nobody");
    const done = await fetch(unsubscribe, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    assert.equal(done.status, 200);
    assert.match(await done.text(), /You are unsubscribed/);
    const again = await invite(relay, { name: "Zoë Ångström", email: "ZOE@acme.example" });
    assert.equal(again.emailed, false, "not emailed to an address that unsubscribed");
    assert.equal(outbox(relay).pending.length, 0);
    assert.equal((await smtp.messages()).length, 1);
  });
});

test("without an SMTP server the session says email is off and an emailed invite is refused plainly", async () => {
  await withRelay(async relay => {
    const session = await (await fetch(`${relay.url}/api/session`, { headers: { authorization: `Bearer ${relay.owner}` } })).json();
    assert.equal(session.emailEnabled, false);
    const response = await fetch(`${relay.url}/api/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${relay.owner}`, "content-type": "application/json" },
      body: JSON.stringify({ role: "team", name: "Sam", email: "sam@harbor.example", sendEmail: { provider: "Harbor", note: "" } }),
    });
    assert.equal(response.status, 409);
    assert.match((await response.json()).error, /email is off/);
    const tokens = await (await fetch(`${relay.url}/api/tokens`, { headers: { authorization: `Bearer ${relay.owner}` } })).json();
    assert.ok(!tokens.some(t => t.name === "Sam"), "a refused request mints nothing");
  });
});

test("a client invited by email opens the link from the email in Chromium and lands in their portal", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    const provider = await providerWithPortal(browser, relay, "Acme Studio");
    const p = provider.page;
    await goView(p, "People");
    const people = p.getByRole("region", { name: "People with access" });
    await people.getByLabel("Contact name").fill("Dana Reyes");
    await people.getByLabel("Contact email").fill("dana@acme.example");
    assert.equal(await people.getByLabel("Also email the link to them").isChecked(), true, "on by default when email is on");
    await people.getByLabel("Note for the email (optional)").fill("Here is everything for our kickoff on Monday.");
    await people.getByRole("button", { name: "Create invite link" }).click();
    await people.getByText("Emailed to dana@acme.example.").waitFor();
    const shown = await people.getByLabel("Invite link for Dana Reyes").inputValue();
    assert.equal(await people.getByRole("link", { name: "Email the invite" }).count(), 0, "no second, hand-made email");

    const [message] = await eventually(() => smtp.messages(), m => m.length === 1, { message: "the invite arrives" });
    assert.deepEqual(message.to, [{ address: "dana@acme.example", name: "Dana Reyes" }]);
    assert.match(message.text, /Here is everything for our kickoff on Monday\./);
    const link = message.text.match(/(http:\/\/\S+\/#\/join\/thr_\w+)/)[1];
    assert.equal(link, shown, "the email carries the link the provider sees");

    const client = (await openInvite(browser, relay, link)).page;
    assert.equal(await client.getByRole("heading", { level: 1 }).innerText(), "Acme Studio");
    await waitForStatus(client, "Synced");
  });
});

test("without an SMTP server the invite form says email is off and still makes a link to share", async () => {
  await withRelay(async relay => {
    const { page } = await providerWithPortal(browser, relay, "Acme Studio");
    await goView(page, "People");
    const people = page.getByRole("region", { name: "People with access" });
    await people.getByText("Email is off on this relay").waitFor();
    assert.equal(await people.getByLabel("Also email the link to them").count(), 0);
    await people.getByLabel("Contact name").fill("Dana Reyes");
    await people.getByLabel("Contact email").fill("dana@acme.example");
    await people.getByRole("button", { name: "Create invite link" }).click();
    assert.match(await people.getByLabel("Invite link for Dana Reyes").inputValue(), /#\/join\/thr_/);
    await people.getByRole("link", { name: "Email the invite" }).waitFor();
  });
});

test("the goodbye is sent for real once the invoice is paid, exactly as composed, and only once", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    const { page: p } = await newDevice(browser, relay);
    const id = await createPortal(p, relay.url, "Harbour Co", { template: "Service engagement" });
    await inviteClient(p, "Robin Park", "robin@harbour.example");
    await p.getByLabel("Stage").selectOption("active");
    await goView(p, "Offboarding");
    await p.locator("#offboarding-playbook").selectOption({ label: "Service engagement" });
    await p.getByRole("button", { name: "Start offboarding" }).click();
    const goodbye = p.getByRole("region", { name: "Goodbye email" });
    await eventually(() => goodbye.getByTestId("goodbye-to").innerText(), t => t === "Robin Park <robin@harbour.example>", { message: "addressed" });
    await goodbye.getByLabel("Subject").fill("Thank you, Robin — até já");
    const text = "Hi Robin,\n\nIt was a pleasure. Your files stay in the portal.\n\nSam Lee\n";
    await goodbye.getByLabel("Goodbye email text").fill(text);

    const send = goodbye.getByRole("button", { name: "Send the goodbye email" });
    assert.ok(await send.isDisabled(), "the invoice gate holds the send button too");
    await goodbye.getByRole("button", { name: "Mark Deposit invoice paid" }).click();
    await eventually(() => send.isEnabled(), v => v, { message: "the gate opens once paid" });
    await send.click();
    await goodbye.getByRole("status").filter({ hasText: "Sent and completed on" }).waitFor();
    await goodbye.getByText("The goodbye is on its way.").waitFor();

    const goodbyes = async () => (await smtp.messages()).filter(m => m.subject.startsWith("Thank you, Robin"));
    const [message] = await eventually(goodbyes, m => m.length === 1, { message: "the goodbye arrives" });
    assert.equal(message.subject, "Thank you, Robin — até já");
    assert.deepEqual(message.to, [{ address: "robin@harbour.example", name: "Robin Park" }]);
    assert.ok(message.text.startsWith(text.trimEnd()), `exactly as composed: ${JSON.stringify(message.text)}`);
    assert.equal(header(message, "list-unsubscribe-post"), "List-Unsubscribe=One-Click");

    // Another device ending the engagement too (or a retry) sends nothing more.
    const again = await fetch(`${relay.url}/api/portals/${id}/goodbye`, {
      method: "POST",
      headers: { authorization: `Bearer ${relay.owner}`, "content-type": "application/json" },
      body: JSON.stringify({ to: ["Robin Park <robin@harbour.example>"], subject: "Thank you, Robin — até já", text }),
    });
    const body = await again.json();
    assert.equal(again.status, 200, JSON.stringify(body));
    assert.equal(body.already, true);
    assert.deepEqual(body.messageIds, [message.messageId]);
    await eventually(() => outbox(relay), o => o.pending.length === 0, { message: "outbox drained" });
    assert.equal((await goodbyes()).length, 1, "sent once");
  });
});

test("the sender name and reply-to the provider sets in the workspace are on the next email, and a bad reply-to is refused in words", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    const { page } = await newDevice(browser, relay);
    await page.goto(relay.url + "/");
    const card = page.getByRole("region", { name: "Email" });
    await card.getByText("Email is on. Messages go out from").waitFor();
    await card.getByLabel("Sender name").fill("Northwind Design");
    await card.getByLabel("Replies go to").fill("robin at northwind");
    await card.getByRole("button", { name: "Save email settings" }).click();
    await card.getByRole("alert").filter({ hasText: "is not an email address" }).waitFor();
    await card.getByLabel("Replies go to").fill("robin@northwind.example");
    await card.getByRole("button", { name: "Save email settings" }).click();
    await card.getByText("Saved. New emails go out under this name.").waitFor();
    assert.equal(await card.getByRole("alert").innerText(), "", "the earlier error is gone");

    await invite(relay, { name: "Sam Lee", email: "sam@harbor.example" });
    const [message] = await eventually(() => smtp.messages(), m => m.length === 1, { message: "the invite arrives" });
    assert.deepEqual(message.from, { address: "portal@harbor.example", name: "Northwind Design" }, "the relay's address, the provider's name");
    assert.equal(message.replyTo[0].address, "robin@northwind.example");
    // A reload shows what the relay kept.
    await page.reload();
    assert.equal(await page.getByRole("region", { name: "Email" }).getByLabel("Sender name").inputValue(), "Northwind Design");
  });
});

test("a client turns reminders off in their portal; an unsubscribe is undone only by the signed link in the mail", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    const provider = await providerWithPortal(browser, relay, "Acme Studio");
    await goView(provider.page, "People");
    const people = provider.page.getByRole("region", { name: "People with access" });
    await people.getByLabel("Contact name").fill("Dana Reyes");
    await people.getByLabel("Contact email").fill("dana@acme.example");
    await people.getByRole("button", { name: "Create invite link" }).click();
    const link = await people.getByLabel("Invite link for Dana Reyes").inputValue();
    const [invited] = await eventually(() => smtp.messages(), m => m.length === 1, { message: "the invite arrives" });
    const token = link.split("/join/")[1];
    const mine = async () => (await fetch(`${relay.url}/api/me/email`, { headers: { authorization: `Bearer ${token}` } })).json();

    const client = (await openInvite(browser, relay, link)).page;
    const card = client.getByRole("region", { name: "Emails to you" });
    await card.getByText("dana@acme.example").waitFor();
    const reminders = card.getByRole("checkbox", { name: /Reminders/ });
    assert.equal(await reminders.isChecked(), true, "on until they turn it off");
    await reminders.uncheck();
    await card.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    assert.deepEqual(await mine(), { emailOn: true, address: "dana@acme.example", unsubscribed: false, digests: true, reminders: false });

    // One click in a mail client unsubscribes, and the portal says so; the app cannot undo it
    // (a token naming the address is no proof it is theirs), the signed link can.
    const unsubscribe = header(invited, "list-unsubscribe").replace(/^<|>$/g, "");
    const done = await fetch(unsubscribe, { method: "POST", body: "List-Unsubscribe=One-Click" });
    assert.equal(done.status, 200);
    assert.match(await done.text(), /Get these emails again/);
    await client.reload();
    await card.getByText("You unsubscribed from these emails").waitFor();
    assert.equal(await card.getByRole("checkbox", { name: /summary/ }).isDisabled(), true);
    const put = await fetch(`${relay.url}/api/me/email`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ digests: true, reminders: true }),
    });
    assert.equal(put.status, 200);
    assert.equal((await mine()).unsubscribed, true, "the API does not undo an unsubscribe");
    const again = await fetch(unsubscribe.replace("/unsubscribe/", "/resubscribe/"), { method: "POST" });
    assert.equal(again.status, 200);
    assert.equal((await mine()).unsubscribed, false, "the signed link does");
    await client.reload();
    await card.getByRole("checkbox", { name: /summary/ }).waitFor();
    assert.equal(await card.getByText("You unsubscribed from these emails").count(), 0);
    assert.equal(await card.getByRole("checkbox", { name: /summary/ }).isDisabled(), false);
  });
});

test("without email the workspace says plainly that email is off, and a client's portal offers no email choices", async () => {
  await withRelay(async relay => {
    const provider = await providerWithPortal(browser, relay, "Acme Studio");
    const link = await inviteClient(provider.page);
    await provider.page.goto(relay.url + "/");
    await provider.page.getByRole("region", { name: "Email" }).getByText("Email is off: this relay has no mail server").waitFor();
    const client = (await openInvite(browser, relay, link)).page;
    await waitForStatus(client, "Synced");
    assert.equal(await client.getByRole("region", { name: "Emails to you" }).count(), 0);
    const refused = await fetch(`${relay.url}/api/me/email`, {
      method: "PUT",
      headers: { authorization: `Bearer ${link.split("/join/")[1]}`, "content-type": "application/json" },
      body: JSON.stringify({ digests: false, reminders: false }),
    });
    assert.equal(refused.status, 409);
    assert.match((await refused.json()).error, /email is off/);
  });
});
