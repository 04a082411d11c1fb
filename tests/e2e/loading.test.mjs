// The first seconds of a visit, before the wasm runs: the page itself shows the product's name
// and a progress indication (never a blank page), gives way to the app when it mounts, and says
// clearly, with a way to try again, when the app cannot load.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DIST, axeFindings, launchBrowser, newDevice, tempDir, withRelay } from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const WASM = /_bg\.wasm$/;
const PHONE = { width: 360, height: 740 };

/** Errors the content security policy reported: none may appear on any of these screens. */
const policyErrors = page => page.errors.filter(e => /Content Security Policy/i.test(e));

const noSidewaysScroll = page => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test("a_first_visit_shows_the_name_and_progress_until_the_app_mounts", () => withRelay(async relay => {
  const { page } = await newDevice(browser, relay, { signedIn: false });
  await page.setViewportSize(PHONE);
  let release;
  const released = new Promise(resolve => { release = resolve; });
  await page.route(WASM, async route => { await released; await route.continue(); });
  await page.goto(relay.url + "/", { waitUntil: "domcontentloaded" });

  const loading = page.getByRole("status");
  await loading.getByRole("heading", { name: "Opening your portal" }).waitFor();
  assert.equal(await page.locator("main[aria-busy=true]").count(), 1);
  assert.ok((await page.locator("#boot").innerText()).includes("Threshold"));
  assert.ok(await noSidewaysScroll(page), "the loading screen fits a 360 px phone");
  assert.deepEqual(await axeFindings(page), []);

  release();
  await page.getByRole("heading", { name: "Sign in to Threshold" }).waitFor();
  assert.equal(await page.locator("#boot, #boot-failed").count(), 0, "the loading screen is gone");
  assert.equal(await page.getByRole("alert").filter({ hasText: "finish loading" }).count(), 0);
  assert.deepEqual(policyErrors(page), []);
}));

test("when_the_wasm_fails_to_load_a_message_offers_to_try_again", () => withRelay(async relay => {
  const { page } = await newDevice(browser, relay, { signedIn: false });
  await page.setViewportSize(PHONE);
  await page.route(WASM, route => route.abort("connectionreset"));
  await page.goto(relay.url + "/", { waitUntil: "domcontentloaded" });

  const failed = page.getByRole("alert");
  await failed.getByRole("heading", { name: "Threshold didn’t finish loading" }).waitFor();
  const retry = page.getByRole("button", { name: "Try again" });
  assert.ok(await retry.evaluate(button => button === document.activeElement), "focus is on Try again");
  assert.equal(await page.getByRole("status").count(), 0, "no progress shown beside the failure");
  assert.ok(await noSidewaysScroll(page));
  assert.deepEqual(await axeFindings(page), []);

  // The connection is back: trying again loads the app.
  await page.unroute(WASM);
  await retry.click();
  await page.getByRole("heading", { name: "Sign in to Threshold" }).waitFor();
  assert.equal(await page.locator("#boot-failed").count(), 0);
  assert.deepEqual(policyErrors(page), []);
}));

test("a_build_whose_wasm_is_missing_shows_the_message_not_a_blank_page", async () => {
  const dist = tempDir("dist-without-wasm");
  cpSync(DIST, dist, { recursive: true });
  for (const name of readdirSync(dist)) if (/_bg\.wasm(\.br|\.gz)?$/.test(name)) rmSync(join(dist, name));
  try {
    await withRelay({ staticDir: dist }, async relay => {
      const { page } = await newDevice(browser, relay, { signedIn: false });
      await page.goto(relay.url + "/", { waitUntil: "domcontentloaded" });
      await page.getByRole("alert").getByRole("heading", { name: "Threshold didn’t finish loading" }).waitFor();
      await page.getByRole("button", { name: "Try again" }).waitFor();
      assert.deepEqual(policyErrors(page), []);
    });
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});

test("a_browser_without_webassembly_is_told_so", () => withRelay(async relay => {
  const { page, context } = await newDevice(browser, relay, { signedIn: false });
  await context.addInitScript(() => { delete globalThis.WebAssembly; });
  await page.goto(relay.url + "/", { waitUntil: "domcontentloaded" });
  const failed = page.getByRole("alert");
  await failed.getByText("This browser can’t run Threshold").waitFor();
  assert.equal(await page.getByRole("button", { name: "Try again" }).count(), 0, "trying again would not help");
  assert.deepEqual(policyErrors(page), []);
}));
