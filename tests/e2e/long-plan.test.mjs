// A long plan stays a short page (issue 19): a portal with many tasks puts a window of rows on
// screen, not all of them; "Show more" adds the next rows with focus on the first of them; the
// search and the filter cover every task, shown or not; and a task added from the page is shown even past
// the window.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { axeFindings, eventually, goView, launchBrowser, providerWithPortal, waitForStatus, withRelay } from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const TASKS = 150;
const title = n => `Task ${String(n).padStart(3, "0")}`;
const rows = page => page.locator('input[type=checkbox][aria-label^="Done: "]').count();
const focusedName = page => page.evaluate(() => document.activeElement?.getAttribute("aria-label"));

/** Writes `TASKS` tasks into the portal at once, through a stock JS client at the relay. */
async function fillPlan(relay, id) {
  const handle = await relay.jsRepo().repo.find(`automerge:${id}`);
  const start = Date.UTC(2026, 0, 1);
  handle.change(doc => {
    doc.tasks ??= {};
    for (let n = 1; n <= TASKS; n++) {
      doc.tasks[`bulk-${String(n).padStart(3, "0")}`] = {
        title: title(n), done: false, assignee: "client", createdAt: new Date(start + n * 1000), comments: {},
      };
    }
  });
}

test("a_long_plan_shows_a_window_of_rows_more_on_request_and_search_finds_any_task", () => withRelay(async relay => {
  const { page, id } = await providerWithPortal(browser, relay, "Big Plan Ltd");
  await waitForStatus(page, "Synced");
  await fillPlan(relay, id);
  await goView(page, "Plan");
  await page.getByRole("checkbox", { name: `Done: ${title(1)}` }).waitFor();
  await eventually(() => page.getByTestId("task-progress").innerText(), t => t === `0 of ${TASKS} done`,
    { message: "every task synced" });

  // Opened afresh, the plan is a window of rows, and says how many there are.
  await page.reload();
  await goView(page, "Plan");
  await page.getByRole("checkbox", { name: `Done: ${title(1)}` }).waitFor();
  const first = await rows(page);
  assert.ok(first > 0 && first <= 100, `a bounded window of rows, not ${first} of ${TASKS}`);
  assert.equal(await page.getByRole("checkbox", { name: `Done: ${title(TASKS)}` }).count(), 0, "the last task is not drawn");
  await page.getByText(`Showing ${first} of ${TASKS} tasks`).waitFor();

  // "Show more" draws the next rows and puts focus on the first new one.
  await page.getByRole("button", { name: /^Show \d+ more/ }).click();
  await eventually(() => rows(page), n => n > first, { message: "more rows" });
  await eventually(() => focusedName(page), name => name === `Done: ${title(first + 1)}`,
    { message: "focus on the first new row" });
  while (await page.getByRole("button", { name: /^Show \d+ more/ }).count()) {
    await page.getByRole("button", { name: /^Show \d+ more/ }).click();
  }
  await eventually(() => rows(page), n => n === TASKS, { message: "every row after showing all" });

  // The search covers tasks that are not drawn.
  await page.reload();
  await goView(page, "Plan");
  await page.getByRole("checkbox", { name: `Done: ${title(1)}` }).waitFor();
  await page.getByLabel("Search tasks").fill("task 142");
  await page.getByRole("checkbox", { name: `Done: ${title(142)}` }).waitFor();
  assert.equal(await rows(page), 1, "only the task that matches");
  await page.getByText(`1 of ${TASKS} tasks match`).waitFor();
  await page.getByLabel("Search tasks").fill("");
  await eventually(() => rows(page), n => n === first, { message: "the window again" });

  // The filter covers every task too: none is done.
  await page.getByLabel("Which tasks").selectOption("Done");
  await page.getByText("No task matches.").waitFor();
  assert.equal(await rows(page), 0);
  await page.getByLabel("Which tasks").selectOption("All");
  await eventually(() => rows(page), n => n === first, { message: "the window after the filter" });

  // A task added from the page is shown although the window is full.
  await page.getByLabel("New task").fill("Added at the end");
  await page.getByLabel("New task").press("Enter");
  await page.getByRole("checkbox", { name: "Done: Added at the end" }).waitFor();
  assert.equal(await rows(page), first + 1);
}));

test("a_long_plan_with_its_search_and_show_more_fits_a_phone_with_no_serious_accessibility_finding", () => withRelay(async relay => {
  const { page, id } = await providerWithPortal(browser, relay, "Big Plan Ltd");
  await waitForStatus(page, "Synced");
  await fillPlan(relay, id);
  await page.setViewportSize({ width: 360, height: 740 });
  await goView(page, "Plan");
  await page.getByRole("button", { name: /^Show \d+ more/ }).waitFor();
  await page.getByRole("search", { name: "Find tasks" }).waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 0, `no horizontal scroll at 360 px (${wide} px too wide)`);
  assert.deepEqual(await axeFindings(page), []);
}));

test("a_portal_opened_before_draws_its_name_and_first_rows_from_this_device_while_its_document_loads", () => withRelay(async relay => {
  const { page, id } = await providerWithPortal(browser, relay, "Big Plan Ltd");
  await waitForStatus(page, "Synced");
  await fillPlan(relay, id);
  await goView(page, "Plan");
  await page.getByRole("checkbox", { name: `Done: ${title(1)}` }).waitFor();
  // The device keeps a ready-to-draw copy of what the plan shows first.
  const kept = await eventually(() => page.evaluate(id => JSON.parse(localStorage.getItem(`threshold.preview.${id}`) ?? "null"), id),
    p => p?.rows?.length === 50, { message: "the preview is kept" });
  assert.equal(kept.clientName, "Big Plan Ltd");
  assert.equal(kept.total, TASKS);
  assert.deepEqual(kept.rows[0], { title: title(1), done: false });

  // Reopened, the first frame with the portal draws that copy, before the document is read;
  // the page itself then takes its place.
  await page.addInitScript(() => {
    window.__preview = null;
    new MutationObserver(() => {
      const p = document.querySelector(".portal-preview");
      if (p && !window.__preview) {
        window.__preview = { name: p.querySelector("h1")?.textContent, rows: p.querySelectorAll("li.task").length, checkboxes: p.querySelectorAll("input").length };
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.reload();
  await page.getByRole("checkbox", { name: `Done: ${title(1)}` }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.__preview), { name: "Big Plan Ltd", rows: 50, checkboxes: 0 },
    "the preview was drawn first: the name, 50 rows as text, nothing to use");
  assert.equal(await page.locator(".portal-preview").count(), 0, "and is gone once the page is drawn");
  assert.deepEqual(page.errors, []);
}));
