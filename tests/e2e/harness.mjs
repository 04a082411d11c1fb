// Shared test harness: a real relay process on loopback, real headless Chromium, and a small
// front server for the one test that needs the app to load while the relay is down.
// `withRelay` is the fixture every test runs in: it owns the relay and everything opened against
// it, so a test body holds only what it does and asserts.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, extname, normalize } from "node:path";
import { chromium } from "playwright-core";
import PostalMime from "postal-mime";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

const RELAY_BIN = process.env.THRESHOLD_RELAY_BIN ?? new URL("../../target/debug/sync-server", import.meta.url).pathname;
export const DIST = process.env.THRESHOLD_DIST ?? new URL("../../dist", import.meta.url).pathname;

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `threshold-${name}-`));
}

export { RELAY_BIN };

/**
 * Mint a token with the relay's own command line, against a data dir (the relay may be running):
 * `{ id, token, link }`. `args` are the CLI's, e.g. `["--role", "client", "--portal", id]`.
 */
export function mintToken(dataDir, args) {
  const out = execFileSync(RELAY_BIN, ["token", "create", "--json", "--data-dir", dataDir, ...args], { encoding: "utf8" });
  return JSON.parse(out);
}

export function revokeToken(dataDir, id) {
  execFileSync(RELAY_BIN, ["token", "revoke", "--data-dir", dataDir, id], { encoding: "utf8" });
}

/** The last lines a relay process wrote, kept to be shown when a test fails. */
const OUTPUT_KEPT = 64 * 1024;

/**
 * Start the relay binary; resolves once it prints its address. A first start prints the owner's
 * link, whose token becomes `owner`; on a restart an owner token is minted before the relay
 * starts. `extraArgs` pass limits and the like; `command(bin, args, dataDir)` wraps the process
 * (e.g. in a namespace). What the relay writes is kept, not shown: `output()` returns it.
 */
