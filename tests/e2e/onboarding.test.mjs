// A whole onboarding with the provider and the client each in their own browser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ICAL from "ical.js";
import { createPortal, eventually, goView, launchBrowser, newDevice, signDocument, viewAs, waitForStatus, withRelay } from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const question = (page, label) => page.getByRole("textbox", { name: label });

test("client_completes_onboarding_while_the_provider_watches_progress_live", () => withRelay(async relay => {
  const p = (await newDevice(browser, relay)).page;
  const c = (await newDevice(browser, relay)).page;

  // The provider starts the portal from the service-engagement playbook.
  const id = await createPortal(p, relay.url, "Northwind Traders", { template: "Service engagement" });
  await goView(p, "Intake");
  assert.equal(await p.getByTestId("intake-progress").innerText(), "0 of 9 answered");
  await goView(p, "Overview");
  const clientWaits = p.getByRole("list", { name: "Waiting on the client" });
  await clientWaits.getByText("Answer “Billing email”").waitFor();
  // Each item leads to where it is done.
  await clientWaits.getByRole("link", { name: "Answer “Billing email”" }).click();
  await p.getByRole("heading", { name: "Intake form" }).waitFor();
  assert.match(p.url(), /\/intake$/);
  await goView(p, "Overview");

  // The provider schedules the kick-off and exports it to a calendar.
  await goView(p, "Plan");
  await p.getByText("Schedule a meeting").click();
  await p.getByLabel("Meeting title").fill("Kick-off call");
  await p.getByLabel("Meeting date").fill("2026-12-01");
  await p.getByLabel(/^Time \(/).fill("15:30");
  await p.getByLabel("Location or video link").fill("https://meet.example/northwind");
  await p.getByLabel("Agenda", { exact: true }).fill("Introductions; goals, timeline");
  await p.getByRole("button", { name: "Schedule meeting" }).click();
  const download = p.waitForEvent("download");
  await p.getByRole("button", { name: "Add Kick-off call to calendar" }).click();
  const file = await (await download).path();
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  const event = new ICAL.Event(calendar.getFirstSubcomponent("vevent"));
  assert.equal(event.summary, "Kick-off call — Northwind Traders");
  assert.equal(event.description, "Introductions; goals, timeline");
  assert.equal(event.location, "https://meet.example/northwind");
  assert.equal(event.duration.toSeconds(), 45 * 60);
  await waitForStatus(p, "Synced");

  // The client opens the link in their own browser and works in the client view.
  await c.goto(`${relay.url}/#/portal/${id}`);
  await c.getByRole("navigation", { name: "Portal" }).waitFor();
  await viewAs(c, "Client");
  await c.getByRole("list", { name: "Waiting on the client" }).waitFor();
  assert.equal(await c.getByRole("heading", { name: "Waiting on you", exact: true }).count(), 1);
  await goView(c, "Plan");
  await c.getByRole("heading", { name: "Task plan" }).waitFor();
  assert.equal(await c.getByRole("button", { name: /^Delete task/ }).count(), 0, "clients do not delete tasks");
  await goView(c, "Intake");
  await c.getByRole("heading", { name: "Intake form" }).waitFor();
  assert.equal(await c.getByText("Add a question").count(), 0, "clients do not edit the form");

  await question(c, "Company legal name (required)").fill("Northwind Traders LLC");
  await question(c, "Company legal name (required)").blur();
  await question(c, "Billing email (required)").fill("accounts@northwind");
  await question(c, "Billing email (required)").blur();
  await c.getByText("Enter an email address for Billing email, like name@example.com.").waitFor();
  await question(c, "Billing email (required)").fill("accounts@northwind.example");
  await question(c, "Billing email (required)").blur();
  await c.getByLabel("Primary goal (required)").selectOption("Launch something new");
  await c.getByLabel("Preferred kick-off date (required)").fill("2026-12-01");
  await c.getByLabel("Preferred kick-off date (required)").blur();
  await question(c, "What does success look like in three months? (required)").fill("A launched store and 50 orders a week.");
  await question(c, "What does success look like in three months? (required)").blur();
  await c.getByRole("group", { name: /Channels you use today/ }).getByLabel("Email").check();

  // The provider sees the answers arrive, with who gave them.
  await goView(p, "Intake");
  await eventually(() => p.getByTestId("intake-progress").innerText(), t => t === "6 of 9 answered", { message: "provider sees intake progress" });
  // The device previewing the client view signed in with the owner's token: the relay-verified
  // author is the owner, with the name the device wrote beside it.
  await p.getByText("Answered by Owner (as “Client contact”)").first().waitFor();
  await goView(p, "Overview");
  await eventually(() => clientWaits.getByText(/^Answer/).count(), n => n === 0, { message: "no required answers outstanding" });

  // The client signs the NDA and ticks off their task; the provider sees both.
  await signDocument(c, "NDA", "Dana Reyes");
  await goView(c, "Plan");
  await c.getByRole("checkbox", { name: "Done: Sign the NDA" }).check();
  await goView(p, "Documents");
  await eventually(() => p.getByLabel("Status of NDA").inputValue(), v => v === "signed", { message: "provider sees the signature" });
  await goView(p, "Plan");
  await eventually(() => p.getByRole("checkbox", { name: "Done: Sign the NDA" }).isChecked(), v => v, { message: "provider sees the task done" });
  await goView(p, "Overview");
  await eventually(() => clientWaits.getByText("NDA", { exact: true }).count(), n => n === 0, { message: "NDA no longer outstanding" });

  // A document's link, set by the provider, reaches the client.
  await goView(p, "Documents");
  const w9 = p.getByRole("listitem").filter({ has: p.getByRole("combobox", { name: "Status of W-9" }) });
  await w9.getByText("Details", { exact: true }).click();
  await w9.getByLabel("Link").fill("https://forms.example/w9.pdf");
  await w9.getByRole("button", { name: "Save details" }).click();
  await goView(c, "Documents");
  await c.getByRole("link", { name: "https://forms.example/w9.pdf" }).waitFor();

  // The client's open to-dos come first in their view.
  await goView(c, "Plan");
  // A title is a field where the client may rename the task, text where they may not.
  assert.equal(await c.locator(".task-title").first().evaluate(e => e.value ?? e.textContent), "Fill in the intake form");
  // A comment and a check-in from the client reach the provider, and the feed says who.
  const contractTask = c.getByRole("listitem").filter({ has: c.getByRole("checkbox", { name: "Done: Sign the contract" }) });
  await contractTask.getByText("Comments (0)").click();
  await contractTask.getByRole("textbox", { name: "Comment on Sign the contract" }).fill("Our lawyer is reviewing clause 4.");
  await contractTask.getByRole("button", { name: "Post" }).click();
  await goView(c, "Check-ins");
  await c.getByLabel("New check-in").fill("Brand assets are on their way.");
  await c.getByRole("button", { name: "Post check-in" }).click();
  await goView(p, "Plan");
  const providerContract = p.getByRole("listitem").filter({ has: p.getByRole("checkbox", { name: "Done: Sign the contract" }) });
  await providerContract.getByText("Comments (1)").click();
  await providerContract.getByText("Our lawyer is reviewing clause 4.").waitFor();
  await goView(p, "Check-ins");
  await p.getByRole("list", { name: "Check-ins" }).getByText("Brand assets are on their way.").waitFor();
  await p.getByText("Activity", { exact: true }).click();
  await p.getByRole("list", { name: "Recent activity" }).getByText("Client contact").first().waitFor();

  // Reaching a milestone is celebrated on the other side too.
  await goView(p, "Plan");
  await goView(c, "Plan");
  await p.getByRole("checkbox", { name: "Reached: Paperwork signed" }).check();
  await c.getByRole("status").filter({ hasText: "Milestone reached: Paperwork signed" }).waitFor();

  // The internal side is the provider's alone.
  await c.goto(`${relay.url}/#/portal/${id}/people`);
  await c.getByTestId("next-step").waitFor();
  assert.equal(await c.getByRole("heading", { name: "Internal", exact: true }).count(), 0);
  await goView(p, "People");
  await p.getByRole("checkbox", { name: "Done: Create the project board" }).check();
  await eventually(() => p.getByTestId("provisioning-progress").innerText(), t => t === "1 of 10 set up", { message: "provisioning progress" });
  await p.getByLabel("Internal notes").fill("Prefers calls to email.");
  await p.getByLabel("Internal notes").blur();

  // The provider moves the client on, keeps the playbook, and sees the client on the dashboard.
  await p.getByLabel("Stage").selectOption("active");
  await p.getByRole("button", { name: "Save as template" }).click();
  await p.getByText("Saved as the template “Based on Northwind Traders”.").waitFor();
  await p.goto(relay.url + "/#/");
  const row = p.getByRole("row", { name: /Northwind Traders/ });
  await row.getByText("Active", { exact: true }).waitFor();
  await row.getByText(/Good|Needs attention|At risk/).first().waitFor();
  const steps = await row.getByRole("progressbar").getAttribute("aria-label");
  assert.match(steps, /^\d+ of 25 steps done$/);
  assert.ok(Number(steps.split(" ")[0]) >= 8, steps);
  await p.getByLabel("Start from").getByRole("option", { name: "Based on Northwind Traders" }).waitFor({ state: "attached" });
  await p.getByLabel("Search clients").fill("nobody");
  assert.equal(await p.getByRole("row", { name: /Northwind Traders/ }).count(), 0);

  assert.deepEqual([...p.errors, ...c.errors], []);
}));

test("provider_builds_a_portal_by_hand_and_the_client_sees_it", () => withRelay(async relay => {
  const p = (await newDevice(browser, relay)).page;
  const c = (await newDevice(browser, relay)).page;
  const id = await createPortal(p, relay.url, "Hand Made Ltd");

  // A question of a choice type needs its options; the builder says so.
  await goView(p, "Intake");
  await p.getByText("Add a question").click();
  await p.getByLabel("Question", { exact: true }).fill("Preferred contact channel");
  await p.getByLabel("Answer type").selectOption("single-choice");
  await p.getByRole("button", { name: "Add question" }).click();
  await p.getByText("List at least two options, one per line.").waitFor();
  await p.getByLabel("Options, one per line").fill("Email\nPhone\nVideo call");
  await p.getByLabel("Required").check();
  await p.getByRole("button", { name: "Add question" }).click();
  await p.getByLabel("Preferred contact channel (required)").waitFor();

  await goView(p, "Overview");
  await p.getByText("Add a contact").click();
  await p.getByLabel("Name", { exact: true }).fill("Sam Lee");
  await p.getByLabel("Role", { exact: true }).fill("Account lead");
  await p.getByLabel("Email", { exact: true }).fill("sam@studio.example");
  await p.getByLabel("Contact them about").fill("Anything about the project");
  await p.getByRole("button", { name: "Add contact" }).click();

  await p.getByText("Add a link").click();
  await p.getByLabel("Link title").fill("CMS admin login");
  await p.getByLabel("Web address", { exact: true }).fill("https://cms.example/login");
  await p.getByLabel("Note or login details").fill("user: hand / pass: s3cret");
  await p.getByLabel(/^Sensitive/).check();
  await p.getByRole("button", { name: "Add link" }).click();

  await goView(p, "Plan");
  await p.getByLabel("Milestone", { exact: true }).fill("Kick-off");
  await p.getByLabel("Target date").fill("2026-12-02");
  await p.getByRole("button", { name: "Add milestone" }).click();
  await goView(p, "Documents");
  await p.getByLabel("Document", { exact: true }).fill("W-9");
  await p.getByLabel("Direction").selectOption("we-need");
  await p.getByRole("button", { name: "Add document" }).click();
  await waitForStatus(p, "Synced");

  // The client sees all of it; the login stays hidden until they choose to reveal it.
  await c.goto(`${relay.url}/#/portal/${id}`);
  await viewAs(c, "Client");
  await c.getByText("Sam Lee").waitFor();
  await c.getByRole("link", { name: "sam@studio.example" }).waitFor();
  const note = c.getByTestId("link-note");
  await note.waitFor();
  assert.ok(!(await note.innerText()).includes("s3cret"), "masked before reveal");
  await c.getByRole("button", { name: "Reveal" }).click();
  assert.equal(await note.innerText(), "user: hand / pass: s3cret");
  await c.getByRole("list", { name: "Waiting on the client" }).getByText("W-9").waitFor();
  await goView(c, "Plan");
  await c.getByRole("list", { name: "Milestones" }).getByText("Kick-off").waitFor();
  await goView(c, "Intake");
  await c.getByLabel("Preferred contact channel (required)").selectOption("Video call");
  await goView(p, "Intake");
  await eventually(() => p.getByTestId("intake-progress").innerText(), t => t === "1 of 1 answered", { message: "provider sees the answer" });
  assert.deepEqual([...p.errors, ...c.errors], []);
}));
