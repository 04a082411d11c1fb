// Every screen on a phone and a laptop, for both sides: no sideways scrolling, no serious or
// critical axe-core finding, the overview's next step at each stage, and views that the
// browser's back button moves between. Screenshots go to $THRESHOLD_SHOTS when it is set.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import {
  VIEWS, axeFindings, createPortal, eventually, goView, inviteClient, launchBrowser, newDevice, openInvite, waitForStatus, withRelay,
} from "./harness.mjs";

const SHOTS = process.env.THRESHOLD_SHOTS;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const WIDTHS = [[390, 844], [1280, 800]];

async function overflow(page) {
  return await page.evaluate(() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    // Name the widest offenders, to say what to fix.
    const wide = [...document.querySelectorAll("body *")]
      .filter(e => e.getBoundingClientRect().right > width + 1)
      .slice(0, 5)
      .map(e => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")} right=${Math.round(e.getBoundingClientRect().right)}`);
    return `${document.documentElement.scrollWidth}px wide at ${width}px: ${wide.join(", ")}`;
  });
}

/** Check the page as it is at both widths; `name` names the screenshots. */
async function checkScreen(page, name, problems) {
  for (const [width, height] of WIDTHS) {
    await page.setViewportSize({ width, height });
    const wide = await overflow(page);
    if (wide) problems.push(`${name} @${width}: overflow ${wide}`);
    for (const finding of await axeFindings(page)) problems.push(`${name} @${width}: ${finding}`);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
}

/** Each view the side sees, visited by its address. */
async function checkViews(page, base, id, side, labels, problems) {
  for (const label of labels) {
    await page.goto(`${base}/#/portal/${id}${VIEWS[label] ? "/" + VIEWS[label] : ""}`);
    await page.waitForFunction(l => [...document.querySelectorAll(".portal-nav a[aria-current=page] .nav-label")].some(e => e.textContent === l), label);
    await page.locator("main h2").first().waitFor();
    await checkScreen(page, `${side}-${VIEWS[label] || "overview"}`, problems);
  }
}

const nextStep = page => page.getByTestId("next-step").getByRole("heading");

test("every_view_fits_a_phone_and_a_laptop_with_no_serious_accessibility_finding_for_both_sides", () => withRelay(async relay => {
  const problems = [];
  const provider = await newDevice(browser, relay);
  const p = provider.page;
  // The workspace and the pages around the portal, before and after there is a portal.
  await p.goto(relay.url + "/");
  await p.getByRole("heading", { name: "Clients", level: 1 }).waitFor();
  // A white-label brand with a mid-dark accent, as a customer would set it: every colour drawn
  // from the accent must still read (a translucent pill over it once did not).
  const brand = p.getByRole("region", { name: "Your brand" });
  await brand.getByLabel("Business name").fill("Harbor Studio");
  await brand.getByLabel("Accent colour").fill("#0b6e4f");
  await brand.getByRole("button", { name: "Save brand" }).click();
  await brand.getByText("Saved. Your clients see this brand in their portals.").waitFor();
  const id = await createPortal(p, relay.url, "Northwind Traders", { template: "Service engagement" });
  await p.goto(relay.url + "/");
  await p.getByRole("row", { name: /Northwind Traders/ }).waitFor();
  await checkScreen(p, "provider-workspace", problems);
  await p.goto(relay.url + "/#/nowhere");
  await p.getByRole("heading", { name: "Page not found", level: 1 }).waitFor();
  await checkScreen(p, "provider-not-found", problems);

  // A realistic portal: the client invited, some answers given.
  await p.goto(`${relay.url}/#/portal/${id}`);
  const link = await inviteClient(p, "Dana Reyes", "dana@northwind.example");
  const c = (await openInvite(browser, relay, link)).page;
  await goView(c, "Intake");
  await c.getByRole("textbox", { name: "Company legal name (required)" }).fill("Northwind Traders LLC");
  await c.getByRole("textbox", { name: "Company legal name (required)" }).blur();
  await c.getByLabel("Primary goal (required)").selectOption("Launch something new");
  await waitForStatus(c, "Synced");

  await checkViews(p, relay.url, id, "provider", Object.keys(VIEWS), problems);
  await checkViews(c, relay.url, id, "client", Object.keys(VIEWS).filter(v => v !== "People" && v !== "Offboarding"), problems);
  // The client's archive, once the engagement has ended: the same views, read as a page.
  await p.goto(`${relay.url}/#/portal/${id}`);
  await p.getByLabel("Stage").selectOption("cancelled");
  await c.getByText("This engagement has ended. The portal stays here as your read-only archive.").waitFor();
  await checkViews(c, relay.url, id, "client-archive", ["Overview", "Plan", "Intake", "Documents"], problems);
  await goView(c, "Plan");
  await c.getByRole("heading", { name: "Task plan" }).waitFor();
  assert.equal(await c.getByRole("button", { name: "Add task" }).count(), 0, "no add form in the archive");
  // A sign-in page: a device that opened no link yet.
  const stranger = (await newDevice(browser, relay, { signedIn: false })).page;
  await stranger.goto(relay.url + "/");
  await stranger.locator("main h1").first().waitFor();
  await checkScreen(stranger, "sign-in", problems);

  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
}));

test("the_overview_says_the_next_step_for_each_side_from_a_new_portal_to_the_archive", () => withRelay(async relay => {
  const { page: p } = await newDevice(browser, relay);
  const id = await createPortal(p, relay.url, "Acme Studio");
  // A new portal: nobody at the client can see it yet.
  // (Until the relay has said who has access, the card does not ask for an invite.)
  await eventually(() => nextStep(p).innerText(), t => t === "Invite the client", { message: "provider's step for a new portal" });
  await p.getByTestId("next-step").getByRole("link", { name: "Invite the client" }).click();
  await p.getByRole("region", { name: "People with access" }).waitFor();
  const link = await inviteClient(p);
  await goView(p, "Overview");
  // Invited, with nothing waiting on the client in a blank portal: we schedule the first meeting.
  await eventually(() => nextStep(p).innerText(), t => t === "Schedule the first meeting", { message: "provider's step once invited" });
  const c = (await openInvite(browser, relay, link)).page;
  await eventually(() => nextStep(c).innerText(), t => t === "Nothing waits on you", { message: "client's step in a blank portal" });
  assert.equal(await c.getByRole("button", { name: /Leave early|Leaving early/ }).count() <= 1, true);

  // Offboarding starts from the overview's way in, without setting the stage to Active first.
  await goView(p, "Offboarding");
  await p.getByRole("button", { name: "Start offboarding" }).click();
  await goView(p, "Overview");
  await eventually(() => nextStep(p).innerText(), t => t === "Settle before the goodbye" || t === "Send the goodbye", { message: "provider's step during offboarding" });
  await eventually(() => nextStep(c).innerText(), t => t === "Review what we delivered", { message: "client's step during offboarding" });
  await c.getByTestId("next-step").getByRole("link").click();
  await c.getByRole("heading", { name: "Deliverables review" }).waitFor();

  // Alumni: the provider's follow-ups; the client's archive has nothing to do.
  await p.getByLabel("Stage").selectOption("alumni");
  await eventually(() => nextStep(p).innerText(), t => t === "This engagement has ended", { message: "provider's step for alumni" });
  await c.goto(`${relay.url}/#/portal/${id}`);
  await eventually(() => nextStep(c).innerText(), t => t === "This engagement has ended", { message: "client's step for alumni" });
  assert.equal(await c.getByTestId("next-step").getByRole("link").count(), 0);
  // The archive reads as a page: no add forms or editing buttons in it.
  await goView(c, "Plan");
  assert.equal(await c.getByRole("button", { name: "Add task" }).isVisible(), false);
  if (SHOTS) {
    for (const [width, height] of WIDTHS) {
      await c.setViewportSize({ width, height });
      await c.screenshot({ path: `${SHOTS}/client-archive-plan-${width}.png`, fullPage: true });
    }
  }
}));

test("the_back_button_returns_to_the_previous_view_and_each_view_has_its_own_address", () => withRelay(async relay => {
  const { page: p } = await newDevice(browser, relay);
  const id = await createPortal(p, relay.url, "Back Co");
  await goView(p, "Plan");
  assert.ok(p.url().endsWith(`/#/portal/${id}/plan`));
  await goView(p, "Documents");
  await p.getByRole("heading", { name: "Documents", level: 2 }).waitFor();
  await p.goBack();
  await p.getByRole("heading", { name: "Task plan" }).waitFor();
  assert.equal(await p.getByRole("heading", { name: "Documents", level: 2 }).count(), 0);
  await p.goBack();
  await p.getByTestId("next-step").waitFor();
  await p.goForward();
  await p.getByRole("heading", { name: "Task plan" }).waitFor();
  // The connection pill explains itself on a tap, not only in a hover tooltip.
  await p.getByTestId("connection-status").click();
  await p.locator("#status-explanation").waitFor();
  assert.ok((await p.locator("#status-explanation").innerText()).length > 20, "an explanation in words");
  assert.equal(await p.getByTestId("connection-status").getAttribute("aria-expanded"), "true");
  // One h1 on the portal page: the client's name.
  assert.deepEqual(await p.locator("h1:visible").allInnerTexts(), ["Back Co"]);
}));
