// Finding one's way around a portal, each side in its own words: the client reads documents and
// tasks from their side; an ended portal is a page to read, not a disabled form; the navigation
// counts what is open (and nothing once the engagement has ended) and who has access; focus
// stays near a deleted row; a refused rename says why; every date field says it is a date; an
// empty message line takes no room.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  addTask, eventually, goView, inviteClient, launchBrowser, mintToken, newDevice, openInvite, providerWithPortal, waitForStatus, withRelay,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** The count beside a view in the portal's navigation, or null when it shows none. */
async function navCount(page, label) {
  const count = page.getByRole("navigation", { name: "Portal" })
    .getByRole("link", { name: new RegExp(`^${label}\\b`) }).locator(".nav-count");
  return (await count.count()) ? await count.innerText() : null;
}

/** What the focused element is, by its accessible name or id. */
const focused = page => page.evaluate(() => {
  const a = document.activeElement;
  return a?.getAttribute("aria-label") || a?.id || a?.tagName.toLowerCase();
});

async function setBrand(page, base, name) {
  await page.goto(base + "/");
  const settings = page.getByRole("region", { name: "Your brand" });
  await settings.getByLabel("Business name").fill(name);
  await settings.getByRole("button", { name: "Save brand" }).click();
  await settings.getByText("Saved. Your clients see this brand in their portals.").waitFor();
}

test("the_client_reads_documents_tasks_and_what_waits_written_to_them_not_from_the_providers_side", () => withRelay(async relay => {
  const { page: p, id } = await providerWithPortal(browser, relay, "Acme Rockets");
  await setBrand(p, relay.url, "Northwind Studio");
  await p.goto(`${relay.url}/#/portal/${id}`);
  await goView(p, "Documents");
  for (const [name, direction] of [["Contract", "we-send"], ["W-9", "we-need"]]) {
    await p.getByLabel("Document", { exact: true }).fill(name);
    await p.getByLabel("Direction").selectOption(direction);
    await p.getByRole("button", { name: "Add document" }).click();
    await p.getByRole("list", { name: "Documents" }).getByText(name, { exact: true }).waitFor();
  }
  // The provider reads its own side.
  await p.getByRole("list", { name: "Documents" }).getByText(/We need/).waitFor();
  await goView(p, "Plan");
  await p.getByLabel("New task").fill("Send the brand guide");
  await p.getByLabel("Assigned to").selectOption("provider");
  await p.getByRole("button", { name: "Add task" }).click();
  await p.getByRole("checkbox", { name: "Done: Send the brand guide" }).waitFor();
  const link = await inviteClient(p);
  await waitForStatus(p, "Synced");

  const c = (await openInvite(browser, relay, link)).page;
  await goView(c, "Documents");
  const docs = c.getByRole("list", { name: "Documents" });
  await docs.getByText(/From Northwind Studio/).waitFor();
  await docs.getByText(/Needed from you/).waitFor();
  assert.doesNotMatch(await c.locator("main").innerText(), /We send|We need/);
  await goView(c, "Plan");
  // The one task is the provider's: named as the client knows them.
  await c.getByRole("list", { name: "Tasks" }).getByText("Northwind Studio", { exact: true }).waitFor();
  assert.doesNotMatch(await c.locator("main").innerText(), /Our team/);
  await goView(c, "Overview");
  await c.getByRole("heading", { name: "Waiting on Northwind Studio" }).waitFor();
  // A phone that adds the page to its home screen names it after the provider.
  assert.equal(await c.evaluate(() => document.querySelector("meta[name=apple-mobile-web-app-title]")?.content), "Northwind Studio");
  // Chrome and Android install from the manifest: the one Chromium itself reads for this page.
  const cdp = await c.context().newCDPSession(c);
  await eventually(async () => {
    const { url, errors, data } = await cdp.send("Page.getAppManifest");
    return { url: new URL(url).pathname, errors, name: data && JSON.parse(data).name };
  }, m => m.url === "/app.webmanifest" && m.errors.length === 0 && m.name === "Northwind Studio", { message: "the installed app is named after the provider" });
  assert.deepEqual([...p.errors, ...c.errors], []);
}));

