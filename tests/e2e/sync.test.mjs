// Two devices (separate browser contexts) co-editing a portal through a real relay.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  addTask, createPortal, eventually, goView, launchBrowser, newDevice, taskTitles, waitForStatus, welcomeText, withRelay,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test("edit_in_one_device_appears_in_the_other", () => withRelay(async relay => {
  const a = await newDevice(browser, relay);
  const b = await newDevice(browser, relay);
  const id = await createPortal(a.page, relay.url, "Live Co");
  await waitForStatus(a.page, "Synced");
  await b.page.goto(`${relay.url}/#/portal/${id}`);
  await eventually(() => b.page.getByRole("heading", { level: 1 }).innerText(), v => v === "Live Co", { message: "B opens the portal by its link" });
  await addTask(a.page, "Send the welcome pack");
  await goView(b.page, "Plan");
  await b.page.getByRole("checkbox", { name: "Done: Send the welcome pack" }).waitFor();
  await b.page.getByRole("checkbox", { name: "Done: Send the welcome pack" }).check();
  await eventually(() => a.page.getByRole("checkbox", { name: "Done: Send the welcome pack" }).isChecked(), v => v === true, { message: "A sees B tick the task" });
  await goView(b.page, "Overview");
  const welcome = b.page.getByLabel("Welcome message");
  await welcome.fill("Hello from device B");
  await eventually(() => welcomeText(a.page), t => t === "Hello from device B", { message: "A sees B's welcome" });
  // The portal opened from a link joins B's own list.
  await b.page.goto(relay.url + "/#/");
  await b.page.getByRole("link", { name: "Live Co" }).waitFor();
  assert.deepEqual([...a.page.errors, ...b.page.errors], []);
}));

test("offline_edit_merges_on_reconnect", () => withRelay(async relay => {
  const a = await newDevice(browser, relay);
  const b = await newDevice(browser, relay);
  const id = await createPortal(a.page, relay.url, "Offline Ltd");
  await a.page.getByLabel("Welcome message").fill("Hello team");
  await waitForStatus(a.page, "Synced");
  await b.page.goto(`${relay.url}/#/portal/${id}`);
  await eventually(() => welcomeText(b.page), t => t === "Hello team", { message: "B loads the portal" });

  await a.context.setOffline(true);
  await waitForStatus(a.page, "Offline");
  // Both edit the same text and the same task list while apart.
  const welcomeA = a.page.getByLabel("Welcome message");
  await welcomeA.focus();
  await welcomeA.press("End");
  await welcomeA.pressSequentially(", welcome aboard");
  await addTask(a.page, "Task made offline on A");
  const welcomeB = b.page.getByLabel("Welcome message");
  await welcomeB.focus();
  await welcomeB.press("Control+Home");
  await welcomeB.pressSequentially("Dear all. ");
  await addTask(b.page, "Task made online on B");
  await waitForStatus(b.page, "Synced");
  await waitForStatus(a.page, "Offline");

  await a.context.setOffline(false);
  await waitForStatus(a.page, "Synced");
  const expected = "Dear all. Hello team, welcome aboard";
  for (const device of [a, b]) {
    await eventually(() => welcomeText(device.page), t => t === expected, { message: "welcome merged" });
    await eventually(() => taskTitles(device.page), t => t.length === 2, { message: "both tasks present" });
    assert.deepEqual((await taskTitles(device.page)).sort(), ["Task made offline on A", "Task made online on B"]);
  }
  assert.deepEqual([...a.page.errors, ...b.page.errors], []);
}));

test("reload_with_relay_stopped_opens_portal_from_indexeddb", () => withRelay(async relay => {
  const front = await relay.front();
  const a = await newDevice(browser, relay);
  const id = await createPortal(a.page, front.url, "Persisted Inc");
  await addTask(a.page, "Survives a reload");
  await goView(a.page, "Overview");
  await a.page.getByLabel("Welcome message").fill("Stored on this device");
  await waitForStatus(a.page, "Synced");
  await relay.stop("SIGKILL");
  await a.page.reload();
  await goView(a.page, "Plan");
  await a.page.getByRole("checkbox", { name: "Done: Survives a reload" }).waitFor();
  assert.equal(await welcomeText(a.page), "Stored on this device");
  assert.equal(await a.page.getByRole("heading", { level: 1 }).innerText(), "Persisted Inc");
  assert.match(await a.page.getByTestId("connection-status").innerText(), /Offline|Connecting/);
  // The workspace list comes from this device too.
  await a.page.goto(front.url + "/#/");
  await a.page.getByRole("link", { name: "Persisted Inc" }).waitFor();
  assert.ok(id.length > 20);
}));

test("relay_killed_mid_edit_loses_nothing_seen_as_synced", () => withRelay(async relay => {
  const a = await newDevice(browser, relay);
  const id = await createPortal(a.page, relay.url, "Crash Test Co");
  for (let n = 1; n <= 5; n++) await addTask(a.page, `Acknowledged ${n}`);
  await waitForStatus(a.page, "Synced");
  const acknowledged = await taskTitles(a.page);
  // Keep editing and kill the relay while those edits are in flight.
  for (let n = 1; n <= 5; n++) {
    await a.page.getByLabel("New task").fill(`In flight ${n}`);
    await a.page.getByRole("button", { name: "Add task" }).click();
  }
  const { signal } = await relay.stop("SIGKILL");
  assert.equal(signal, "SIGKILL");
  // A is gone for good: only what the relay stored can reach the next device.
  await a.context.close();
  await relay.restart();
  const c = await newDevice(browser, relay);
  await c.page.goto(`${relay.url}/#/portal/${id}`);
  await c.page.getByRole("navigation", { name: "Portal" }).waitFor();
  const seen = await eventually(() => taskTitles(c.page), t => acknowledged.every(x => t.includes(x)), { message: "every acknowledged task survives" });
  assert.ok(seen.length >= acknowledged.length);
  assert.equal(await c.page.getByRole("heading", { level: 1 }).innerText(), "Crash Test Co");
}));
