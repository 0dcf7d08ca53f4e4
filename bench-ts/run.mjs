// The app's side (BENCHMARKS.md): every side of ./sides.mjs on the same job
// against attestwire's Rust server (./server) over stdio, in one run with
// the sides interleaved. Prints the table; writes charts/*.svg (not in
// quick mode). Asserts nothing about speed; it fails (exit 1) when a round
// trip goes wrong, so that a quick run in CI proves the bench still works.
//
//   node bench-ts/run.mjs [--quick]
//
// It builds what it runs first: the server (cargo), generated/ and client/
// (npm ci when they have no node_modules, then tsc), and bench-ts/'s own
// npm ci when it has no node_modules.
//
// --quick (or BENCH_TS_QUICK=1): tiny counts, a debug build of the server,
// nothing written. The run re-executes itself under `taskset -c <first CPU>`
// (with --expose-gc), so the app and the server share one CPU, as the
// runtime's latency figures do; BENCH_TS_PIN=0 runs unpinned.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";

import { writeCharts } from "./charts.mjs";
import { SIDES, side as sideNamed } from "./sides.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick") || (process.env.BENCH_TS_QUICK ?? "0") !== "0";

const SIZES = QUICK
  ? { rounds: 2, block: 20, inFlight: 200, repeats: 1, pending: 200, settleMs: 100, idleMs: 500, lineRuns: 1 }
  : { rounds: 20, block: 500, inFlight: 10_000, repeats: 5, pending: 10_000, settleMs: 2_000, idleMs: 10_000, lineRuns: 9 };
/** Messages the app handles per `bench/attest` round trip: its request, the
 * server's `attestation/generate`, its answer, the server's response. */
const MESSAGES_PER_JOB = 4;
const MIB = 1 << 20;
/** The long line: 1 MiB less 1 KiB, so that it stays under a 1 MiB frame limit. */
const LONG_LINE = MIB - 1024;
const CHUNK = 64 * 1024;

function serverBinary() {
  const profile = QUICK ? "debug" : "release";
  return join(HERE, "server", "target", profile, "attestwire-bench-ts-server");
}

function buildServer() {
  const args = ["build", "--manifest-path", join(HERE, "server", "Cargo.toml")];
  if (!QUICK) args.push("--release");
  const built = spawnSync("cargo", args, { stdio: ["ignore", "inherit", "inherit"] });
  if (built.status !== 0) fail(`cargo ${args.join(" ")} failed (${built.error ?? built.status})`);
}

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

function npm(dir, ...args) {
  const run = spawnSync(NPM, args, {
    cwd: dir,
    stdio: ["ignore", process.stderr, "inherit"],
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  if (run.status !== 0) fail(`npm ${args.join(" ")} in ${dir} failed (${run.error ?? run.status})`);
}

/**
 * The packages the client side imports, built from this checkout:
 * generated/ (@attestwire/protocol) and client/ (@attestwire/client), each
 * installed from its lock file when it has no node_modules yet, then
 * `npm run build` (tsc). bench-ts/'s own node_modules: `npm ci` here too.
 */
function buildPackages() {
  const root = join(HERE, "..");
  for (const dir of [join(root, "generated"), join(root, "client"), HERE]) {
    if (!existsSync(join(dir, "node_modules"))) npm(dir, "ci", "--no-audit", "--no-fund");
    if (dir !== HERE) npm(dir, "run", "build");
  }
}

function fail(message) {
  process.stderr.write(`bench-ts: ${message}\n`);
  process.exit(1);
}

/** The Rust server as a child; `streams` are its stdout and stdin. */
function spawnServer() {
  const child = spawn(serverBinary(), [], { stdio: ["pipe", "pipe", "inherit"] });
  child.on("error", (error) => fail(`cannot start the server: ${error.message}`));
  // EPIPE when it is killed at the end: nothing to do.
  child.stdin.on("error", () => {});
  return { child, streams: { readable: child.stdout, writable: child.stdin } };
}

async function openOnServer(def) {
  const server = spawnServer();
  const conn = await def.open(server.streams);
  return {
    def,
    conn,
    server,
    close() {
      conn.close();
      server.child.kill("SIGKILL");
    },
  };
}

function checkHeader(def, result) {
  const header = def.value(result);
  if (typeof header !== "string" || !header.startsWith('{"v":1,"s":0,"t":')) {
    fail(`${def.name}: bench/attest returned ${JSON.stringify(result)}, not an s=0 header`);
  }
}

const now = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.round((p / 100) * (sorted.length - 1)))];
}
const median = (values) => percentile([...values].sort((a, b) => a - b), 50);

