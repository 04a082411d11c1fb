// Digests instead of a flood, on a clock the test drives (`--test-clock`, `PUT /api/test/clock`):
// what becomes waiting on a person while they are away reaches them as one email after ten
// quiet minutes, with a link straight to each item; a restart sends nothing again; a person
// who had the app open when it happened is not told; and the provider hears what the client
// did. Every message arrives at a real SMTP server (aiosmtpd) and is parsed back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  withRelay, startSmtp, mailArgs, header, eventually, launchBrowser, providerWithPortal, openInvite,
  inviteClient, goView, waitForStatus,
  setClock, assertWellFormed,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** The digests the relay has queued for a portal to `address`, from its outbox (not the SMTP
 * server, which may not have been handed a just-queued message yet). */
async function queuedDigests(relay, id, address) {
  const response = await fetch(`${relay.url}/api/portals/${id}/mail`, { headers: { authorization: `Bearer ${relay.owner}` } });
  assert.equal(response.status, 200);
  return (await response.json()).filter(r => r.key.startsWith(`digest-${id}-`) && r.to.includes(address));
}

const TEST_CLOCK = ["--test-clock", "2026-03-09T05:00:00Z"];

async function addClientTask(page, title) {
  await goView(page, "Plan");
  await page.getByLabel("New task").fill(title);
  await page.locator("#new-task-assignee").selectOption("client");
  await page.getByRole("button", { name: "Add task" }).click();
  await page.getByRole("checkbox", { name: `Done: ${title}` }).waitFor();
}

test("a digest after a client task is assigned: one email listing everything with links, nothing twice after a restart, nothing to a client who was online", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: [...mailArgs(smtp), ...TEST_CLOCK] }, async relay => {
    relay.defer(smtp.close);
    const { page: p, id } = await providerWithPortal(browser, relay, "Acme Studio");
    const link = await inviteClient(p, "Dana Reyes", "dana@acme.example");
    await waitForStatus(p, "Synced");
    // The client opens their invite, then goes away.
    const client = await openInvite(browser, relay, link);
    await waitForStatus(client.page, "Synced");
    await client.page.close();
    // The relay's first look at the portal: what is there now is not news. A second minute
    // passes, so that what follows comes after the client left.
    await setClock(relay, "2026-03-09T05:01:00Z");
    await setClock(relay, "2026-03-09T05:02:00Z");

    // While the client is away the provider assigns two tasks and asks for a document.
    await addClientTask(p, "Send the logo");
    await addClientTask(p, "Approve the sitemap");
    await goView(p, "Documents");
    await p.getByLabel("Document", { exact: true }).fill("W-9");
    await p.getByLabel("Direction").selectOption("we-need");
    await p.getByRole("button", { name: "Add document" }).click();
    await waitForStatus(p, "Synced");
    const handle = await relay.jsRepo().repo.find(`automerge:${id}`);
    await eventually(() => [Object.keys(handle.doc().tasks ?? {}).length, Object.keys(handle.doc().exchange ?? {}).length],
      ([tasks, docs]) => tasks === 2 && docs === 1, { message: "the tasks and the document at the relay" });

    const digests = async () => (await smtp.messages()).filter(m => /waiting for you/.test(m.subject));
    await setClock(relay, "2026-03-09T05:03:00Z");
    await setClock(relay, "2026-03-09T05:09:00Z");
    assert.equal((await queuedDigests(relay, id, "dana@acme.example")).length, 0, "not before ten quiet minutes");
    await setClock(relay, "2026-03-09T05:14:00Z");
    const [digest] = await eventually(digests, m => m.length === 1, { message: "the digest" });
    assert.deepEqual(digest.to, [{ address: "dana@acme.example", name: "Dana Reyes" }]);
    assert.match(digest.subject, /^3 things waiting for you in your portal with /);
    assert.match(digest.text, /Hello Dana Reyes,/);
    for (const line of ["A task for you: “Send the logo”", "A task for you: “Approve the sitemap”", "Requested from you: “W-9”"]) {
      assert.ok(digest.text.includes(line), `${line} in ${digest.text}`);
    }
    const plan = `${relay.url}/#/portal/${id}/plan`;
    const documents = `${relay.url}/#/portal/${id}/documents`;
    assert.equal(digest.text.split(`Open it: ${plan}\n`).length - 1, 2, "each task links to the plan");
    assert.ok(digest.text.includes(`Open it: ${documents}\n`), "the document links to the documents");
    assert.ok(digest.html.includes(`href="${plan}"`) && digest.html.includes(`href="${documents}"`));
    assertWellFormed(digest, relay);
    assert.equal((await queuedDigests(relay, id, "zoe@harbor.example")).length, 0,
      "the provider had the app open, and the client did nothing");

    // A restart, and more passes: nothing again.
    await relay.restart();
    await setClock(relay, "2026-03-09T06:00:00Z");
    assert.equal((await queuedDigests(relay, id, "dana@acme.example")).length, 1, "not twice");

    // With the app open when the next task comes, the client is not emailed about it.
    const again = await client.context.newPage();
    await again.goto(`${relay.url}/#/portal/${id}/plan`);
    await waitForStatus(again, "Synced");
    await p.reload();
    await addClientTask(p, "Review the copy");
    await waitForStatus(p, "Synced");
    await again.getByRole("checkbox", { name: "Done: Review the copy" }).waitFor();
    await setClock(relay, "2026-03-09T06:01:00Z");
    await setClock(relay, "2026-03-09T06:30:00Z");
    assert.equal((await queuedDigests(relay, id, "dana@acme.example")).length, 1, "seen in the app: no digest");

    // The one-click unsubscribe in the digest works.
    const unsubscribe = header(digest, "list-unsubscribe").replace(/^<|>$/g, "");
    const done = await fetch(unsubscribe, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    assert.equal(done.status, 200);
  });
});

