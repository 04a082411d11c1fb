// The portal's permission table in the browser (issue 15): the client view offers no control for
// what the rules refuse a client, and the activity feed, check-ins and signatures name people as
// the relay verified them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  eventually, goView, inviteClient, launchBrowser, openInvite, providerWithPortal, signDocument, waitForStatus, withRelay,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** The `value`s of a select's options, in order. */
const options = select => select.locator("option").evaluateAll(list => list.map(o => o.value));

/** A document's row in the Documents list, found by its name. */
const documentRow = (page, name) =>
  page.getByRole("list", { name: "Documents" }).getByRole("listitem").filter({ has: page.getByText(name, { exact: true }) });

test("the_client_view_offers_no_control_the_rules_refuse_a_client", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Northwind Traders", { template: "Service engagement" });
  const p = provider.page;
  // A task for the provider's own side, and a file the provider shares.
  await goView(p, "Plan");
  await p.getByLabel("New task").fill("Book the kick-off");
  await p.locator("#new-task-assignee").selectOption("provider");
  await p.getByRole("button", { name: "Add task" }).click();
  await p.getByRole("checkbox", { name: "Done: Book the kick-off" }).waitFor();
  await goView(p, "Files");
  await p.locator("#portal-file-input").setInputFiles({ name: "brand-kit.txt", mimeType: "text/plain", buffer: Buffer.from("brand") });
  await p.getByRole("list", { name: "Files in this portal" }).getByText("brand-kit.txt").waitFor();
  const link = await inviteClient(p);
  await waitForStatus(p, "Synced");

  const c = (await openInvite(browser, relay, link)).page;
  await goView(c, "Documents");
  await documentRow(c, "Deposit invoice").waitFor();

  // An invoice's status is the provider's: shown as text, with no menu.
  assert.equal(await c.getByRole("combobox", { name: "Status of Deposit invoice" }).count(), 0, "no invoice status menu");
  await documentRow(c, "Deposit invoice").getByText("Requested", { exact: true }).waitFor();
  // A document the provider sends is the client's to sign, nothing else; one asked of the
  // client is theirs to send or sign.
  // Signing is the typed-name form's, which records who signed what: no "signed" in a menu.
  assert.equal(await c.getByRole("combobox", { name: "Status of NDA" }).count(), 0, "the NDA is signed, not set");
  await documentRow(c, "NDA").getByRole("button", { name: "Sign", exact: true }).waitFor();
  assert.deepEqual(await options(c.getByRole("combobox", { name: "Status of W-9" })), ["requested", "sent"]);
  // The documents' details, and files on a document the provider keeps, are not the client's.
  assert.equal(await c.getByRole("list", { name: "Documents" }).getByText("Details", { exact: true }).count(), 0, "no details form");
  assert.equal(await c.getByLabel("Attach a file to Deposit invoice").count(), 0, "no attaching to an invoice");
  assert.equal(await c.getByLabel("Attach a file to W-9").count(), 1, "attaching what is asked of them");

  // The welcome is read, not edited.
  await goView(c, "Overview");
  assert.equal(await c.getByLabel("Welcome message").count(), 0, "no welcome editor");
  await c.getByTestId("welcome-text").waitFor();

  // The timeline is shown, not marked.
  await goView(c, "Plan");
  // The timeline is read, not marked: no checkbox (not even a disabled one), and its state in words.
  await c.getByRole("list", { name: "Milestones" }).getByText("Kick-off meeting (not reached)").waitFor();
  assert.equal(await c.getByRole("checkbox", { name: "Reached: Kick-off meeting" }).count(), 0, "no marking a milestone");

  // Tasks: none for "Our team", and the provider's task is read-only to them.
  assert.equal(await c.locator("#new-task-assignee").count(), 0, "no menu of one option: the client's tasks are theirs");
  // The provider's task: its state is a mark, with no checkbox (not even a disabled one).
  assert.equal(await c.getByRole("checkbox", { name: "Done: Book the kick-off" }).count(), 0, "no ticking the provider's task");
  await c.getByRole("list", { name: "Tasks" }).getByRole("listitem").filter({ hasText: "Book the kick-off" }).getByRole("img", { name: "Not done" }).waitFor();
  assert.equal(await c.getByRole("combobox", { name: "Status of Book the kick-off" }).count(), 0);
  assert.equal(await c.getByRole("combobox", { name: "Assignee for Book the kick-off" }).count(), 0);
  assert.equal(await c.getByLabel("Due date for Book the kick-off").count(), 0);
  const theirs = c.getByRole("list", { name: "Tasks" }).getByRole("listitem").filter({ hasText: "Book the kick-off" });
  assert.equal(await theirs.getByRole("textbox").count(), 0, "the provider's task title is text, not a field");
  assert.equal(await theirs.locator(".task-title").innerText(), "Book the kick-off");
  // A task they add themselves is theirs to edit and tick off.
  await c.getByLabel("New task").fill("Send the logo");
  await c.getByRole("button", { name: "Add task" }).click();
  const own = c.getByRole("checkbox", { name: "Done: Send the logo" });
  await own.waitFor();
  assert.ok(await own.isEnabled());
  await c.getByRole("combobox", { name: "Assignee for Send the logo" }).waitFor();
  await c.getByRole("combobox", { name: "Status of Send the logo" }).waitFor();
  const mine = c.getByRole("listitem").filter({ has: own });
  assert.equal(await mine.getByRole("textbox", { name: "Task title" }).inputValue(), "Send the logo", "their own task's title is editable");

  // Files: the provider's is theirs to open, not to remove.
  await goView(c, "Files");
  const files = c.getByRole("list", { name: "Files in this portal" });
  await files.getByText("brand-kit.txt").waitFor();
  assert.equal(await files.getByRole("button", { name: "Remove file brand-kit.txt" }).count(), 0, "no removing the provider's file");

  // What the client may do still goes through, and reaches the provider.
  await signDocument(c, "NDA", "Dana Reyes");
  await goView(c, "Plan");
  await own.check();
  await goView(p, "Documents");
  await eventually(() => p.getByLabel("Status of NDA").inputValue(), v => v === "signed", { message: "provider sees the signature" });
  await goView(p, "Plan");
  await eventually(() => p.getByRole("checkbox", { name: "Done: Send the logo" }).isChecked(), v => v, { message: "provider sees the client's task done" });
  assert.equal(await c.getByRole("alert").filter({ hasText: "refused" }).count(), 0, "nothing was refused");
  assert.deepEqual([...p.errors, ...c.errors], []);
}));

