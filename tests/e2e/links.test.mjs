// Links written into a portal become links only with http, https or mailto (issue 16): a
// `javascript:` or `data:` address, however it got into the document, is shown as text.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { eventually, goView, inviteClient, launchBrowser, openInvite, providerWithPortal, waitForStatus, withRelay } from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test("a_link_with_a_script_address_is_shown_as_text_never_as_a_link", () => withRelay(async relay => {
  const provider = await providerWithPortal(browser, relay, "Link Test Ltd");
  const p = provider.page;
  const link = await inviteClient(p);
  await waitForStatus(p, "Synced");
  // Written by a tool, not the app: the app's forms are not what stands in the way.
  const js = relay.jsRepo();
  const handle = await js.repo.find(`automerge:${provider.id}`);
  handle.change(d => {
    d.links.bad = { title: "Pay here", url: "javascript:document.title='owned'", note: "", sensitive: false };
    d.links.data = { title: "Open the form", url: "data:text/html,<script>alert(1)</script>", note: "", sensitive: false };
    d.links.good = { title: "Brand guide", url: "https://example.com/brand", note: "", sensitive: false };
  });
  const c = (await openInvite(browser, relay, link)).page;
  for (const page of [c, p]) {
    await goView(page, "Overview");
    await page.getByRole("link", { name: "Brand guide" }).waitFor();
    await eventually(() => page.getByTestId("link-as-text").count(), n => n === 2, { message: "both script addresses shown as text" });
    assert.equal(await page.locator('a[href^="javascript:" i], a[href^="data:" i]').count(), 0, "no link with a script address");
    assert.equal(await page.getByRole("link", { name: "Pay here" }).count(), 0);
    assert.equal(await page.getByRole("link", { name: "Open the form" }).count(), 0);
    await page.getByText("javascript:document.title='owned'").waitFor();
  }
  assert.deepEqual([...p.errors, ...c.errors], []);
}));