test("an_ended_engagement_is_a_page_to_read_with_values_as_text_and_no_fields_or_disabled_controls", () => withRelay(async relay => {
  const { page: p } = await providerWithPortal(browser, relay, "Northwind Traders", { template: "Service engagement" });
  await addTask(p, "Send the brand guide");
  await p.getByLabel("Milestone", { exact: true }).fill("Kick-off");
  await p.getByRole("button", { name: "Add milestone" }).click();
  const link = await inviteClient(p);
  const c = (await openInvite(browser, relay, link)).page;
  await goView(c, "Intake");
  const legal = c.getByRole("textbox", { name: "Company legal name (required)" });
  await legal.fill("Northwind Traders LLC");
  await legal.blur();
  await goView(c, "Check-ins");
  await c.getByLabel("New check-in").fill("Going well so far.");
  await c.getByRole("button", { name: "Post check-in" }).click();
  await c.getByText("Going well so far.").waitFor();
  await waitForStatus(c, "Synced");

  await p.getByLabel("Stage").selectOption("cancelled");
  await c.getByText("This engagement has ended. The portal stays here as your read-only archive.").waitFor();
  for (const label of ["Overview", "Plan", "Intake", "Documents", "Files", "Check-ins"]) {
    await goView(c, label);
    await c.locator("main h2").first().waitFor();
    const controls = await c.locator("main").evaluate(main => [...main.querySelectorAll("input, select, textarea, [disabled]")]
      .map(e => `${e.tagName.toLowerCase()}[${e.getAttribute("aria-label") || e.id || e.type || ""}]`));
    assert.deepEqual(controls, [], `${label}: no fields or disabled controls in the archive`);
  }
  await goView(c, "Intake");
  const answers = c.getByRole("list", { name: "Intake answers" }).or(c.locator("dl[aria-label='Intake answers']"));
  await answers.getByText("Northwind Traders LLC").waitFor();
  await answers.getByText("Not answered").first().waitFor();
  await goView(c, "Plan");
  await c.getByText("Send the brand guide").waitFor();
  await c.getByRole("img", { name: "Not done" }).first().waitFor();
  await goView(c, "Check-ins");
  await c.getByText("Going well so far.").waitFor();
  assert.deepEqual([...p.errors, ...c.errors], []);
}));

test("the_navigation_counts_what_is_open_and_who_has_access_and_no_open_counts_once_ended", () => withRelay(async relay => {
  const { page: p } = await providerWithPortal(browser, relay, "Count Co");
  await addTask(p, "Draft the plan");
  await eventually(() => navCount(p, "Plan"), c => c === "1 open", { message: "one open task" });
  const link = await inviteClient(p);
  await eventually(() => navCount(p, "People"), c => c === "1", { message: "one person with access" });
  const c = (await openInvite(browser, relay, link)).page;
  await eventually(() => navCount(c, "Plan"), n => n === "1 open", { message: "the client's open task count" });

  await p.getByLabel("Stage").selectOption("cancelled");
  await eventually(() => navCount(p, "Plan"), n => n === null, { message: "nothing open once ended" });
  assert.equal(await navCount(p, "People"), "1", "who has access still shows");
  assert.equal(await navCount(p, "Offboarding"), "cancelled");
  await c.getByText("This engagement has ended. The portal stays here as your read-only archive.").waitFor();
  await eventually(() => navCount(c, "Plan"), n => n === null, { message: "the client's archive counts nothing open" });
}));

test("deleting_a_row_moves_focus_to_the_next_row_then_the_previous_then_the_add_form_never_the_page", () => withRelay(async relay => {
  const { page: p } = await providerWithPortal(browser, relay, "Focus Co");
  for (const title of ["First", "Second", "Third"]) await addTask(p, title);
  await p.getByRole("button", { name: "Delete task Second" }).focus();
  await p.keyboard.press("Enter");
  await eventually(() => focused(p), f => f === "Delete task Third", { message: "focus on the next row's Delete" });
  await p.keyboard.press("Enter");
  await eventually(() => focused(p), f => f === "Delete task First", { message: "focus on the previous row's Delete" });
  await p.keyboard.press("Enter");
  await eventually(() => focused(p), f => f === "new-task-title", { message: "focus on the add form once the list is empty" });
}));

test("renaming_the_client_to_nothing_says_why_next_to_the_field_and_keeps_the_name", () => withRelay(async relay => {
  const { page: p } = await providerWithPortal(browser, relay, "Keep Me Ltd");
  await p.getByText("Rename", { exact: true }).click();
  const field = p.getByLabel("Client name");
  await field.fill("   ");
  await field.press("Tab");
  await p.locator("#client-name-error").getByText("Write the client's name.").waitFor();
  assert.equal(await p.getByTestId("client-name").innerText(), "Keep Me Ltd");
  assert.equal(await field.getAttribute("aria-describedby"), "client-name-error");
  await field.fill("Kept Ltd");
  await field.press("Tab");
  await eventually(() => p.getByTestId("client-name").innerText(), t => t === "Kept Ltd", { message: "a good name is saved" });
  assert.equal(await p.locator("#client-name-error").innerText(), "");
  assert.deepEqual(p.errors, []);
}));