test("the_activity_feed_check_ins_and_signatures_name_the_person_the_relay_verified", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Verified Ltd", { template: "Service engagement" });
  const p = provider.page;
  const link = await inviteClient(p, "Dana Reyes", "dana@verified.example");
  await waitForStatus(p, "Synced");
  // The provider's portal page stays open while the client writes for the first time: the
  // client's actor is bound after the page last asked the relay, so the page must ask again.
  const c = (await openInvite(browser, relay, link)).page;
  await goView(c, "Check-ins");
  await c.getByLabel("New check-in").fill("Logo files are on their way.");
  await c.getByRole("button", { name: "Post check-in" }).click();
  // Typed as a nickname: the record names the person the relay verified beside it.
  await signDocument(c, "NDA", "Dee");
  await waitForStatus(c, "Synced");

  // The relay binds each actor to the token that first used it and serves the binding.
  const authors = await fetch(`${relay.url}/api/portals/${provider.id}/authors`, {
    headers: { authorization: `Bearer ${relay.owner}` },
  }).then(r => r.json());
  assert.ok(authors.some(a => a.name === "Dana Reyes" && a.role === "client"), "the client's actor is bound");

  await goView(p, "Check-ins");
  const checkins = p.getByRole("list", { name: "Check-ins" });
  await checkins.getByText("Logo files are on their way.").waitFor();
  await eventually(() => checkins.getByText("Dana Reyes", { exact: true }).count(), n => n === 1,
    { message: "the check-in's author, verified, without reopening the page" });
  // Who signed is the writer the relay verified, not a name in the document.
  await goView(p, "Documents");
  await eventually(() => documentRow(p, "NDA").getByText(/^Signed by Dana Reyes \(typed “Dee”\)/).count(), n => n === 1,
    { message: "the NDA names its verified signer" });
  await documentRow(c, "NDA").getByText(/^Signed by Dana Reyes \(typed “Dee”\)/).waitFor();

  await goView(p, "Check-ins");
  await p.getByText("Activity", { exact: true }).click();
  const feed = p.getByRole("list", { name: "Recent activity" });
  await eventually(() => feed.getByText("Dana Reyes", { exact: true }).count(), n => n > 0, { message: "the verified client in the feed" });
  assert.equal(await feed.getByText("(unverified)").count(), 0, "every author bound by the relay");
  assert.equal(await p.getByText("(unverified)").count(), 0, "no unverified name anywhere on the page");
  assert.deepEqual([...p.errors, ...c.errors], []);
}));

