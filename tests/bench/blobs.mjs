// The relay's file store under load (BENCHMARKS.md, files): upload, whole download and ranged
// reads of one large file, against writing and reading the same bytes on the same disk directly,
// in the same run, so the ratios say what the relay's hashing, checks and HTTP cost.
//   BENCH_BLOB_MB (50), BENCH_ROUNDS (5)
import { createHash, randomBytes } from "node:crypto";
import { openSync, writeSync, fsyncSync, closeSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startRelay, tempDir } from "../e2e/harness.mjs";

const mb = Number(process.env.BENCH_BLOB_MB ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async f => { const t = performance.now(); await f(); return performance.now() - t; };

const relay = await startRelay({ staticDir: null, extraArgs: ["--max-blob-bytes", String((mb + 1) << 20)] });
const auth = { authorization: `Bearer ${relay.owner}` };
const direct = tempDir("direct");
const rows = { upload: [], download: [], range: [], diskWrite: [], diskRead: [] };
try {
  for (let i = 0; i < rounds; i++) {
    const content = randomBytes(mb << 20);
    const hash = createHash("sha256").update(content).digest("hex");
    rows.upload.push(await time(async () => {
      const r = await fetch(`${relay.url}/blobs/${hash}`, { method: "PUT", headers: auth, body: content });
      if (r.status !== 201) throw new Error(`upload answered ${r.status}`);
    }));
    rows.download.push(await time(async () => {
      const r = await fetch(`${relay.url}/blobs/${hash}`, { headers: auth });
      const got = Buffer.from(await r.arrayBuffer());
      if (got.length !== content.length) throw new Error("short download");
    }));
    rows.range.push(await time(async () => {
      for (let k = 0; k < 100; k++) {
        const start = (k * 7919 * 1024) % (content.length - 65536);
        const r = await fetch(`${relay.url}/blobs/${hash}`, { headers: { ...auth, range: `bytes=${start}-${start + 65535}` } });
        if (r.status !== 206) throw new Error(`range answered ${r.status}`);
        await r.arrayBuffer();
      }
    }));
    // The same bytes straight to disk the way the relay stores them: hash, write, fsync, rename.
    const path = join(direct, `f${i}`);
    rows.diskWrite.push(await time(async () => {
      createHash("sha256").update(content).digest("hex");
      const fd = openSync(path + ".tmp", "w");
      writeSync(fd, content);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(path + ".tmp", path);
    }));
    rows.diskRead.push(await time(async () => { readFileSync(path); }));
    rmSync(path);
  }
  const rate = ms => (mb / (ms / 1000)).toFixed(0);
  console.log(`file of ${mb} MB, ${rounds} rounds, medians`);
  console.log(`| | relay | disk directly | relay ÷ disk |`);
  console.log(`|---|---|---|---|`);
  console.log(`| upload (PUT, hashed, fsynced, renamed) | ${median(rows.upload).toFixed(0)} ms (${rate(median(rows.upload))} MB/s) | ${median(rows.diskWrite).toFixed(0)} ms (${rate(median(rows.diskWrite))} MB/s) | ${(median(rows.upload) / median(rows.diskWrite)).toFixed(2)}× |`);
  console.log(`| download (GET, whole) | ${median(rows.download).toFixed(0)} ms (${rate(median(rows.download))} MB/s) | ${median(rows.diskRead).toFixed(0)} ms (${rate(median(rows.diskRead))} MB/s) | ${(median(rows.download) / median(rows.diskRead)).toFixed(2)}× |`);
  console.log(`| 100 ranged reads of 64 KB | ${median(rows.range).toFixed(0)} ms (${(median(rows.range) / 100).toFixed(2)} ms each) | | |`);
} finally {
  await relay.stop();
  rmSync(direct, { recursive: true, force: true });
}