test("the provider gets a digest of what the client did while they were away, and the client is not told of their own acts", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: [...mailArgs(smtp), ...TEST_CLOCK] }, async relay => {
    relay.defer(smtp.close);
    const { page: p, id } = await providerWithPortal(browser, relay, "Acme Studio");
    await addClientTask(p, "Send the logo");
    const link = await inviteClient(p, "Dana Reyes", "dana@acme.example");
    await waitForStatus(p, "Synced");
    // The provider goes away (the relay's first look at the portal, then a minute passes);
    // the client uploads a file and comments on their task.
    await p.close();
    await setClock(relay, "2026-03-09T05:01:00Z");
    await setClock(relay, "2026-03-09T05:02:00Z");
    const c = (await openInvite(browser, relay, link)).page;
    await goView(c, "Files");
    await c.locator("#portal-file-input").setInputFiles({ name: "brief.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 the brief") });
    await goView(c, "Plan");
    const task = c.getByRole("listitem").filter({ has: c.getByRole("checkbox", { name: "Done: Send the logo" }) });
    await task.getByText("Comments (0)").click();
    await task.getByRole("textbox", { name: "Comment on Send the logo" }).fill("Here it is, in vector.");
    await task.getByRole("button", { name: "Post" }).click();
    await waitForStatus(c, "Synced");
    // Read back with the client's token: the provider's own would count as the provider online.
    const handle = await relay.jsRepo(link.split("/join/")[1]).repo.find(`automerge:${id}`);
    await eventually(() => [Object.keys(handle.doc().files ?? {}).length, Object.values(handle.doc().tasks ?? {}).flatMap(t => Object.keys(t.comments ?? {})).length],
      ([files, comments]) => files === 1 && comments === 1, { message: "the file and the comment at the relay" });
    await c.close();

    await setClock(relay, "2026-03-09T05:03:00Z");
    await setClock(relay, "2026-03-09T05:14:00Z");
    const forProvider = async () => (await smtp.messages()).filter(m => m.to[0].address === "zoe@harbor.example");
    const [digest] = await eventually(forProvider, m => m.length === 1, { message: "the provider's digest" });
    assert.match(digest.subject, /: 2 things new from your client$/);
    assert.ok(digest.text.includes("Dana Reyes uploaded “brief.pdf”"), digest.text);
    assert.ok(digest.text.includes("Dana Reyes commented on “Send the logo”: “Here it is, in vector.”"), digest.text);
    assert.ok(digest.text.includes(`${relay.url}/#/portal/${id}/files`));
    assert.ok(digest.text.includes(`${relay.url}/#/portal/${id}/plan`));
    assertWellFormed(digest, relay);
    assert.deepEqual(await queuedDigests(relay, id, "dana@acme.example"), [], "the client is not told of their own comment");
  });
});
