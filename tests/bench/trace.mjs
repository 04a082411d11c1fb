// A Chromium trace of a page through the DevTools protocol, and what its long main-thread tasks
// were made of: the way the issue-19 stalls were found (see BENCHMARKS.md). The benchmark
// records one when BENCH_TRACE names a directory.
import { createWriteStream, readFileSync } from "node:fs";

const CATEGORIES = [
  "toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "v8.gc", "blink.gc",
  "renderer.scheduler", "accessibility", "blink", "loading",
].join(",");

/** Starts tracing `page`; returns a function that stops it and writes the trace to `file`. */
export async function startTrace(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Tracing.start", { categories: CATEGORIES, transferMode: "ReturnAsStream" });
  return async file => {
    const done = new Promise(resolve => cdp.once("Tracing.tracingComplete", resolve));
    await cdp.send("Tracing.end");
    const { stream } = await done;
    const out = createWriteStream(file);
    for (;;) {
      const chunk = await cdp.send("IO.read", { handle: stream, size: 4 << 20 });
      out.write(chunk.base64Encoded ? Buffer.from(chunk.data, "base64") : chunk.data);
      if (chunk.eof) break;
    }
    await cdp.send("IO.close", { handle: stream });
    await new Promise(resolve => out.end(resolve));
    await cdp.detach();
  };
}

/**
 * The renderer main thread's tasks over `threshold` ms in the trace at `file`, where they were
 * posted from, and the events their time went to (self time: an event's duration less its
 * children's), largest first.
 */
export function summarizeTrace(file, threshold = 50) {
  const parsed = JSON.parse(readFileSync(file, "utf8"));
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mains = new Set(events
    .filter(e => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain")
    .map(e => `${e.pid}:${e.tid}`));
  const byThread = new Map();
  for (const e of events) {
    if (e.ph !== "X" || e.dur === undefined || !mains.has(`${e.pid}:${e.tid}`)) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  const tasks = [];
  const selfTime = new Map();
  // Where the long tasks were posted from (Chromium annotates a task with its source function).
  const postedFrom = new Map();
  for (const list of byThread.values()) {
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    // Walk the nesting: a stack of open events; each event's self time is what its children
    // leave of it. Only time inside a long top-level task is counted.
    const stack = [];
    let current = null;
    const close = e => {
      if (current && e.self > 0) selfTime.set(e.name, (selfTime.get(e.name) ?? 0) + e.self / 1000);
    };
    for (const e of list) {
      while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) close(stack.pop());
      if (!stack.length) {
        current = e.dur / 1000 > threshold && /RunTask/.test(e.name) ? e : null;
        if (current) tasks.push(e.dur / 1000);
      }
      if (current && stack.length <= 1 && e.args?.src_func) {
        const from = `${e.args.src_file?.split("/").pop()}: ${e.args.src_func}`;
        postedFrom.set(from, (postedFrom.get(from) ?? 0) + e.dur / 1000);
      }
      const node = { name: e.name, ts: e.ts, dur: e.dur, self: e.dur };
      if (stack.length) stack.at(-1).self -= Math.min(e.dur, stack.at(-1).ts + stack.at(-1).dur - e.ts);
      stack.push(node);
    }
    while (stack.length) close(stack.pop());
  }
  const top = [...selfTime.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  const sources = [...postedFrom.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  return { tasks: tasks.sort((a, b) => b - a), top, sources };
}

/** Prints a trace's summary under `label`. */
export function printTrace(label, file) {
  const { tasks, top, sources } = summarizeTrace(file);
  console.log(`trace (${label}): ${tasks.length} main-thread tasks over 50 ms, longest ${tasks.slice(0, 5).map(t => `${t.toFixed(0)} ms`).join(", ") || "–"}; ${file}`);
  console.log("  where the long tasks were posted from:");
  for (const [from, ms] of sources) console.log(`  ${ms.toFixed(0).padStart(7)} ms  ${from}`);
  console.log("  what their time went to (self time):");
  for (const [name, ms] of top) console.log(`  ${ms.toFixed(0).padStart(7)} ms  ${name}`);
}
