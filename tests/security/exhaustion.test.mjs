// Issue 16, documents and HTTP: what one change, one document or one request may cost the relay,
// and the page's policy on every HTML response. Each tried as an attack against a real relay
// process on loopback; SECURITY.md has a row per attack.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withRelay } from "../e2e/harness.mjs";

/** A static dir holding a page with one inline script, as trunk writes the app's. */
function staticDirWithPage() {
  const dir = mkdtempSync(join(tmpdir(), "threshold-static-"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><html><head><script type=\"module\">import('/app.js');</script></head><body></body></html>");
  return dir;
}

/** One raw HTTP/1.1 GET, the path sent byte for byte (fetch would normalise `/./` and `//`). */
function rawGet(port, path) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.setEncoding("latin1");
    socket.on("connect", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    socket.on("data", chunk => { data += chunk; });
    socket.on("end", () => {
      const [head, ...rest] = data.split("\r\n\r\n");
      const [status, ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(lines.map(l => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      resolve({ status: Number(status.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
    });
    socket.on("error", reject);
    setTimeout(() => { socket.destroy(); reject(new Error(`no answer for ${path} in 10 s`)); }, 10_000).unref();
  });
}

test("every_html_response_carries_the_csp_whatever_the_path", async () => {
  const staticDir = staticDirWithPage();
  try {
    await withRelay({ staticDir }, async relay => {
      const paths = ["/", "/index.html", "/%69ndex.html", "/index.html/", "//index.html", "/./index.html", "/portal/deep/link"];
      for (const path of paths) {
        const res = await rawGet(relay.port, path);
        assert.match(res.headers["content-type"] ?? "", /text\/html/i, `${path} serves the page`);
        const csp = res.headers["content-security-policy"];
        assert.ok(csp, `${path} served HTML (${res.status}) without a Content-Security-Policy`);
        assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/, path);
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.equal(res.headers["x-frame-options"], "DENY", path);
        assert.equal(res.headers["x-content-type-options"], "nosniff", path);
      }
    });
  } finally {
    rmSync(staticDir, { recursive: true, force: true });
  }
});
