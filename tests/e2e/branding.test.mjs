// White label: the provider sets a business name, an accent colour and a logo in the workspace;
// the client's portal shows them instead of Threshold's (header, colours, page title,
// theme-color, the tab's icon), and axe-core finds nothing serious with that colour.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { deflateSync } from "node:zlib";
import {
  VIEWS, axeFindings, goView, inviteClient, launchBrowser, openInvite, providerWithPortal, waitForStatus, withRelay,
} from "./harness.mjs";

const SHOTS = process.env.THRESHOLD_SHOTS;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** A real 8×8 PNG in one colour, built here so the test needs no fixture file. */
function png([r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = buf => { let c = 0xffffffff; for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13); header.writeUInt32BE(8, 0); header.writeUInt32BE(8, 4); header[8] = 8; header[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(8).fill([r, g, b]).flat())]);
  const rows = Buffer.concat(Array(8).fill(row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

/** The brand as the page shows it. */
const shownBrand = page => page.evaluate(() => ({
  title: document.title,
  name: document.querySelector("[data-testid=brand]")?.textContent.trim(),
  logo: document.querySelector("[data-testid=brand] img")?.getAttribute("src")?.slice(0, 22) ?? null,
  brand: getComputedStyle(document.documentElement).getPropertyValue("--brand").trim(),
  ink: getComputedStyle(document.documentElement).getPropertyValue("--brand-ink").trim(),
  header: getComputedStyle(document.querySelector(".topbar")).backgroundColor,
  themeColor: document.querySelector("meta[name=theme-color]")?.getAttribute("content"),
}));

test("the_client_sees_the_providers_name_logo_and_colour_and_axe_finds_nothing_serious", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Acme Rockets");
  const p = provider.page;
  await waitForStatus(p, "Synced");

  // The provider sets its brand in the workspace, after the portal exists: saving copies it in.
  await p.goto(relay.url + "/");
  const settings = p.getByRole("region", { name: "Your brand" });
  // A refused colour is said next to the form, never saved.
  await settings.getByLabel("Business name").fill("   ");
  await settings.getByRole("button", { name: "Save brand" }).click();
  await settings.getByText("Write your business's name, as clients should see it.").waitFor();
  await settings.getByLabel("Business name").fill("Northwind Studio");
  // A light accent: text on it must turn dark, links in it darker.
  await settings.getByLabel("Accent colour").fill("#f4c95d");
  await settings.getByLabel("Logo image").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: png([122, 31, 92]) });
  await settings.getByRole("img", { name: "Your logo" }).waitFor();
  await settings.getByRole("button", { name: "Save brand" }).click();
  await settings.getByText("Saved. Your clients see this brand in their portals.").waitFor();
  assert.deepEqual(await shownBrand(p), {
    title: "Northwind Studio", name: "Northwind Studio", logo: "data:image/png;base64,",
    brand: "#f4c95d", ink: "#17212b", header: "rgb(244, 201, 93)", themeColor: "#f4c95d",
  });
  if (SHOTS) {
    for (const [width, height] of [[390, 844], [1280, 800]]) {
      await p.setViewportSize({ width, height });
      await settings.scrollIntoViewIfNeeded();
      await p.screenshot({ path: `${SHOTS}/provider-brand-settings-${width}.png`, fullPage: true });
    }
    await p.setViewportSize({ width: 1100, height: 900 });
  }

  // The client, on a device of their own, sees the provider's brand, not Threshold's.
  await p.goto(`${relay.url}/#/portal/${provider.id}`);
  await p.getByRole("navigation", { name: "Portal" }).waitFor();
  const link = await inviteClient(p, "Dana Reyes", "dana@acme.example");
  const client = await openInvite(browser, relay, link);
  const c = client.page;
  await c.waitForFunction(() => document.title === "Northwind Studio");
  assert.deepEqual(await shownBrand(c), {
    title: "Northwind Studio", name: "Northwind Studio", logo: "data:image/png;base64,",
    brand: "#f4c95d", ink: "#17212b", header: "rgb(244, 201, 93)", themeColor: "#f4c95d",
  });
  assert.equal(await c.locator(".topbar").getByText("Threshold").count(), 0, "no Threshold in the header");
  assert.match(await c.locator("link[rel=icon]").getAttribute("href"), /^data:image\/png;base64,/, "the tab shows the logo");

  const problems = [];
  for (const label of ["Overview", "Plan", "Documents", "Files", "Check-ins"]) {
    await c.goto(`${relay.url}/#/portal/${provider.id}${VIEWS[label] ? "/" + VIEWS[label] : ""}`);
    await goView(c, label);
    await c.locator("main h2").first().waitFor();
    for (const [width, height] of [[390, 844], [1280, 800]]) {
      await c.setViewportSize({ width, height });
      for (const finding of await axeFindings(c)) problems.push(`${label} @${width}: ${finding}`);
      if (SHOTS) await c.screenshot({ path: `${SHOTS}/client-branded-${VIEWS[label] || "overview"}-${width}.png`, fullPage: true });
    }
  }
  assert.deepEqual(problems, []);
}));

test("a_portal_created_after_the_brand_is_set_carries_it_and_a_dark_accent_keeps_white_text", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "First Client");
  const p = provider.page;
  await p.goto(relay.url + "/");
  const settings = p.getByRole("region", { name: "Your brand" });
  await settings.getByLabel("Business name").fill("Harbour & Co");
  await settings.getByLabel("Accent colour").fill("#7a1f5c");
  await settings.getByRole("button", { name: "Save brand" }).click();
  await settings.getByText("Saved.", { exact: false }).waitFor();
  await p.getByLabel("Client name").fill("Second Client");
  await p.getByRole("button", { name: "Create portal" }).click();
  await p.getByRole("navigation", { name: "Portal" }).waitFor();
  await waitForStatus(p, "Synced");
  const link = await inviteClient(p, "Ana Lima", "ana@second.example");
  const c = (await openInvite(browser, relay, link)).page;
  await c.waitForFunction(() => document.title === "Harbour & Co");
  const shown = await shownBrand(c);
  assert.equal(shown.name, "Harbour & Co");
  assert.equal(shown.logo, null, "no logo set, none shown");
  assert.equal(shown.brand, "#7a1f5c");
  assert.equal(shown.ink, "#ffffff");
}));
