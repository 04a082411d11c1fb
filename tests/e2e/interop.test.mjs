// Interop with the stock automerge-repo JS client from npm, through our relay.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  createPortal, eventually, goView, launchBrowser, newDevice, taskTitles, waitForStatus, welcomeText, withRelay,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test("portal_created_by_the_js_client_opens_in_the_app", () => withRelay(async relay => {
  const js = relay.jsRepo();
  // The shape a third-party tool would write: strings become Automerge text in JS.
  const handle = js.repo.create({
    schema: 1,
    kind: "portal",
    clientName: "Made in JS",
    welcome: "Hello from a Node script",
    tasks: { t1: { title: "Task from JS", done: false, assignee: "client", createdAt: new Date("2026-11-01T10:00:00Z") } },
  });
  const { page } = await newDevice(browser, relay);
  // Opened at once: the relay may see the app's request before the JS client's first sync.
  await page.goto(`${relay.url}/#/portal/${handle.documentId}/plan`);
  await page.getByRole("checkbox", { name: "Done: Task from JS" }).waitFor();
  assert.equal(await page.getByRole("heading", { level: 1 }).innerText(), "Made in JS");
  assert.equal(await welcomeText(page), "Hello from a Node script");
  // Live in the other direction too: the JS client's next edit shows up in the app.
  await goView(page, "Plan");
  handle.change(doc => { doc.tasks.t1.done = true; });
  await eventually(() => page.getByRole("checkbox", { name: "Done: Task from JS" }).isChecked(), v => v, { message: "app sees the JS edit" });
  assert.deepEqual(page.errors, []);
}));

test("portal_created_in_the_app_is_found_and_edited_by_the_js_client", () => withRelay(async relay => {
  const js = relay.jsRepo();
  const { page } = await newDevice(browser, relay);
  const id = await createPortal(page, relay.url, "Made in the app");
  await page.getByRole("textbox", { name: "Welcome message" }).fill("Written in Chromium");
  await waitForStatus(page, "Synced");
  const handle = await js.repo.find(`automerge:${id}`);
  const doc = handle.doc();
  assert.equal(String(doc.clientName), "Made in the app");
  assert.equal(String(doc.welcome), "Written in Chromium");
  assert.equal(doc.kind.toString(), "portal");
  handle.change(d => {
    d.tasks.fromjs = { title: "Added by the JS client", done: false, assignee: "provider", createdAt: new Date() };
  });
  await goView(page, "Plan");
  await page.getByRole("checkbox", { name: "Done: Added by the JS client" }).waitFor();
  assert.deepEqual(await taskTitles(page), ["Added by the JS client"]);
  assert.deepEqual(page.errors, []);
}));

test("js_clients_find_a_document_created_a_moment_before_by_another", () => withRelay({ staticDir: null }, async relay => {
  const a = relay.jsRepo();
  const b = relay.jsRepo();
  const created = a.repo.create({ note: "just created" });
  const found = await b.repo.find(created.url);
  assert.equal(String(found.doc().note), "just created");
  await assert.rejects(b.repo.find("automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu"), /unavailable/);
}));
