// Debian's nginx in front of relays, running the documented example `deploy/nginx.conf` with
// only its addresses and paths changed: a foreground process with its own config and prefix in
// a temp dir (scripts/setup.sh --test installs nginx).
//
// Each front is one `server` block on its own loopback port whose upstream lists the relays in
// the order given, the first as the primary and the rest as `backup`: a test decides which relay
// a browser lands on (the example balances round-robin), and the backups are where nginx turns
// when the primary is down, as any balancer would.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually, freePort, tempDir } from "./harness.mjs";

const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";
const EXAMPLE = new URL("../../deploy/nginx.conf", import.meta.url).pathname;

/** Replace exactly one match of `pattern` in `text`, or fail: the example changed shape. */
function replaceOnce(text, pattern, replacement) {
  const matches = text.match(new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g"));
  if (matches?.length !== 1) throw new Error(`deploy/nginx.conf: expected one match of ${pattern}, found ${matches?.length ?? 0}`);
  return text.replace(pattern, replacement);
}

/** The example with `fronts` (each a list of relay ports, primary first) and paths under `dir`. */
export function frontConfig(example, dir, fronts) {
  let config = replaceOnce(example, /access_log \S+ threshold;/, `access_log ${join(dir, "access.log")} threshold;`);
  // Temporary files (uploads nginx buffers, responses it spools) in the prefix, not /var/lib.
  config = replaceOnce(config, /^http \{$/m, ["http {", ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map(kind => `    ${kind}_temp_path ${join(dir, kind)};`)].join("\n"));
  const upstream = config.match(/^ {4}upstream threshold_relays \{\n[\s\S]*?^ {4}\}\n/m);
  const server = config.match(/^ {4}server \{\n[\s\S]*?^ {4}\}\n/m);
  if (!upstream || !server) throw new Error("deploy/nginx.conf: no `upstream threshold_relays` or `server` block");
  const serverLine = upstream[0].match(/^ {8}server 127\.0\.0\.1:\d+ (.*);$/m);
  if (!serverLine) throw new Error("deploy/nginx.conf: no relay line in the upstream");
  const upstreams = fronts.map(({ relays }, n) => upstream[0]
    .replace("threshold_relays", `threshold_relays_${n}`)
    .replace(/^ {8}server 127\.0\.0\.1:.*\n/gm, "")
    .replace(/^( {4}upstream .*\{\n)/, `$1${relays.map((port, i) =>
      `        server 127.0.0.1:${port} ${serverLine[1]}${i > 0 ? " backup" : ""};\n`).join("")}`)).join("");
  const servers = fronts.map(({ port }, n) => {
    const block = replaceOnce(server[0], /^ {8}listen 80;$/m, `        listen 127.0.0.1:${port};`);
    return block.replaceAll("http://threshold_relays;", `http://threshold_relays_${n};`);
  }).join("");
  return config.replace(upstream[0], upstreams).replace(server[0], servers);
}

/**
 * Start nginx with one front per entry of `fronts` (lists of relay ports, primary first); resolves
 * once every front answers. Returns `{ urls, log(), stop() }`; `log()` is the access log's lines.
 */
export async function startNginx(fronts) {
  const dir = tempDir("nginx");
  const withPorts = [];
  for (const relays of fronts) withPorts.push({ relays, port: await freePort() });
  const conf = join(dir, "nginx.conf");
  writeFileSync(conf, frontConfig(readFileSync(EXAMPLE, "utf8"), dir, withPorts));
  // One process, in the foreground, as whoever runs the tests: no workers switching to
  // `nobody`, who could not write the temp dir.
  const child = spawn(NGINX, ["-p", dir, "-c", conf, "-e", join(dir, "error.log"),
    "-g", `daemon off; master_process off; pid ${join(dir, "nginx.pid")};`], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", c => { output += c; });
  child.stderr.on("data", c => { output += c; });
  const exited = new Promise(resolve => child.on("exit", (code, signal) => resolve({ code, signal })));
  const urls = withPorts.map(({ port }) => `http://127.0.0.1:${port}`);
  const errorLog = () => { try { return readFileSync(join(dir, "error.log"), "utf8"); } catch { return ""; } };
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${output}\n${errorLog()}`);
      const answers = await Promise.all(urls.map(u => fetch(`${u}/healthz`).then(r => r.status, () => 0)));
      return answers;
    }, answers => answers.every(s => s === 200), { message: "nginx answers on every front" });
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    urls,
    config: () => readFileSync(conf, "utf8"),
    /** Access log lines: `addr [time] port "METHOD /path" status bytes seconds upstream`. */
    log: () => { try { return readFileSync(join(dir, "access.log"), "utf8").split("\n").filter(Boolean); } catch { return []; } },
    errors: errorLog,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
