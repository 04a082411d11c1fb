// Offboarding end to end: a provider and a client, each in their own browser, through a whole
// goodbye (active → alumni) and through a cancellation, with every export parsed back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ICAL from "ical.js";
import PostalMime from "postal-mime";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import * as Automerge from "@automerge/automerge";
import {
  createPortal, eventually, goView, inviteClient, launchBrowser, newDevice, openInvite, waitForStatus, withRelay,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Console errors other than refused edits in the archive, which the app reports on purpose. */
const unexpected = errors => errors.filter(e => !/read-only|archive/i.test(e));

async function downloaded(page, click) {
  const download = page.waitForEvent("download");
  await click();
  const file = await download;
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

/** A portal with a client contact invited from the People section; returns the client's page. */
async function portalWithInvitedClient(relay, p, clientName) {
  const id = await createPortal(p, relay.url, clientName, { template: "Service engagement" });
  const people = p.getByRole("region", { name: "People with access" });
  const link = await inviteClient(p, "Dana Reyes", "dana@northwind.example");
  const client = await openInvite(browser, relay, link);
  return { id, client, people };
}

async function addContact(p, name, email, side) {
  await goView(p, "Overview");
  if (!(await p.locator("#contact-name").isVisible())) await p.getByText("Add a contact", { exact: true }).click();
  await p.locator("#contact-name").fill(name);
  await p.locator("#contact-email").fill(email);
  await p.locator("#contact-side").selectOption(side);
  await p.getByRole("button", { name: "Add contact" }).click();
  await p.getByRole("button", { name: `Remove contact ${name}` }).waitFor();
}

test("provider_takes_a_client_from_active_to_alumni_while_the_client_does_their_part", () => withRelay(async relay => {
  const provider = await newDevice(browser, relay);
  const p = provider.page;

  // A partner in the workspace's directory, to refer the client to later.
  await p.goto(relay.url + "/");
  await p.locator("#partner-name").fill("Ledger & Co");
  await p.locator("#partner-service").fill("Bookkeeping");
  await p.locator("#partner-url").fill("https://ledger.example");
  await p.getByRole("button", { name: "Add partner" }).click();
  await p.getByRole("button", { name: "Remove partner Ledger & Co" }).waitFor();

  const { client, people } = await portalWithInvitedClient(relay, p, "Northwind Traders");
  const c = client.page;
  await addContact(p, "Dana Reyes", "dana@northwind.example", "client");
  await addContact(p, "Sam Lee", "sam@studio.example", "provider");

  // At intake: a success measure with its baseline.
  await goView(p, "Intake");
  await p.locator("#metric-name").fill("Weekly orders");
  await p.locator("#metric-unit").fill("orders");
  await p.locator("#metric-baseline").fill("12");
  await p.getByRole("button", { name: "Add measure" }).click();
  await p.getByRole("img", { name: "Weekly orders: 12 orders at the start" }).waitFor();

  // The engagement runs, then offboarding starts from the playbook.
  await p.getByLabel("Stage").selectOption("active");
  await goView(p, "Offboarding");
  await p.locator("#offboarding-playbook").selectOption({ label: "Service engagement" });
  await p.getByRole("button", { name: "Start offboarding" }).click();
  const checklist = p.getByRole("list", { name: "Offboarding checklist" });
  await checklist.waitFor();
  assert.equal(await p.getByLabel("Stage").inputValue(), "offboarding");
  await p.locator("#offboarding-lead").fill("Sam Lee");
  await p.locator("#offboarding-lead").blur();
  await p.locator("#review-link").fill("https://reviews.example/studio");
  await p.locator("#review-link").blur();
  await p.locator("#support-offer").fill("Support at €200 a month, cancel any time.");
  await p.locator("#support-offer").blur();

  // The plan: handover notes, the exit value, access to remove, a referral.
  await p.getByLabel("How to use it: Final report").fill("Read the summary first; the appendix has the raw numbers.");
  await p.getByLabel("How to use it: Final report").blur();
  await p.getByLabel("Exit value of Weekly orders").fill("50");
  await p.getByLabel("Exit value of Weekly orders").blur();
  await p.getByRole("img", { name: "Weekly orders: from 12 to 50 orders" }).waitFor();
  await p.locator("#access-tool").fill("Admin seat in our Figma team");
  await p.getByRole("button", { name: "Add access" }).click();
  await p.getByRole("checkbox", { name: "Confirmed by provider: Admin seat in our Figma team" }).check();
  await p.locator("#refer-partner").selectOption({ label: "Ledger & Co — Bookkeeping" });
  await p.locator("#refer-note").fill("They know e-commerce");
  await p.getByRole("button", { name: "Refer", exact: true }).click();
  await waitForStatus(p, "Synced");

  // The client does their part in their own browser.
  await goView(c, "Offboarding");
  await c.getByRole("heading", { name: "Deliverables review" }).waitFor();
  assert.equal(await c.getByRole("button", { name: "Start offboarding" }).count(), 0);
  await c.getByRole("checkbox", { name: "Received: Final report" }).check();
  await c.getByRole("checkbox", { name: "Received: Handover session" }).check();
  // The client reads the confirmations from their side: theirs is "you".
  // Each side confirms only its own: the provider's confirmation is a mark, not a disabled box.
  assert.equal(await c.getByRole("checkbox", { name: "Confirmed by your provider: Admin seat in our Figma team" }).count(), 0, "each side confirms only its own");
  await c.getByRole("img", { name: "Confirmed by your provider: Admin seat in our Figma team: yes" }).waitFor();
  await c.getByRole("checkbox", { name: "Confirmed by you: Admin seat in our Figma team" }).check();
  for (const tool of ["Shared drive folders", "Our accounts on the client's tools"]) {
    await c.getByRole("checkbox", { name: `Confirmed by you: ${tool}` }).check();
  }
  await c.getByLabel("What did we do well?").fill("Fast, friendly and clear.");
  await c.getByLabel("What did we do well?").blur();
  await c.getByRole("button", { name: "Send feedback" }).click();
  await c.getByText("Choose how likely you are to recommend us, from 0 to 10.").waitFor();
  await c.getByRole("radio", { name: "9", exact: true }).check();
  await c.getByRole("checkbox", { name: "The work is complete" }).check();
  await c.getByRole("checkbox", { name: "You may quote me as a testimonial" }).check();
  await c.locator("#testimonial-text").fill("They got us live in six weeks.");
  await c.locator("#testimonial-text").blur();
  await c.getByRole("button", { name: "Send feedback" }).click();
  await c.getByText("Thank you: your feedback has been sent.").waitFor();
  await c.getByRole("button", { name: "I'm interested" }).click();

  // The provider sees it all arrive.
  await eventually(() => p.getByTestId("deliverables-progress").innerText(), t => t === "2 of 2 acknowledged", { message: "acknowledgements arrive" });
  await p.getByText("Sent by Dana Reyes on", { exact: false }).waitFor();
  await p.getByText("The client is interested", { exact: false }).waitFor();
  await eventually(() => p.getByRole("img", { name: "Confirmed by client: Admin seat in our Figma team: yes" }).count(), n => n === 1, { message: "client's confirmation arrives" });

  // The goodbye waits for the deposit invoice, and says so.
  const finish = p.getByRole("button", { name: "Mark as sent and complete offboarding" });
  assert.ok(await finish.isDisabled());
  assert.match(await p.locator("#goodbye-gate").innerText(), /The goodbye waits until every invoice is paid: “Deposit invoice” \(requested\) is not paid yet\./);
  // The invoice is marked paid where documents are kept.
  await goView(p, "Documents");
  await p.getByLabel("Status of Deposit invoice").selectOption("paid");
  await goView(p, "Offboarding");
  await eventually(() => finish.isEnabled(), v => v, { message: "the gate opens once paid" });

  // The email, composed from the portal: mailto and a valid .eml.
  // The editable text follows the portal until the provider edits it.
  const parts = ["Hi Dana,", "- Final report\n  How to use it: Read the summary first", "- Weekly orders: 12 → 50 orders (+317%)", "- Sam Lee, sam@studio.example", "we recommend Ledger & Co", "A short review helps too: https://reviews.example/studio"];
  await eventually(() => p.getByLabel("Goodbye email text").inputValue(), body => parts.every(part => body.includes(part)),
    { message: `the email has ${JSON.stringify(parts)}` });
  const mailto = await p.getByRole("link", { name: "Open in your mail app" }).getAttribute("href");
  assert.match(mailto, /^mailto:dana%40northwind\.example\?subject=Thank%20you%2C%20Northwind%20Traders/);
  const eml = await downloaded(p, () => p.getByRole("button", { name: "Download .eml" }).click());
  assert.equal(eml.name, "goodbye-Northwind-Traders.eml");
  const message = await PostalMime.parse(eml.bytes);
  assert.equal(message.subject, "Thank you, Northwind Traders: wrapping up our work together");
  assert.equal(message.to[0].address, "dana@northwind.example");
  assert.equal(message.from.address, "sam@studio.example");
  assert.ok(message.text.includes("Support at €200 a month"), "UTF-8 survives the transfer encoding");
  assert.equal(message.headers.find(h => h.key === "x-unsent")?.value, "1");

  await finish.click();
  await p.getByText("Offboarding is complete", { exact: false }).waitFor();
  assert.equal(await p.getByLabel("Stage").inputValue(), "alumni");
  // The client's access is read-only on the relay at once, before anyone opens People.
  const clientTokens = async () => (await (await fetch(`${relay.url}/api/tokens`, { headers: { authorization: `Bearer ${relay.owner}` } })).json())
    .filter(t => t.role === "client" && !t.revokedAt);
  await eventually(clientTokens, ts => ts.length > 0 && ts.every(t => t.readOnly), { message: "the client's token is read-only once offboarding completes" });
  await goView(p, "People");
  await people.getByText("Read-only", { exact: true }).waitFor();
  await goView(p, "Offboarding");
  await p.getByRole("list", { name: "Follow-ups" }).waitFor();
  assert.equal(await p.getByRole("list", { name: "Follow-ups" }).getByRole("listitem").count(), 3);

  // The client keeps a read-only archive and takes everything with them.
  await c.getByText("This engagement has ended. The portal stays here as your read-only archive.").waitFor();
  await goView(c, "Overview");
  await c.getByRole("heading", { name: "Thank you" }).waitFor();
  await c.getByText("Know someone who could use our help?").waitFor();
  await goView(c, "Offboarding");
  // The archive reads as a page: what was received is a mark beside it, not a disabled checkbox.
  await c.getByRole("listitem").filter({ hasText: "Final report" }).getByRole("img", { name: "Received" }).waitFor();
  assert.equal(await c.getByRole("checkbox", { name: "Received: Final report" }).count(), 0);
  const json = await downloaded(c, () => c.getByRole("button", { name: "Download as JSON" }).click());
  assert.equal(json.name, "Northwind-Traders.json");
  const exported = JSON.parse(json.bytes.toString("utf8"));
  const schema = JSON.parse(readFileSync(new URL("../../model/schema/portal-export.schema.json", import.meta.url), "utf8"));
  const validate = addFormats(new Ajv({ allErrors: true })).compile(schema);
  assert.ok(validate(exported), `the export matches its JSON Schema: ${JSON.stringify(validate.errors)}`);
  assert.equal(exported.format, "threshold-portal-export");
  assert.equal(exported.version, 1);
  assert.equal(exported.document.kind, "portal");
  assert.equal(exported.document.clientName, "Northwind Traders");
  assert.equal(exported.document.stage, "alumni");
  assert.equal(exported.document.feedback.score, 9);
  assert.equal(Object.values(exported.document.deliverables).length, 2);
  const binary = await downloaded(c, () => c.getByRole("button", { name: "Download as Automerge (.automerge)" }).click());
  const doc = Automerge.load(new Uint8Array(binary.bytes));
  // Plain (non-collaborative) strings load as Automerge's immutable strings.
  assert.equal(doc.clientName.toString(), "Northwind Traders");
  assert.equal(doc.stage.toString(), "alumni");
  assert.equal(Object.keys(doc.followUps).length, 3);
  const ics = await downloaded(c, () => c.getByRole("button", { name: "Follow-ups calendar (.ics)" }).click());
  const events = new ICAL.Component(ICAL.parse(ics.bytes.toString("utf8"))).getAllSubcomponents("vevent").map(e => new ICAL.Event(e));
  assert.deepEqual(events.map(e => e.summary), ["3-month follow-up — Northwind Traders", "6-month follow-up — Northwind Traders", "12-month follow-up — Northwind Traders"]);
  assert.ok(events[0].startDate.isDate, "follow-ups are all-day events");

  // The printable report: alone on paper, with the deliverables and the chart.
  await c.evaluate(() => document.body.classList.add("printing-report"));
  await c.emulateMedia({ media: "print" });
  assert.equal(await c.locator(".print-report h1").innerText(), "Offboarding report — Northwind Traders");
  assert.ok(await c.locator(".print-report").getByText("How to use it:").first().isVisible());
  assert.ok(!(await c.getByRole("button", { name: "Download as JSON" }).isVisible()), "controls do not print");
  const pdf = await c.pdf();
  assert.equal(pdf.subarray(0, 4).toString(), "%PDF");
  await c.emulateMedia({ media: "screen" });

  // The workspace counts the goodbye.
  await p.goto(relay.url + "/#/");
  await eventually(() => p.getByTestId("nps").innerText(), t => t === "+100", { message: "NPS from one promoter" });
  await p.getByRole("list", { name: "Reasons for leaving" }).getByText("The work is complete").waitFor();
  assert.match(await p.getByRole("row", { name: /Northwind Traders/ }).innerText(), /3-month follow-up/);

  assert.deepEqual(unexpected(p.errors), []);
  assert.deepEqual(unexpected(c.errors), []);
}));

test("client_cancels_early_with_a_reason_after_declining_the_save_offer", () => withRelay(async relay => {
  const provider = await newDevice(browser, relay);
  const p = provider.page;
  const { client, people } = await portalWithInvitedClient(relay, p, "Acme Studio");
  const c = client.page;
  await goView(p, "Offboarding");
  await p.locator("#save-offer-text").fill("Pause for up to three months at no cost.");
  await p.getByRole("button", { name: "Save offer" }).click();
  await p.getByText("Saved. A client who starts to cancel sees this offer.").waitFor();
  await waitForStatus(p, "Synced");

  // Easy to find, without being the first thing a client sees: at the end of their overview.
  await goView(c, "Overview");
  await c.getByRole("region", { name: "Leaving early?" }).getByRole("button", { name: "Cancel the engagement" }).click();
  await c.getByRole("button", { name: "Continue" }).click();
  await c.getByText("Choose a reason for cancelling.").waitFor();
  await c.getByRole("radio", { name: "Budget" }).check();
  await c.locator("#cancel-detail").fill("Our budget was cut for next year.");
  await c.getByRole("button", { name: "Continue" }).click();
  await c.getByText("Pause for up to three months at no cost.").waitFor();
  await c.getByRole("button", { name: "No thanks, continue cancelling" }).click();
  await c.getByRole("radio", { name: "6", exact: true }).check();
  await c.getByRole("button", { name: "Confirm cancellation" }).click();
  await c.getByText("This engagement has ended. The portal stays here as your read-only archive.").waitFor();
  assert.equal(await c.getByRole("button", { name: "Cancel the engagement" }).count(), 0);
  await goView(c, "Files");
  assert.ok(await c.getByRole("button", { name: "Download as JSON" }).isEnabled(), "exports stay available");

  // The provider sees why, and the client's access turns read-only at the relay.
  await p.getByText(/Cancelled by Dana Reyes on .*: Budget — “Our budget was cut for next year\.”/).waitFor();
  assert.equal(await p.getByLabel("Stage").inputValue(), "cancelled");
  await goView(p, "People");
  await people.getByText("Read-only", { exact: true }).waitFor();

  await p.goto(relay.url + "/#/");
  await p.getByRole("list", { name: "Reasons for leaving" }).getByText("Budget").waitFor();
  await eventually(() => p.getByTestId("nps").innerText(), t => t === "-100", { message: "one detractor" });

  assert.deepEqual(unexpected(p.errors), []);
  assert.deepEqual(unexpected(c.errors), []);
}));

test("the_goodbye_is_addressed_to_the_invited_contact_by_name_signed_by_a_person_editable_and_pays_the_invoice", () => withRelay(async relay => {
  const provider = await newDevice(browser, relay);
  const p = provider.page;
  await createPortal(p, relay.url, "Harbour Co", { template: "Service engagement" });
  // The client contact is invited with an email, and is not listed under Contacts.
  await inviteClient(p, "Robin Park", "robin@harbour.example");
  await addContact(p, "Sam Lee", "sam@studio.example", "provider");
  await p.getByLabel("Stage").selectOption("active");
  await goView(p, "Offboarding");
  await p.locator("#offboarding-playbook").selectOption({ label: "Service engagement" });
  await p.getByRole("button", { name: "Start offboarding" }).click();
  const goodbye = p.getByRole("region", { name: "Goodbye email" });
  await goodbye.waitFor();

  await eventually(() => goodbye.getByTestId("goodbye-to").innerText(), t => t === "Robin Park <robin@harbour.example>",
    { message: "the goodbye is addressed to the invited contact" });
  const text = goodbye.getByLabel("Goodbye email text");
  await eventually(() => text.inputValue(), t => t.startsWith("Hi Robin,\n") && t.trimEnd().endsWith("Sam Lee"),
    { message: "greets them by name and is signed by a person" });
  const mailto = () => goodbye.getByRole("link", { name: "Open in your mail app" }).getAttribute("href");
  assert.match(await mailto(), /^mailto:robin%40harbour\.example\?/);

  // Editable before it is sent; the mail app gets the edited words.
  await goodbye.getByLabel("Subject").fill("Thank you, Robin");
  await text.fill("Hi Robin,\n\nIt was a pleasure.\n\nSam Lee\n");
  await eventually(mailto, h => h.includes("subject=Thank%20you%2C%20Robin") && h.includes("It%20was%20a%20pleasure."), { message: "the edited email" });
  await goodbye.getByRole("button", { name: "Start again from the portal" }).click();
  await eventually(() => text.inputValue(), t => t.includes("Thank you for working with us."), { message: "the composed text back" });

  // The invoice the goodbye waits for is paid from here.
  const finish = goodbye.getByRole("button", { name: "Mark as sent and complete offboarding" });
  assert.ok(await finish.isDisabled());
  await goodbye.getByRole("button", { name: "Mark Deposit invoice paid" }).click();
  await eventually(() => finish.isEnabled(), v => v, { message: "the gate opens once paid from the goodbye" });
  assert.deepEqual(unexpected(p.errors), []);
}));
