// Sign in by email: a person without a link asks for one on the sign-in page, gets it from a real
// SMTP server (aiosmtpd), and opens it in Chromium; the page says the same for an unknown address,
// and a used link does not work twice.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  withRelay, startSmtp, mailArgs, eventually, launchBrowser, newDevice, providerWithPortal, waitForStatus,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Ask for a sign-in link on a fresh device's sign-in page; returns the page. */
async function askForLink(relay, email) {
  const { page } = await newDevice(browser, relay, { signedIn: false });
  await page.goto(relay.url + "/");
  await page.getByLabel("Your email").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("status").filter({ hasText: "a sign-in link is on its way" }).waitFor();
  return page;
}

test("a client who lost their invite signs in with a link emailed to them, once", async () => {
  const smtp = await startSmtp();
  await withRelay({ extraArgs: mailArgs(smtp) }, async relay => {
    relay.defer(smtp.close);
    const { id } = await providerWithPortal(browser, relay, "Acme Studio");
    const original = relay.mint(["--role", "client", "--portal", id, "--name", "Dana Reyes", "--email", "dana@acme.example"]);
    await eventually(
      async () => (await fetch(`${relay.url}/api/tokens`, { headers: { authorization: `Bearer ${relay.owner}` } })).json(),
      list => list.some(t => t.id === original.id),
      { message: "the relay sees the new token" },
    );

    // An address nobody has gets the very same answer, and no email.
    const stranger = await askForLink(relay, "nobody@acme.example");
    assert.match(await stranger.getByRole("status").filter({ hasText: "on its way" }).innerText(), /If nobody@acme\.example belongs to someone with access here/);

    const page = await askForLink(relay, "Dana@Acme.example");
    const [message] = await eventually(() => smtp.messages(), m => m.length === 1, { message: "the sign-in email arrives" });
    assert.deepEqual(message.to, [{ address: "dana@acme.example", name: "Dana Reyes" }]);
    assert.equal(message.subject, "Your sign-in link for Harbor Studio");
    assert.ok(!message.raw.includes("thr_"), "no long-lived token rides in the email");
    assert.ok(!message.raw.includes(original.token));
    const link = message.text.match(/(http:\/\/\S+\/#\/sign-in\/tsl_\w+)/)[1];

    // Opened from the email: a new tab of the browser that asked.
    const opened = await page.context().newPage();
    await opened.goto(link);
    await opened.getByRole("navigation", { name: "Portal" }).waitFor();
    assert.equal(await opened.getByRole("heading", { level: 1 }).innerText(), "Acme Studio");
    assert.ok(!opened.url().includes("tsl_"), "the link leaves the address bar");
    await waitForStatus(opened, "Synced");

    // The same link on another device does nothing but say so.
    const { page: other } = await newDevice(browser, relay, { signedIn: false });
    await other.goto(link);
    await other.getByRole("alert").filter({ hasText: "That did not sign you in" }).waitFor();
    assert.match(await other.getByRole("alert").filter({ hasText: "did not sign you in" }).innerText(), /expired or was already used/);
    assert.equal(await other.getByRole("navigation", { name: "Portal" }).count(), 0);
  });
});