test("every_date_field_says_in_its_label_that_it_is_a_date", () => withRelay(async relay => {
  const { page: p } = await providerWithPortal(browser, relay, "Dates Co", { template: "Service engagement" });
  await addTask(p, "Book the kick-off");
  await goView(p, "Documents");
  await p.getByLabel("Document", { exact: true }).fill("NDA");
  await p.getByRole("button", { name: "Add document" }).click();
  await p.getByText("Details").first().click();
  await goView(p, "Offboarding");
  await p.getByRole("button", { name: "Start offboarding" }).click();
  await p.getByRole("heading", { name: "Deliverables review" }).waitFor();
  const unnamed = [];
  for (const label of ["Plan", "Documents", "Offboarding"]) {
    await goView(p, label);
    await p.locator("main h2").first().waitFor();
    const names = await p.locator("main input[type=date]").evaluateAll(inputs => inputs
      .filter(i => !i.closest(".question"))
      .map(i => i.getAttribute("aria-label") || [...i.labels].map(l => l.textContent).join(" ").trim()));
    assert.ok(names.length > 0, `${label} has date fields`);
    unnamed.push(...names.filter(n => !/date/i.test(n)).map(n => `${label}: "${n}"`));
  }
  assert.deepEqual(unnamed, []);
}));

test("an_empty_message_line_takes_no_room_at_the_foot_of_the_people_card", () => withRelay(async relay => {
  const { page: p } = await providerWithPortal(browser, relay, "Room Co");
  await goView(p, "People");
  const card = p.getByRole("region", { name: "People with access" });
  await card.getByRole("button", { name: "Create invite link" }).waitFor();
  const tall = await p.locator("main").evaluate(main => [...main.querySelectorAll(".field-error, p[role=status], p[role=alert], p[aria-live]")]
    .filter(e => e.textContent.trim() === "" && e.getBoundingClientRect().height > 1)
    .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} ${Math.round(e.getBoundingClientRect().height)}px`));
  assert.deepEqual(tall, []);
  // A message, when there is one, shows in that line.
  await card.getByLabel("Contact name").fill("Dana Reyes");
  await card.getByLabel("Contact email").fill("not an email");
  await card.getByRole("button", { name: "Create invite link" }).click();
  await eventually(() => card.locator(".field-error").evaluateAll(es => es.some(e => e.textContent.trim() && e.getBoundingClientRect().height > 1)), v => v, { message: "the error shows" });
}));

test("a_read_only_teammate_reads_every_view_as_text_with_no_form_and_no_disabled_control", () => withRelay(async relay => {
  const { page: p, id } = await providerWithPortal(browser, relay, "Northwind Traders", { template: "Service engagement" });
  await inviteClient(p);
  await goView(p, "Offboarding");
  await p.locator("#offboarding-playbook").selectOption({ label: "Service engagement" });
  await p.getByRole("button", { name: "Start offboarding" }).click();
  await p.getByRole("list", { name: "Offboarding checklist" }).waitFor();
  await waitForStatus(p, "Synced");

  // A teammate whose access is read-only, on a phone.
  const { token } = mintToken(relay.dataDir, ["--role", "team", "--read-only", "--name", "Rita Ortiz"]);
  const { page: r } = await newDevice(browser, relay, { token });
  await r.setViewportSize({ width: 390, height: 844 });
  await r.goto(`${relay.url}/#/portal/${id}`);
  await r.getByText("Your access to this portal is read-only.").waitFor();
  const found = {};
  for (const view of ["Overview", "Plan", "Intake", "Documents", "Files", "Offboarding", "Check-ins", "People"]) {
    await goView(r, view);
    // What the provider's side shows in each view has drawn: a heading of the view's own.
    await r.locator("main h2").first().waitFor();
    const controls = await r.evaluate(() => [...document.querySelectorAll("main :is(input, select, textarea, button)")]
      .filter(e => e.disabled || (e.matches("input, select, textarea") && e.type !== "search"))
      .map(e => `${e.tagName.toLowerCase()} ${e.getAttribute("aria-label") ?? e.labels?.[0]?.textContent?.trim() ?? e.textContent.trim()}`));
    if (controls.length) found[view] = controls;
  }
  assert.deepEqual(found, {}, "a field or a disabled control in a read-only view");
  // The internal checklist and the offboarding checklist are read, not ticked.
  await goView(r, "People");
  await r.getByText(/: not done/).first().waitFor({ state: "attached" });
  assert.deepEqual(r.errors, []);
}));
