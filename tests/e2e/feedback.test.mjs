// Focus, feedback and errors: after an edit redraws a row, focus stays where the person was;
// a posted comment stays in view; "Copy" says what it did; a link that does not work shows one
// clear state with a way forward.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import {
  addTask, goView, inviteClient, launchBrowser, newDevice, openInvite, providerWithPortal, waitForStatus, withRelay,
} from "./harness.mjs";

const SHOTS = process.env.THRESHOLD_SHOTS;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** What has focus: its id, or its tag and accessible label. */
const focused = page => page.evaluate(() => {
  const a = document.activeElement;
  if (!a || a === document.body) return "body";
  return a.id || `${a.tagName.toLowerCase()}[${a.getAttribute("aria-label") ?? a.textContent.trim()}]`;
});

async function shoot(page, name) {
  if (!SHOTS) return;
  for (const [width, height] of [[390, 844], [1280, 800]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1100, height: 900 });
}

test("focus_stays_on_a_task_ticked_with_space_and_on_its_status_after_the_row_redraws", () => withRelay(async relay => {
  const p = (await providerWithPortal(browser, relay, "Keyboard Co")).page;
  await addTask(p, "Send the brand kit");
  const box = p.getByRole("checkbox", { name: "Done: Send the brand kit" });
  const boxId = await box.getAttribute("id");
  await box.focus();
  await p.keyboard.press("Space");
  await p.locator(".task.done").waitFor();
  assert.equal(await focused(p), boxId, "the ticked task's checkbox keeps focus");
  assert.equal(await box.isChecked(), true);
  // Space again unticks it, from where focus is.
  await p.keyboard.press("Space");
  await p.locator(".task:not(.done)").waitFor();
  assert.equal(await focused(p), boxId);

  // Changing a status with the keyboard redraws the row too.
  const status = p.getByLabel("Status of Send the brand kit");
  const statusId = await status.getAttribute("id");
  await status.focus();
  await status.selectOption({ label: "In progress" });
  await p.waitForFunction(id => document.getElementById(id)?.selectedOptions[0]?.textContent === "In progress", statusId);
  assert.equal(await focused(p), statusId, "the status select keeps focus");
}));

test("a_posted_comment_stays_in_view_with_focus_back_in_the_comment_field", () => withRelay(async relay => {
  const p = (await providerWithPortal(browser, relay, "Threads Ltd")).page;
  await addTask(p, "Review the wireframes");
  await p.getByText("Comments (0)").click();
  const field = p.getByRole("textbox", { name: "Comment on Review the wireframes" });
  await field.fill("Looks good to me");
  await p.getByRole("button", { name: "Post" }).click();
  const thread = p.getByRole("list", { name: "Comments on Review the wireframes" });
  await thread.getByText("Looks good to me").waitFor();
  assert.equal(await thread.getByText("Looks good to me").isVisible(), true, "the thread stays open");
  await p.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Comment on Review the wireframes" && document.activeElement.tagName === "INPUT");
  assert.equal(await field.inputValue(), "");
  await shoot(p, "comment-posted");
}));

test("adding_a_task_returns_focus_to_the_new_task_field", () => withRelay(async relay => {
  const p = (await providerWithPortal(browser, relay, "Lists Inc")).page;
  await goView(p, "Plan");
  await p.getByLabel("New task").fill("Book the kickoff");
  await p.getByRole("button", { name: "Add task" }).click();
  await p.getByRole("checkbox", { name: "Done: Book the kickoff" }).waitFor();
  await p.waitForFunction(() => document.activeElement?.id === "new-task-title");
  // An empty title is refused next to the field, and focus is there to fix it.
  await p.getByRole("button", { name: "Add task" }).click();
  await p.locator("#task-error").getByText("Write what the task is.").waitFor();
  await p.waitForFunction(() => document.activeElement?.id === "new-task-title");
}));

test("copying_an_invite_link_confirms_and_says_so_when_the_clipboard_is_refused", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Clipboard GmbH");
  const p = provider.page;
  await provider.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: relay.url });
  await waitForStatus(p, "Synced");
  const link = await inviteClient(p, "Mia Koch", "mia@clipboard.example");
  const people = p.getByRole("region", { name: "People with access" });
  await people.getByRole("button", { name: "Copy" }).click();
  await p.getByTestId("copy-feedback").getByText("Copied.").waitFor();
  assert.equal(await p.evaluate(() => navigator.clipboard.readText()), link);
  assert.equal(await p.getByTestId("copy-feedback").getAttribute("aria-live"), "polite");
  await shoot(p, "invite-copied");

  // A browser that refuses (no permission, an insecure page): the person is told, and the link
  // is selected for them to copy by hand.
  await p.evaluate(() => { navigator.clipboard.writeText = () => Promise.reject(new DOMException("denied", "NotAllowedError")); });
  await people.getByRole("button", { name: "Copy" }).click();
  await p.getByTestId("copy-feedback").getByText("This browser didn't let Threshold copy.").waitFor();
  assert.equal(await focused(p), "invite-link-out");
  assert.equal(await p.evaluate(() => { const i = document.activeElement; return i.value.slice(i.selectionStart, i.selectionEnd); }), link);
}));

test("a_bogus_invite_link_shows_one_clear_state_and_takes_another_link", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Second Chance LLC");
  await waitForStatus(provider.page, "Synced");
  const good = await inviteClient(provider.page, "Sam Ortiz", "sam@second.example");

  const device = await newDevice(browser, relay, { signedIn: false });
  const c = device.page;
  // A link cut short or mistyped: the token is well formed but the relay has never seen it.
  await c.goto(`${relay.url}/#/join/thr_${"x".repeat(40)}`);
  await c.getByRole("heading", { name: "This link doesn't work", level: 1 }).waitFor();
  const shown = await c.locator("body").innerText();
  assert.match(shown, /It may be mistyped or cut short, or it is no longer valid\. Ask the person who sent it to you for a new one/);
  for (const confusing of ["revoked", "Signing in", "Offline"]) {
    assert.ok(!shown.includes(confusing), `"${confusing}" is not shown beside it:\n${shown}`);
  }
  assert.equal(await c.getByTestId("connection-status").count(), 0, "no connection badge");
  await shoot(c, "bogus-link");

  // The way forward: paste the right link.
  await c.getByLabel("Invite link", { exact: true }).fill(good);
  await c.getByRole("button", { name: "Use this link" }).click();
  await c.getByRole("navigation", { name: "Portal" }).waitFor();
  await c.getByRole("heading", { name: "Second Chance LLC", level: 1 }).waitFor();
}));

test("a_revoked_link_opened_on_a_new_device_shows_the_same_single_state", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Gone Away Inc");
  await waitForStatus(provider.page, "Synced");
  const link = await inviteClient(provider.page, "Lee Park", "lee@gone.example");
  const people = provider.page.getByRole("region", { name: "People with access" });
  await people.getByRole("button", { name: "Revoke access for Lee Park" }).click();
  await people.getByText("Revoked", { exact: true }).waitFor();
  const c = (await newDevice(browser, relay, { signedIn: false })).page;
  await c.goto(link);
  await c.getByRole("heading", { name: "This link doesn't work", level: 1 }).waitFor();
  assert.equal(await c.getByText("Signing in…").count(), 0);
  assert.equal(await c.getByLabel("Invite link", { exact: true }).count(), 1);
}));
