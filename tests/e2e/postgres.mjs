// A throwaway PostgreSQL cluster for the tests of several relays on one database: `initdb` into
// a temp dir, `pg_ctl` on a free loopback port, removed by `stop()`. Debian's PostgreSQL
// (scripts/setup.sh --test installs it). `initdb` refuses to run as root, so as root the
// cluster belongs to the `postgres` user and its commands run through `runuser`.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { freePort, tempDir } from "./harness.mjs";

function pgBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => a - b) : [];
  const bin = versions.map(v => `/usr/lib/postgresql/${v}/bin`).filter(b => existsSync(`${b}/initdb`)).pop();
  if (!bin) throw new Error("PostgreSQL is not installed: run scripts/setup.sh --test (or set PG_BIN)");
  return bin;
}

/**
 * `diskMegabytes` puts the cluster on a tmpfs of that size, for a database disk that fills up:
 * `dir` is where a test writes to fill it. Mounting one needs root (as CI and the test command
 * run); without it the cluster cannot be placed and this says so.
 */
export async function startPostgres({ diskMegabytes } = {}) {
  const bin = pgBin();
  const dir = tempDir("pg");
  const asRoot = process.getuid?.() === 0;
  if (diskMegabytes) {
    if (!asRoot) throw new Error("a database on a small disk needs root, to mount a tmpfs for it");
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${diskMegabytes}m`, "tmpfs", dir]);
  }
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    chownSync(dir, uid, gid);
  }
  const pg = (tool, args) => asRoot
    ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, tool), ...args], { stdio: "pipe" })
    : execFileSync(join(bin, tool), args, { stdio: "pipe" });
  const data = join(dir, "data");
  const port = await freePort();
  pg("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  const start = () => pg("pg_ctl", ["-D", data, "-o", `-p ${port} -k ${data} -c listen_addresses=127.0.0.1`, "-l", join(data, "pg.log"), "-w", "start"]);
  start();
  let databases = 0;
  return {
    dir,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** A new empty database (one per group of relays), and its URL. */
    database() {
      const name = `relays${++databases}`;
      pg("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    /** One query's rows as psql prints them unaligned, in the database at `url`. */
    query(url, sql) {
      const database = new URL(url).pathname.slice(1);
      return pg("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-Atc", sql]).toString().trim();
    },
    start,
    stopServer: () => pg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]),
    stop() {
      try { pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]); } catch {}
      if (diskMegabytes) execFileSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
