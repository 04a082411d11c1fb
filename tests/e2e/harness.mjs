// Shared test harness: a real relay process on loopback, real headless Chromium, and a small
// front server for the one test that needs the app to load while the relay is down.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, extname, normalize } from "node:path";
import { chromium } from "playwright-core";

const RELAY_BIN = process.env.THRESHOLD_RELAY_BIN ?? new URL("../../target/debug/sync-server", import.meta.url).pathname;
export const DIST = process.env.THRESHOLD_DIST ?? new URL("../../dist", import.meta.url).pathname;

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `threshold-${name}-`));
}

export async function freePort() {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
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

/**
 * Start the relay binary; resolves once it prints its address. A first start prints the owner's
 * link, whose token becomes `owner`; on a restart an owner token is minted before the relay
 * starts. `extraArgs` pass limits and the like.
 */
export async function startRelay({ dataDir = tempDir("data"), port = 0, staticDir = DIST, extraArgs = [], command } = {}) {
  let owner = existsSync(join(dataDir, "access.json")) ? mintToken(dataDir, ["--role", "owner", "--name", "Test owner"]).token : null;
  const args = ["serve", "--port", String(port), "--data-dir", dataDir, ...extraArgs];
  if (staticDir) args.push("--static-dir", staticDir);
  const [bin, argv] = command ? command(RELAY_BIN, args) : [RELAY_BIN, args];
  const child = spawn(bin, argv, { env: { ...process.env, RUST_LOG: "warn" }, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => reject(new Error("relay did not start in 10 s")), 10_000);
    child.stdout.on("data", chunk => {
      buffered += chunk;
      const link = buffered.match(/#\/join\/(thr_\w+)/);
      if (link) owner = link[1];
      const match = buffered.match(/listening on (http:\/\/[\d.:]+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", code => reject(new Error(`relay exited early with ${code}`)));
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
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return await exited;
    },
  };
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

export async function launchBrowser() {
  return await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * A separate browser context is a separate device: its own IndexedDB and localStorage. With a
 * relay, the device starts signed in with its owner token, as if it had opened the owner link
 * (the invite flow itself is tested in access.test.mjs); pass `{ token }` for another token.
 */
export async function newDevice(browser, relay, { token } = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const signedIn = token ?? relay?.owner;
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
    await page.getByRole("heading", { name: "Task plan" }).waitFor();
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

export async function addTask(page, title) {
  await page.getByLabel("New task").fill(title);
  await page.getByRole("button", { name: "Add task" }).click();
  await page.getByRole("checkbox", { name: `Done: ${title}` }).waitFor();
}

export async function taskTitles(page) {
  return await page.getByRole("textbox", { name: "Task title" }).evaluateAll(inputs => inputs.map(i => i.value));
}

export async function welcomeText(page) {
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
  throw new Error(`${message} not reached; last value: ${JSON.stringify(last)}`);
}

/** Invite a client contact from the open portal's People section; returns their invite link. */
export async function inviteClient(page, name = "Dana Reyes", email = "dana@acme.example") {
  const people = page.getByRole("region", { name: "People with access" });
  await people.getByLabel("Contact name").fill(name);
  await people.getByLabel("Contact email").fill(email);
  await people.getByRole("button", { name: "Create invite link" }).click();
  return people.getByLabel(`Invite link for ${name}`).inputValue();
}
