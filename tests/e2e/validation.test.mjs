// Limits and validation (issue 17): bad values typed into the portal's forms are refused by the
// model with a message next to the form that caused it, and nothing of them is saved.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { goView, launchBrowser, providerWithPortal, withRelay } from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test("bad_values_in_the_portal_forms_are_refused_with_a_message_next_to_the_form", () => withRelay(async relay => {
  const { page: p } = await providerWithPortal(browser, relay, "Quayside Ltd");

  // An empty task: refused, said next to the task form.
  await goView(p, "Plan");
  await p.getByRole("button", { name: "Add task" }).click();
  await p.locator("#task-error").getByText("Write what the task is.").waitFor();
  assert.equal(await p.getByLabel("New task").getAttribute("aria-describedby"), "task-error");

  // A link whose address is not one: refused, not saved as a broken link.
  await goView(p, "Overview");
  const links = p.getByRole("region", { name: "Links and logins" });
  await links.getByText("Add a link", { exact: true }).click();
  await links.getByLabel("Link title").fill("Brand kit");
  await links.getByLabel("Web address").fill("not a url");
  await links.getByRole("button", { name: "Add link" }).click();
  await links.getByRole("alert").getByText("Use a web address starting with https:// (or http://), or a mailto: address.").waitFor();
  assert.equal(await links.getByText("Brand kit", { exact: true }).count(), 0, "no broken link saved");

  // A meeting of −30 minutes: refused, not saved as 45.
  await goView(p, "Plan");
  const meetings = p.getByRole("region", { name: "Meetings" });
  await meetings.getByText("Schedule a meeting", { exact: true }).click();
  await meetings.getByLabel("Meeting title").fill("Kick-off");
  await meetings.getByLabel("Meeting date").fill("2030-03-04");
  await meetings.locator("#meeting-time").fill("10:00");
  await meetings.getByLabel("Length in minutes").fill("-30");
  await meetings.getByRole("button", { name: "Schedule meeting" }).click();
  await meetings.getByText("A meeting's length in minutes must be between 5 and 480.").waitFor();
  assert.equal(await meetings.getByRole("list", { name: "Meetings" }).count(), 0, "no meeting saved");

  // An empty milestone and an empty check-in: refused with a word, not ignored.
  await p.getByRole("button", { name: "Add milestone" }).click();
  await p.getByText("Write what the milestone is.").waitFor();
  await goView(p, "Check-ins");
  await p.getByRole("button", { name: "Post check-in" }).click();
  await p.getByRole("region", { name: "Check-ins" }).getByRole("alert").getByText("Write the check-in.").waitFor();

  // A mistyped invite email: a clear sentence, not the relay's raw refusal.
  await goView(p, "People");
  const people = p.getByRole("region", { name: "People with access" });
  await people.getByLabel("Contact name").fill("Robin Park");
  await people.getByLabel("Contact email").fill("robin@nowhere");
  await people.getByRole("button", { name: "Create invite link" }).click();
  await people.getByText("“robin@nowhere” is not an email address; it should look like name@example.com.").waitFor();
  assert.equal(await people.getByLabel("Invite link for Robin Park").count(), 0, "no invite made");
  assert.deepEqual(p.errors.filter(e => !/edit failed/.test(e)), []);
}));
