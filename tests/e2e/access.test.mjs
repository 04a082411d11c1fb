// Access end to end: invite links, a client confined to their portal, offboarding to a
// read-only archive, and revocation, each seen from both sides in real Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  addTask, createPortal, eventually, goView, inviteClient, launchBrowser, newDevice, openInvite, taskTitles, waitForStatus, withRelay,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Every console error except the relay refusing a revoked device, which is expected. */
const unexpected = errors => errors.filter(e => !/WebSocket|401|Unauthorized|revoked/i.test(e));

test("provider_invites_a_client_who_works_only_in_their_portal_until_offboarded_and_revoked", () => withRelay(async relay => {
  // The provider signs in with the owner link the relay printed at first start.
  const provider = await newDevice(browser, relay, { signedIn: false });
  const p = provider.page;
  const csp = [];
  await provider.context.exposeFunction("reportCsp", v => csp.push(v));
  await provider.context.addInitScript(() => document.addEventListener("securitypolicyviolation", e => window.reportCsp(`${e.violatedDirective} ${e.blockedURI}`)));
  await p.goto(relay.ownerLink);
  await p.getByRole("heading", { name: "Clients", level: 1 }).waitFor();
  assert.ok(!p.url().includes("thr_"), "the token leaves the address bar at once");
  const other = await createPortal(p, relay.url, "Other Co");
  const id = await createPortal(p, relay.url, "Acme Studio");

  // An invite for a client contact, made in the portal.
  const people = p.getByRole("region", { name: "People with access" });
  const link = await inviteClient(p);
  assert.match(link, /\/#\/join\/thr_\w+$/);
  assert.match(await people.getByRole("link", { name: "Email the invite" }).getAttribute("href"), /^mailto:dana%40acme\.example\?subject=/);
  await people.getByText("Can edit", { exact: true }).waitFor();

  // The client opens the link in their own browser and lands in their portal, as themselves.
  const c = (await openInvite(browser, relay, link)).page;
  assert.equal(await c.getByRole("heading", { level: 1 }).innerText(), "Acme Studio");
  assert.equal(await c.getByRole("group", { name: "View the portal as" }).count(), 0, "no provider switch for a client");
  assert.equal(await c.getByRole("region", { name: "People with access" }).count(), 0);
  assert.equal(await c.getByRole("link", { name: "← All clients" }).count(), 0, "no client list to go back to");
  await addTask(c, "Send the brand guidelines");
  await eventually(() => taskTitles(p), t => t.includes("Send the brand guidelines"), { message: "provider sees the client's task" });

  // Nowhere else: another portal's address and the workspace both keep them in their own.
  await c.goto(`${relay.url}/#/portal/${other}`);
  await c.getByText("This invite opens one portal only.").waitFor();
  assert.equal(await c.getByText("Other Co").count(), 0);
  await c.goto(`${relay.url}/#/`);
  await c.getByRole("navigation", { name: "Portal" }).waitFor();
  assert.equal(await c.getByRole("heading", { level: 1 }).innerText(), "Acme Studio");
  await waitForStatus(c, "Synced");

  // Offboarding completes: the client's access turns read-only, and their portal says so.
  await p.getByLabel("Stage").selectOption("active");
  await p.getByLabel("Stage").selectOption("offboarding");
  await p.getByLabel("Stage").selectOption("alumni");
  await p.getByText("Client access is now read-only (1 contact(s)).").waitFor();
  await goView(p, "People");
  await people.getByText("Read-only", { exact: true }).waitFor();
  await c.getByText("This engagement has ended. The portal stays here as your read-only archive.").waitFor();
  await goView(c, "Plan");
  // The archive takes no edits: it has no add form, and its tasks are text to read.
  await c.getByRole("heading", { name: "Task plan" }).waitFor();
  assert.equal(await c.getByLabel("New task").count(), 0, "the archive takes no edits");
  assert.deepEqual(await c.getByRole("list", { name: "Tasks" }).locator(".task-title").allInnerTexts(), await taskTitles(p), "the archive keeps everything");

  // Revocation cuts the client off at once.
  await goView(p, "People");
  await people.getByRole("button", { name: "Revoke access for Dana Reyes" }).click();
  await people.getByText("Revoked", { exact: true }).waitFor();
  await c.getByText("This device's access has been revoked", { exact: false }).waitFor({ timeout: 10_000 });
  await waitForStatus(c, "Offline");

  assert.deepEqual(csp, [], "the app runs under its content security policy");
  assert.deepEqual(unexpected(p.errors), []);
  assert.deepEqual(unexpected(c.errors), []);
}));

test("a_team_member_invited_by_the_owner_opens_the_same_workspace", () => withRelay(async relay => {
  const owner = await newDevice(browser, relay, { signedIn: false });
  await owner.page.goto(relay.ownerLink);
  await owner.page.getByRole("heading", { name: "Clients", level: 1 }).waitFor();
  await createPortal(owner.page, relay.url, "Shared Client Ltd");
  await waitForStatus(owner.page, "Synced");
  await owner.page.goto(relay.url + "/#/");
  const team = owner.page.getByRole("region", { name: "Team" });
  await team.getByLabel("Team member name").fill("Sam Lee");
  await team.getByRole("button", { name: "Invite team member" }).click();
  const link = await team.getByLabel("Invite link for Sam Lee").inputValue();

  // A new device of the team member: the relay tells it which workspace to open.
  const member = await newDevice(browser, relay, { signedIn: false });
  await member.page.goto(link);
  await member.page.getByRole("link", { name: "Shared Client Ltd" }).waitFor();
  // Team members invite clients, not other team members.
  assert.equal(await member.page.getByRole("button", { name: "Invite team member" }).count(), 0);
}));

test("a_device_without_an_invite_is_asked_for_one", () => withRelay(async relay => {
  const { page } = await newDevice(browser, relay, { signedIn: false });
  await page.goto(relay.url + "/");
  await page.getByRole("heading", { name: "Sign in to Threshold" }).waitFor();
  await page.getByLabel("Invite link").fill("https://example.com/not-an-invite");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("That is not a Threshold invite link.", { exact: false }).waitFor();
  await page.getByLabel("Invite link").fill(relay.ownerLink);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Clients", level: 1 }).waitFor();
}));