test("a_change_made_offline_that_the_rules_refuse_is_refused_on_reconnect_and_the_device_resets", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Offline Co");
  const p = provider.page;
  await goView(p, "Plan");
  await p.getByLabel("New task").fill("Send the logo");
  await p.locator("#new-task-assignee").selectOption("client");
  await p.getByRole("button", { name: "Add task" }).click();
  await p.getByRole("checkbox", { name: "Done: Send the logo" }).waitFor();
  const link = await inviteClient(p);
  await waitForStatus(p, "Synced");
  const client = await openInvite(browser, relay, link);
  const c = client.page;
  await waitForStatus(c, "Synced");

  // Offline, the client ticks the task, which is theirs as far as this device knows; meanwhile
  // the provider takes the task back for their own side.
  await goView(c, "Plan");
  await client.context.setOffline(true);
  await c.getByRole("checkbox", { name: "Done: Send the logo" }).check();
  await goView(p, "Plan");
  await p.getByRole("combobox", { name: "Assignee for Send the logo" }).selectOption("provider");
  await waitForStatus(p, "Synced");

  // Back online, the relay judges the change against the portal as it now is, refuses it whole,
  // and the device says so and offers the way back.
  await client.context.setOffline(false);
  const alert = c.getByRole("alert").filter({ hasText: "clients cannot change the status of the provider's tasks" });
  await alert.waitFor({ timeout: 20_000 });
  await alert.getByRole("button", { name: "Discard this device's unsent changes and reload" }).click();

  // After the reset the device holds the relay's portal: the task is the provider's, not done.
  const done = c.getByRole("checkbox", { name: "Done: Send the logo" });
  const mark = c.getByRole("list", { name: "Tasks" }).getByRole("listitem").filter({ hasText: "Send the logo" }).getByRole("img", { name: "Not done" });
  await eventually(async () => (await done.count()) === 0 && (await mark.count()) === 1, v => v, { message: "the client's copy is the relay's again" });
  await waitForStatus(c, "Synced");
  assert.equal(await c.getByRole("alert").filter({ hasText: "refused" }).count(), 0, "nothing refused after the reset");
  // Nothing of the refused change reached the provider.
  assert.equal(await p.getByRole("checkbox", { name: "Done: Send the logo" }).isChecked(), false);
}));

test("a_signature_is_recorded_with_the_verified_signer_and_the_file_version_and_the_provider_sees_it", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Signed Ltd", { template: "Service engagement" });
  const p = provider.page;
  // The NDA we send, with its file: the signature covers this version.
  const pdf = Buffer.from("%PDF-1.4 the NDA, version one");
  await goView(p, "Documents");
  await p.getByLabel("Attach a file to NDA").setInputFiles({ name: "NDA.pdf", mimeType: "application/pdf", buffer: pdf });
  await documentRow(p, "NDA").getByText("NDA.pdf").waitFor();
  const link = await inviteClient(p, "Dana Reyes", "dana@signed.example");
  await waitForStatus(p, "Synced");
  const c = (await openInvite(browser, relay, link)).page;
  await goView(p, "Documents");
  await goView(c, "Documents");

  // Signing needs a typed name and consent; each refusal says what to do, next to the form.
  await documentRow(c, "NDA").getByRole("button", { name: "Sign", exact: true }).click();
  const form = c.getByRole("form", { name: "Sign NDA" });
  await form.getByRole("button", { name: "Sign document" }).click();
  await form.getByRole("alert").getByText("Write your full name.").waitFor();
  const focused = () => c.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.labels?.[0]?.textContent?.trim());
  await eventually(focused, v => v === "Your full name", { message: "a refusal puts focus on the field to fix" });
  await form.getByLabel("Your full name").fill("Dana Reyes");
  await form.getByRole("button", { name: "Sign document" }).click();
  await form.getByRole("alert").getByText("Tick “I agree this is my signature” to sign.").waitFor();
  await form.getByLabel("I agree this is my signature").check();
  await form.getByRole("button", { name: "Sign document" }).click();
  // The form closes: focus goes to the signature just recorded, not to the next document.
  await eventually(focused, v => v === "Signatures on NDA", { message: "focus on the new signature" });
  await waitForStatus(c, "Synced");

  const sha = createHash("sha256").update(pdf).digest("hex");
  const record = new RegExp(`^Signed by Dana Reyes \\(typed “Dana Reyes”\\) on \\d{1,2} [A-Z][a-z]{2}( \\d{4})? · NDA\\.pdf, version ${sha.slice(0, 8)}$`);
  const signatures = page => page.getByRole("list", { name: "Signatures on NDA" }).getByRole("listitem");
  await eventually(() => signatures(c).allInnerTexts(), t => t.length === 1 && record.test(t[0]), { message: "the client sees their signature" });
  // The provider sees the same record, the signer named by the relay, and the status follows.
  await eventually(() => signatures(p).allInnerTexts(), t => t.length === 1 && record.test(t[0]), { message: "the provider sees the signature" });
  await documentRow(p, "NDA").getByText("Signed", { exact: true }).or(documentRow(p, "NDA").getByRole("combobox", { name: "Status of NDA" })).first().waitFor();
  assert.equal(await documentRow(p, "NDA").getByRole("combobox", { name: "Status of NDA" }).inputValue(), "signed");
  // Signed once: no second "Sign" for the same person.
  assert.equal(await documentRow(c, "NDA").getByRole("button", { name: "Sign", exact: true }).count(), 0);

  assert.deepEqual([...p.errors, ...c.errors], []);
}));