/** p50/p99: `rounds` blocks of `block` round trips per side, the sides'
 * order rotating each round, after one block each to warm up. ns. */
async function latency(open) {
  const samples = open.map(() => []);
  for (const side of open) {
    for (let i = 0; i < SIZES.block; i++) checkHeader(side.def, await side.conn.request("bench/attest"));
  }
  for (let round = 0; round < SIZES.rounds; round++) {
    for (let k = 0; k < open.length; k++) {
      const i = (round + k) % open.length;
      const side = open[i];
      for (let j = 0; j < SIZES.block; j++) {
        const start = now();
        const result = await side.conn.request("bench/attest");
        samples[i].push(Number(now() - start));
        checkHeader(side.def, result);
      }
    }
  }
  return samples;
}

/** Round trips/s with `inFlight` at once, and the app's CPU time for them;
 * `repeats` times per side, rotating, after one unmeasured run each. */
async function throughput(open) {
  const runs = open.map(() => []);
  const once = async (side) => {
    const calls = new Array(SIZES.inFlight);
    const cpu = process.cpuUsage();
    const start = now();
    for (let i = 0; i < SIZES.inFlight; i++) calls[i] = side.conn.request("bench/attest");
    const results = await Promise.all(calls);
    const ns = Number(now() - start);
    const used = process.cpuUsage(cpu);
    for (const result of results) checkHeader(side.def, result);
    return { perSecond: SIZES.inFlight / (ns / 1e9), cpuUs: used.user + used.system };
  };
  for (const side of open) await once(side);
  for (let r = 0; r < SIZES.repeats; r++) {
    for (let k = 0; k < open.length; k++) {
      const i = (r + k) % open.length;
      runs[i].push(await once(open[i]));
    }
  }
  return runs.map((list) => ({
    perSecond: median(list.map((x) => x.perSecond)),
    // CPU µs per 100,000 messages the app handled.
    cpuPer100k: median(list.map((x) => (x.cpuUs / (SIZES.inFlight * MESSAGES_PER_JOB)) * 100_000)),
  }));
}

function heapBytes() {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Heap bytes per pending request: `pending` requests to `bench/silent`
 * (never answered) on a fresh connection, heap after minus before (after a
 * full GC each time) ÷ `pending`. Each side `repeats` times, rotating. */
async function heapPerPending() {
  if (typeof globalThis.gc !== "function") fail("run node with --expose-gc (run.mjs re-executes itself with it)");
  const runs = SIDES.map(() => []);
  const repeats = Math.max(1, Math.min(SIZES.repeats, 3));
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < SIDES.length; k++) {
      const i = (r + k) % SIDES.length;
      const side = await openOnServer(SIDES[i]);
      // One answered request first, so that lazily built state exists.
      checkHeader(side.def, await side.conn.request("bench/attest"));
      const calls = new Array(SIZES.pending);
      await settle(side);
      const before = heapBytes();
      for (let j = 0; j < SIZES.pending; j++) {
        const call = side.conn.request("bench/silent");
        // They are rejected (or dropped) at close; nothing waits on them.
        call.then(undefined, () => {});
        calls[j] = call;
      }
      await settle(side);
      const after = heapBytes();
      runs[i].push((after - before) / SIZES.pending);
      side.close();
      calls.length = 0;
    }
  }
  return runs.map(median);
}

/** Lets writes drain and the event loop go quiet, then runs a full GC. */
async function settle(side) {
  for (let i = 0; i < 200 && side.server.child.stdin.writableLength > 0; i++) await sleep(5);
  await sleep(50);
  globalThis.gc();
  await tick();
  globalThis.gc();
}

/** Runs `node run.mjs --child MODE SIDE` and returns its JSON line. */
function child(mode, name) {
  return new Promise((resolve) => {
    const args = ["--expose-gc", fileURLToPath(import.meta.url), "--child", mode, name];
    if (QUICK) args.push("--quick");
    const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("close", (code) => {
      if (code !== 0) fail(`child ${mode} ${name} exited with ${code}`);
      resolve(JSON.parse(out));
    });
  });
}

// ---- in a child process: idle CPU, the long line ----

/** CPU time of this process (all its threads) over `idleMs` with a
 * connected side that has nothing to do: after `block` round trips (so its
 * code is as warm as in use) and a quiet `settleMs`, in which V8's
 * background compiler and GC finish what that traffic left them. */