export async function startRelay({ dataDir = tempDir("data"), port = 0, staticDir = DIST, extraArgs = [], command, owner: knownOwner } = {}) {
  // `owner`: a token already in the relay's database (a second relay on it prints no link).
  let owner = knownOwner ?? (existsSync(join(dataDir, "access.json")) ? mintToken(dataDir, ["--role", "owner", "--name", "Test owner"]).token : null);
  const args = ["serve", "--port", String(port), "--data-dir", dataDir, ...extraArgs];
  if (staticDir) args.push("--static-dir", staticDir);
  const [bin, argv] = command ? command(RELAY_BIN, args, dataDir) : [RELAY_BIN, args];
  const child = spawn(bin, argv, { env: { ...process.env, RUST_LOG: "warn" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = chunk => { output = (output + chunk).slice(-OUTPUT_KEPT); };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start in 10 s; it wrote:\n${output}`)), 10_000);
    child.stdout.on("data", () => {
      const link = output.match(/#\/join\/(thr_\w+)/);
      if (link) owner = link[1];
      const match = output.match(/listening on (http:\/\/[\d.:]+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", code => reject(new Error(`relay exited early with ${code}; it wrote:\n${output}`)));
  });
  if (!owner) throw new Error("the relay printed no owner link on a first start");
  const exited = new Promise(resolve => child.on("exit", (code, signal) => resolve({ code, signal })));
  const wsBase = url.replace("http", "ws") + "/sync";
  return {
    url,
    pid: child.pid,
    port: Number(new URL(url).port),
    dataDir,
    owner,
    ownerLink: `${url}/#/join/${owner}`,
    /** The WebSocket URL for a token (the owner's by default), as the stock JS client needs it. */
    wsUrl: `${wsBase}?token=${owner}`,
    wsUrlFor: token => `${wsBase}?token=${token}`,
    mint: args => mintToken(dataDir, args),
    revoke: id => revokeToken(dataDir, id),
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return await exited;
    },
  };
}

/**
 * Run `body(relay)` against a fresh relay (`options` as for `startRelay`), then always clean up:
 * what was opened through the fixture (browser contexts from `newDevice`, stock JS clients from
 * `relay.jsRepo`, fronts from `relay.front`) is closed, the relay stopped and the data dir it
 * made removed. If the body fails, every relay process's output is printed before the error.
 * The fixture's `relay` outlives a process: `relay.restart()` starts the relay again on the same
 * data dir and port, as after a crash or a deploy, and its fields then describe the new process.
 */
export async function withRelay(options, body) {
  if (typeof options === "function") [options, body] = [{}, options];
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? tempDir("data");
  const cleanups = [];
  const started = [];
  const relay = {
    /** Run `close` when the test ends, the last registered first. */
    defer: close => { cleanups.push(close); },
    async restart() {
      await relay.stop();
      Object.assign(relay, await startRelay({ ...options, dataDir, port: relay.port }));
      started.push(relay.output);
      return relay;
    },
    /** A stock automerge-repo JS client with a token (the owner's by default). */
    jsRepo(token = relay.owner) {
      const adapter = new WebSocketClientAdapter(relay.wsUrlFor(token));
      let open = true;
      // The stock adapter schedules a reconnect (an untracked setTimeout) whenever the relay
      // closes its socket, e.g. on a refused change; after `disconnect` that reconnect would
      // still open a socket and keep the test process alive, so it is turned into a no-op.
      const close = () => {
        if (open) {
          adapter.connect = () => {};
          adapter.disconnect();
        }
        open = false;
      };
      relay.defer(close);
      return { repo: new Repo({ network: [adapter] }), close, adapter };
    },
    /** The built app served apart from the relay (see `startFront`). */
    async front() {
      const front = await startFront(relay.port);
      relay.defer(front.close);
      return front;
    },
  };
  try {
    Object.assign(relay, await startRelay({ ...options, dataDir }));
    started.push(relay.output);
    await body(relay);
  } catch (error) {
    for (const [n, output] of started.entries()) {
      process.stderr.write(`# relay ${n + 1} of ${started.length} wrote:\n${output().replace(/^/gm, "#   ")}\n`);
    }
    throw error;
  } finally {
    for (const close of cleanups.reverse()) await Promise.resolve().then(close).catch(() => {});
    await relay.stop?.();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Serves the built app on its own port and forwards WebSocket upgrades to a relay port. The
 * relay can then be stopped while the page still loads, as it will once the service worker
 * (PWA issue) caches the app shell.
 */
export async function startFront(relayPort) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".svg": "image/svg+xml" };
  const server = createServer((req, res) => {
    // The relay's API goes to the relay, as it would behind any reverse proxy.
    if (req.url.startsWith("/api/")) {
      const upstream = httpRequest({ host: "127.0.0.1", port: relayPort, path: req.url, method: req.method, headers: req.headers }, answer => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => { res.writeHead(502); res.end(); });
      req.pipe(upstream);
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    let file = join(DIST, path);
    if (!existsSync(file) || path === "/") file = join(DIST, "index.html");
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  });
  server.on("upgrade", (req, socket, head) => {
    const upstream = net.connect(relayPort, "127.0.0.1", () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n");
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  // Upgraded (WebSocket) sockets leave the HTTP server's bookkeeping, so track every socket to
  // be able to close the front for sure.
  const sockets = new Set();
  server.on("connection", socket => { sockets.add(socket); socket.on("close", () => sockets.delete(socket)); });
  await new Promise(resolve => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise(r => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** Debian's Chromium, quiet: no sandbox (root in a container), no GPU, no calls home. */
const CHROMIUM = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

export async function launchBrowser() {
  return await chromium.launch(CHROMIUM);
}

/**
 * A browser with a persistent profile, as a user's browser has (incognito never offers to
 * install an app); closed with the fixture's relay when one is given.
 */
export async function launchProfile(relay) {
  const profile = tempDir("profile");
  const context = await chromium.launchPersistentContext(profile, CHROMIUM);
  relay?.defer?.(async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); });
  return context;
}

/**
 * A separate browser context is a separate device: its own IndexedDB and localStorage. With a
 * relay, the device starts signed in with its owner token, as if it had opened the owner link
 * (the invite flow itself is tested in access.test.mjs); pass `{ token }` for another token, or
 * `{ signedIn: false }` for a device that has opened no link yet. A fixture's relay closes the
 * device when the test ends.
 */
export async function newDevice(browser, relay, { token, signedIn: withToken = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  relay?.defer?.(() => context.close());
  const signedIn = withToken && (token ?? relay?.owner);
  if (signedIn) {
    await context.addInitScript(t => {
      if (!localStorage.getItem("threshold.token")) localStorage.setItem("threshold.token", JSON.stringify(t));
    }, signedIn);
  }
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", error => page.errors.push(error.message));
  page.on("console", message => {
    if (message.type() === "error") page.errors.push(message.text());
  });
  return { context, page };
}

export const status = page => page.getByTestId("connection-status");

export async function waitForStatus(page, text, timeout = 15_000) {
  await status(page).filter({ hasText: text }).waitFor({ timeout });
}

/** Create a portal through the UI, from a template if one is named, and return its document id. */
export async function createPortal(page, base, clientName, { template } = {}) {
  await page.goto(base + "/");
  try {
    await page.getByLabel("Client name").fill(clientName);
  } catch (error) {
    const shown = await page.locator("body").innerText().catch(() => "");
    throw new Error(`${error.message}\nThe page showed:\n${shown.slice(0, 800)}\nPage errors: ${JSON.stringify(page.errors ?? [])}`);
  }
  if (template) await page.getByLabel("Start from").selectOption({ label: template });
  await page.getByRole("button", { name: "Create portal" }).click();
  try {
    await page.getByRole("navigation", { name: "Portal" }).waitFor();
  } catch (error) {
    const shown = await page.locator("body").innerText().catch(() => "");
    throw new Error(`${error.message}\nAt ${page.url()} the page showed:\n${shown.slice(0, 1200)}\nPage errors: ${JSON.stringify(page.errors ?? [])}`);
  }
  return page.url().split("/portal/")[1];
}

/** Switch the portal's development view switch to "Provider" or "Client". */
export async function viewAs(page, mode) {
  await page.getByRole("group", { name: "View the portal as" }).getByRole("button", { name: mode, exact: true }).click();
}

/** The open portal's views by the words of their navigation link ("Plan", "Intake", …). */
export const VIEWS = {
  Overview: "", Plan: "plan", Intake: "intake", Documents: "documents", Files: "files",
  Offboarding: "offboarding", "Check-ins": "activity", People: "people",
};

/** Move to one of the open portal's views through its navigation, as a person would. */
export async function goView(page, label) {
  const link = page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: new RegExp(`^${label}\\b`) });
  if (await link.getAttribute("aria-current") === "page") return;
  await link.click();
  await page.waitForFunction(l => [...document.querySelectorAll(".portal-nav a[aria-current=page] .nav-label")].some(e => e.textContent === l), label);
}

/** Sign a document on the Documents view with the typed-name form, as a person would. */
export async function signDocument(page, documentName, typedName) {
  await goView(page, "Documents");
  const row = page.getByRole("list", { name: "Documents" }).getByRole("listitem").filter({ has: page.getByText(documentName, { exact: true }) });
  await row.getByRole("button", { name: "Sign", exact: true }).click();
  const form = page.getByRole("form", { name: `Sign ${documentName}` });
  await form.getByLabel("Your full name").fill(typedName);
  await form.getByLabel("I agree this is my signature").check();
  await form.getByRole("button", { name: "Sign document" }).click();
  await page.getByRole("list", { name: `Signatures on ${documentName}` }).getByRole("listitem").first().waitFor();
}

export async function addTask(page, title) {
  await goView(page, "Plan");
  await page.getByLabel("New task").fill(title);
  await page.getByRole("button", { name: "Add task" }).click();
  await page.getByRole("checkbox", { name: `Done: ${title}` }).waitFor();
}

export async function taskTitles(page) {
  await goView(page, "Plan");
  return await page.getByRole("textbox", { name: "Task title" }).evaluateAll(inputs => inputs.map(i => i.value));
}

export async function welcomeText(page) {
  await goView(page, "Overview");
  return await page.getByLabel("Welcome message").inputValue();
}

/** Poll `read` until `check` holds; fails with the last value seen. */
export async function eventually(read, check, { timeout = 15_000, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await read();
    if (check(last)) return last;
    await new Promise(r => setTimeout(r, 100));
  }
  // Automerge documents hold BigInts (counters, large integers), which JSON cannot write as is.
  const shown = JSON.stringify(last, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  throw new Error(`${message} not reached; last value: ${shown}`);
}

/** A signed-in device that creates a portal (options as for `createPortal`): `{ context, page, id }`. */
export async function providerWithPortal(browser, relay, clientName, options) {
  const device = await newDevice(browser, relay);
  const id = await createPortal(device.page, relay.url, clientName, options);
  return { ...device, id };
}

/** A new device that opens an invite link and lands in the portal it opens. */
export async function openInvite(browser, relay, link) {
  const device = await newDevice(browser, relay, { signedIn: false });
  await device.page.goto(link);
  await device.page.getByRole("navigation", { name: "Portal" }).waitFor();
  return device;
}

/** Invite a client contact from the open portal's People section; returns their invite link. */
export async function inviteClient(page, name = "Dana Reyes", email = "dana@acme.example") {
  await goView(page, "People");
  const people = page.getByRole("region", { name: "People with access" });
  await people.getByLabel("Contact name").fill(name);
  await people.getByLabel("Contact email").fill(email);
  await people.getByRole("button", { name: "Create invite link" }).click();
  return people.getByLabel(`Invite link for ${name}`).inputValue();
}

/** The Python that runs the test SMTP server (`scripts/setup.sh --test` installs aiosmtpd there). */
const SMTP_PYTHON = process.env.THRESHOLD_SMTP_PYTHON ?? new URL("../../tools/smtp/venv/bin/python", import.meta.url).pathname;
const SMTP_SCRIPT = new URL("../mail/smtp_server.py", import.meta.url).pathname;

/** A free loopback port (for a server that is to start later on a known port). */
export async function freePort() {
  const server = net.createServer();
  await new Promise(resolve => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise(resolve => server.close(resolve));
  return port;
}

/**
 * A real SMTP server (aiosmtpd, `tests/mail/smtp_server.py`) on loopback that writes each message
 * it accepts to `dir` as `.eml`. `reject` lists recipients it refuses with `550`. `stop()` and
 * `start()` take it down and bring it back on the same port; `messages()` parses every message
 * received so far with postal-mime, oldest first, each with its `raw` text. Stopped when the
 * returned `close()` runs (register it with `relay.defer`).
 */
export async function startSmtp({ port = 0, dir = tempDir("mail"), reject = [], running = true } = {}) {
  let child = null;
  let output = "";
  const smtp = {
    port,
    dir,
    url: () => `smtp://127.0.0.1:${smtp.port}`,
    output: () => output,
    async start() {
      if (!smtp.port) smtp.port = 0;
      const args = [SMTP_SCRIPT, "--port", String(smtp.port), "--dir", dir];
      if (reject.length) args.push("--reject", reject.join(","));
      child = spawn(SMTP_PYTHON, args, { stdio: ["ignore", "pipe", "pipe"] });
      const keep = chunk => { output = (output + chunk).slice(-OUTPUT_KEPT); };
      child.stderr.on("data", keep);
      smtp.port = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`SMTP server did not start in 10 s:\n${output}`)), 10_000);
        child.stdout.on("data", chunk => {
          keep(chunk);
          const match = output.match(/SMTP listening on (\d+)/);
          if (match) { clearTimeout(timer); resolve(Number(match[1])); }
        });
        child.on("exit", code => { clearTimeout(timer); reject(new Error(`SMTP server exited with ${code} (run scripts/setup.sh --test):\n${output}`)); });
      });
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise(resolve => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      output = "";
    },
    close: () => smtp.stop(),
    files: () => readdirSync(dir).filter(name => name.endsWith(".eml")).sort(),
    async messages() {
      const out = [];
      for (const name of smtp.files()) {
        const raw = readFileSync(join(dir, name), "utf8");
        out.push({ ...(await PostalMime.parse(raw)), raw });
      }
      return out;
    },
  };
  if (running) await smtp.start();
  else if (!port) smtp.port = await freePort();
  return smtp;
}

/** The relay flags that send mail through `smtp`, retrying at least once a second. */
export function mailArgs(smtp) {
  return ["--smtp-url", smtp.url(), "--mail-from", "Harbor Studio <portal@harbor.example>", "--mail-reply-to", "Zoë Harbor <zoe@harbor.example>", "--mail-max-backoff-secs", "1"];
}

/** A header of a parsed message (postal-mime's `headers`), by lower-case name. */
export function header(message, name) {
  return message.headers.find(h => h.key === name)?.value;
}

// Evaluated rather than added as a script tag: the app's Content Security Policy (rightly)
// refuses inline scripts.
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The serious and critical axe-core findings on the page as it is now, one line each. */
export async function axeFindings(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations);
  return violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 4).map(n => `${n.target.join(" ")} (${(n.failureSummary ?? "").replace(/\s+/g, " ").slice(0, 160)})`).join("; ")}`);
}

/** Move the relay's test clock; resolves once a scheduler pass at that time has finished. */
export async function setClock(relay, now) {
  const response = await fetch(`${relay.url}/api/test/clock`, {
    method: "PUT",
    headers: { authorization: `Bearer ${relay.owner}`, "content-type": "application/json" },
    body: JSON.stringify({ now }),
  });
  assert.equal(response.status, 204, await response.text());
}

/** A parsed message is multipart text + HTML with a working one-click unsubscribe header. */
export function assertWellFormed(message, relay) {
  assert.match(message.raw, /^Content-Type: multipart\/alternative/m);
  assert.ok(message.text && message.html, "a text and an HTML part");
  assert.equal(header(message, "list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  assert.ok(header(message, "list-unsubscribe").startsWith(`<${relay.url}/api/mail/unsubscribe/`));
  assert.match(header(message, "message-id"), /^<[0-9a-f]{32}@harbor\.example>$/);
  assert.deepEqual(message.from, { address: "portal@harbor.example", name: "Harbor Studio" });
}