async function childIdle(def) {
  const side = await openOnServer(def);
  for (let i = 0; i < SIZES.block; i++) checkHeader(def, await side.conn.request("bench/attest"));
  await sleep(SIZES.settleMs);
  const cpu = process.cpuUsage();
  await sleep(SIZES.idleMs);
  const used = process.cpuUsage(cpu);
  side.close();
  return { cpuMs: (used.user + used.system) / 1000, overMs: SIZES.idleMs };
}

/**
 * One line of `bytes` (a response to a pending `bench/echo`, its result a
 * string) fed in 64 KiB chunks, each in its own macrotask, to a side over
 * in-memory streams; the other end is played here. Returns the wall time
 * and this process's CPU time from the first chunk to the settled request
 * (CPU time is what the side spent; on a shared CPU the wall time also
 * holds whatever preemption hit the run, which a longer run collects more
 * of), and with `sample`, the peak of heap + external bytes seen after
 * each chunk above the level before (sampling costs time, so the timed
 * runs do not sample).
 */
async function childLine(def) {
  const readable = new PassThrough();
  const writable = new PassThrough();
  const ids = [];
  let wake = () => {};
  let rest = "";
  writable.on("data", (chunk) => {
    rest += chunk.toString();
    let nl;
    while ((nl = rest.indexOf("\n")) !== -1) {
      const message = JSON.parse(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
      if (message.method === "initialize") {
        const result = { serverInfo: { name: "bench", version: "0" }, protocolVersion: "0.1.0" };
        readable.write(JSON.stringify({ jsonrpc: "2.0", id: message.id, result }) + "\n");
      } else if (message.method === "bench/echo") {
        ids.push(message.id);
        wake();
      }
    }
  });
  const conn = await def.open({ readable, writable });

  const once = async (bytes, sample) => {
    const call = conn.request("bench/echo", {});
    while (ids.length === 0) await new Promise((resolve) => (wake = resolve));
    const id = ids.shift();
    const head = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":"`;
    const line = Buffer.alloc(bytes + 1, "x");
    line.write(head, 0);
    line.write('"}\n', bytes - 2);
    globalThis.gc();
    const base = heapBytes();
    let peak = 0;
    const cpu = process.cpuUsage();
    const start = now();
    for (let at = 0; at < line.length; at += CHUNK) {
      readable.write(line.subarray(at, at + CHUNK));
      await tick();
      if (sample) peak = Math.max(peak, heapBytes() - base);
    }
    const result = await call;
    const ns = Number(now() - start);
    const used = process.cpuUsage(cpu);
    const cpuNs = (used.user + used.system) * 1000;
    const value = def.value(result);
    if (typeof value !== "string" || value.length !== bytes - head.length - 2) {
      fail(`${def.name}: the long line came back as ${typeof value} of ${value?.length}`);
    }
    return { ns, cpuNs, peak };
  };

  for (let i = 0; i < 3; i++) await once(CHUNK, false); // warm up
  globalThis.gc();
  const rss0 = process.resourceUsage().maxRSS;
  const first = await once(LONG_LINE, true);
  const rssGrowthKiB = process.resourceUsage().maxRSS - rss0;
  const quarter = [];
  const full = [];
  for (let i = 0; i < SIZES.lineRuns; i++) {
    quarter.push(await once(LONG_LINE / 4, false));
    full.push(await once(LONG_LINE, false));
  }
  conn.close();
  return {
    ns: median(full.map((x) => x.ns)),
    cpuNs: median(full.map((x) => x.cpuNs)),
    quarterCpuNs: median(quarter.map((x) => x.cpuNs)),
    peakBytes: first.peak,
    rssGrowthKiB,
  };
}

// ---- main ----

function firstCpu() {
  try {
    // "pid N's current affinity list: 0,1" or "0-1"
    const out = execFileSync("taskset", ["-cp", String(process.pid)], { encoding: "utf8" });
    return out.split(":").pop().trim().split(/[,-]/)[0];
  } catch {
    return undefined;
  }
}

async function main() {
  if (argv[0] === "--child") {
    const def = sideNamed(argv[2]);
    const result = argv[1] === "idle" ? await childIdle(def) : await childLine(def);
    process.stdout.write(JSON.stringify(result) + "\n");
    process.exit(0);
  }
  // Re-execute with --expose-gc, pinned unless told not to.
  if (typeof globalThis.gc !== "function") {
    const pin = (process.env.BENCH_TS_PIN ?? "1") !== "0" ? firstCpu() : undefined;
    const node = [process.execPath, "--expose-gc", fileURLToPath(import.meta.url), ...argv];
    const [cmd, ...args] = pin === undefined ? node : ["taskset", "-c", pin, ...node];
    const env = { ...process.env, BENCH_TS_PINNED: pin === undefined ? "no" : `CPU ${pin}` };
    const run = spawnSync(cmd, args, { stdio: "inherit", env });
    process.exit(run.status ?? 1);
  }
  const started = Date.now();
  buildServer();
  buildPackages();
  const open = [];
  for (const def of SIDES) open.push(await openOnServer(def));
  const lat = await latency(open);
  process.stderr.write(`latency done at ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const thr = await throughput(open);
  process.stderr.write(`throughput done at ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const side of open) side.close();
  const heap = await heapPerPending();
  process.stderr.write(`heap done at ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  // Idle: every side in its own process, all over the same seconds.
  const idle = await Promise.all(SIDES.map((def) => child("idle", def.name)));
  const line = [];
  for (const def of SIDES) line.push(await child("line", def.name));

  const results = SIDES.map((def, i) => {
    const sorted = [...lat[i]].sort((a, b) => a - b);
    return {
      name: def.name,
      library: def.library === true,
      latency: sorted,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      perSecond: thr[i].perSecond,
      cpuPer100k: thr[i].cpuPer100k,
      heapPerPending: heap[i],
      idle: idle[i],
      line: line[i],
    };
  });
  process.stdout.write(table(results));
  process.stdout.write(
    `\n(${((Date.now() - started) / 1000).toFixed(1)} s; node ${process.version}; ${process.env.BENCH_TS_PINNED === "no" ? "not pinned" : `pinned to ${process.env.BENCH_TS_PINNED}`}; ` +
      `${SIZES.rounds} × ${SIZES.block} round trips per side; ${SIZES.inFlight} in flight; ${SIZES.pending} pending` +
      `${QUICK ? "; QUICK MODE: tiny counts, the numbers mean nothing, no charts written" : ""})\n`,
  );
  if (!QUICK) writeCharts(join(HERE, "charts"), results);
}

const us = (ns) => `${(ns / 1000).toFixed(1)} µs`;
const ms = (ns) => `${(ns / 1e6).toFixed(2)} ms`;
const int = (x) => Math.round(x).toLocaleString("en-US");

function table(results) {
  const libraries = results.filter((r) => r.library);
  const fastest = (key, better) => libraries.reduce((a, b) => (better(b[key], a[key]) ? b : a));
  const p50Best = fastest("p50", (x, y) => x < y);
  const thrBest = fastest("perSecond", (x, y) => x > y);
  const cpuBest = fastest("cpuPer100k", (x, y) => x < y);
  const heapBest = fastest("heapPerPending", (x, y) => x < y);
  const rows = [
    "| side | p50 | p99 | p50 ÷ faster library's | round trips/s, " +
      `${int(SIZES.inFlight)} in flight | faster library's ÷ this | CPU per 100,000 messages | ÷ leaner library's | ` +
      "heap per pending | idle CPU over " +
      `${SIZES.idleMs / 1000} s | 1 MiB line in 64 KiB chunks: CPU (wall) | CPU, ¼ the line (full ÷ ¼) | peak heap+external (maxRSS growth) |`,
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    rows.push(
      `| ${r.name} | ${us(r.p50)} | ${us(r.p99)} | ${(r.p50 / p50Best.p50).toFixed(3)} | ${int(r.perSecond)} | ` +
        `${(thrBest.perSecond / r.perSecond).toFixed(3)} | ${ms(r.cpuPer100k * 1000)} | ${(r.cpuPer100k / cpuBest.cpuPer100k).toFixed(3)} | ` +
        `${int(r.heapPerPending)} B (${(r.heapPerPending / heapBest.heapPerPending).toFixed(2)}) | ${r.idle.cpuMs.toFixed(1)} ms | ` +
        `${ms(r.line.cpuNs)} (${ms(r.line.ns)}) | ${ms(r.line.quarterCpuNs)} (×${(r.line.cpuNs / r.line.quarterCpuNs).toFixed(1)}) | ` +
        `${(r.line.peakBytes / MIB).toFixed(2)} MiB (${(r.line.rssGrowthKiB / 1024).toFixed(1)} MiB) |`,
    );
  }
  return rows.join("\n") + "\n";
}

await main();
