// "The client under a hostile server" (issue 17, section 3): each way
// server.mjs misbehaves has one defined outcome for `@attestwire/client`,
// asserted here, and the tripwires on `unhandledRejection`,
// `uncaughtException` and process warnings stay silent through all of them.
//
//   node tests/ts/hostile/hostile.test.mjs
//
// Run by tests/tests/client_hostile.rs, which also checks that this process
// exits by itself once the tests are done: a child, a timer or a stream the
// client left open would keep it alive.
//
// Plain JavaScript, on purpose: these scenarios test what the client does at
// run time with bytes no typed peer writes; the host's `hostile/*` methods go
// through the raw calls (`requestRaw`, `onRequestRaw`, …). The client's
// typing is proven by the TypeScript apps of tests/ts/client and
// tests/ts/codex-client, compiled with tsc 5.9 and 7.
//
// No assertion here is on speed. Waits for something the client must do are
// bounded by PATIENCE_MS so that a broken client fails with a message instead
// of hanging; a healthy run never comes near it.

import assert from "node:assert/strict";
import process from "node:process";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

import {
  ConnectionClosedError,
  ProtocolError,
  RemoteError,
  RequestTimeoutError,
  spawnServer,
} from "@attestwire/client";

import { GARBAGE, MULTIBYTE, STRAY_IDS } from "./cases.mjs";

// ---- tripwires: installed before anything runs, checked by the last test ----

const tripped = [];
process.on("unhandledRejection", (reason) => tripped.push(`unhandledRejection: ${describe(reason)}`));
process.on("uncaughtException", (error) => tripped.push(`uncaughtException: ${describe(error)}`));
// A drain listener per waiting write shows up here as MaxListenersExceededWarning.
process.on("warning", (warning) => tripped.push(`warning: ${warning.name}: ${warning.message}`));

function describe(value) {
  return value instanceof Error ? `${value.name}: ${value.message}\n${value.stack}` : String(value);
}

// ---- setup ----

const SERVER = fileURLToPath(new URL("./server.mjs", import.meta.url));
const PATIENCE_MS = 30_000;
const TOKEN = "v1.hostile-token";
const CLIENT_INFO = { name: "attestwire-hostile-test", version: "0.0.0" };

/**
 * The client with server.mjs in `mode` as its child, recording what it
 * reports through `onProtocolError` and `onStderr`; `options` override.
 */
function hostile(mode, options = {}) {
  const protocolErrors = [];
  const stderr = [];
  const client = spawnServer(process.execPath, [SERVER, mode], {
    attestation: async () => TOKEN,
    onProtocolError: (error) => protocolErrors.push(error),
    onStderr: (line) => stderr.push(line),
    ...options,
  });
  return { client, protocolErrors, stderr };
}

function initialize(client) {
  return client.request("initialize", {
    clientInfo: CLIENT_INFO,
    capabilities: { requestAttestation: true },
  });
}

/** Resolves once `predicate()` holds; fails the test after PATIENCE_MS. */
async function eventually(what, predicate) {
  for (const start = Date.now(); !(await predicate()); ) {
    if (Date.now() - start > PATIENCE_MS) assert.fail(`never saw ${what}`);
    await sleep(10);
  }
}

/** Closes the client (if the case has not) and returns how it closed. */
async function finish(client, graceMs = 2_000) {
  await client.close({ graceMs });
  return client.closed;
}

function isClosed(error) {
  return error instanceof ConnectionClosedError;
}

/** A predicate for `assert.rejects`: ConnectionClosedError with this reason. */
function closedBy(reason) {
  return (error) => {
    assert.ok(isClosed(error), describe(error));
    assert.equal(error.reason, reason);
    return true;
  };
}

function kindsOf(protocolErrors) {
  return protocolErrors.map((error) => error.kind);
}

const CASE = { timeout: PATIENCE_MS * 2 };

// ---- the cases, in the order of the issue ----

test("garbage lines are one protocol error each, and the connection stays open", CASE, async () => {
  const { client, protocolErrors, stderr } = hostile("garbage");
  assert.deepEqual(await initialize(client), { serverInfo: { name: "hostile", version: "0.0.0" } });
  const kinds = GARBAGE.map(([, kind]) => kind);
  for (const n of [1, 2]) {
    assert.deepEqual(await client.requestRaw("hostile/echo", { n }), { n });
    // Lines are handled in order: the garbage before the answer is counted.
    assert.deepEqual(kindsOf(protocolErrors), n === 1 ? kinds : [...kinds, ...kinds]);
  }
  assert.ok(protocolErrors.every((error) => error instanceof ProtocolError));
  // A line the server wrote to stderr in two pieces arrives whole.
  await eventually("the torn stderr line whole", () => stderr.includes("hostile: torn stderr line"));
  const info = await finish(client);
  assert.equal(info.exitCode, 0, JSON.stringify(info));
});

test("a line over the limit closes the connection with a clear error, never buffered whole", CASE, async () => {
  // The server's answer never ends: a client that waited for the newline
  // would buffer until it ran out of memory and never close.
  const { client } = hostile("oversize", { maxLineBytes: 1 << 20 });
  await initialize(client);
  await assert.rejects(client.requestRaw("hostile/echo", {}), closedBy("line-too-long"));
  const info = await client.closed;
  assert.equal(info.reason, "line-too-long");
  assert.match(info.error.message, /maxLineBytes \(1048576 bytes\)/);
  // A request after the close rejects too, at once.
  await assert.rejects(client.requestRaw("hostile/echo", {}), closedBy("line-too-long"));
  await finish(client);
});

test("dying mid-request rejects every pending request at once with the exit code", CASE, async () => {
  // No deadline could explain a rejection here: the default is far away.
  const { client } = hostile("die", { requestTimeoutMs: 10 * PATIENCE_MS });
  await initialize(client);
  const waiting = client.requestRaw("hostile/late", { ms: 10 * PATIENCE_MS });
  const dying = client.requestRaw("hostile/echo", {});
  for (const pending of [dying, waiting]) {
    await assert.rejects(pending, (error) => {
      closedBy("exit")(error);
      assert.equal(error.exitCode, 3);
      return true;
    });
  }
  const info = await client.closed;
  assert.equal(info.reason, "exit");
  assert.equal(info.exitCode, 3, JSON.stringify(info));
  assert.equal(info.signal, null, JSON.stringify(info));
  await assert.rejects(client.requestRaw("hostile/echo", {}), isClosed);
  // close() after the child is gone resolves too, with the same answer.
  assert.deepEqual(await finish(client), info);
});

test("killed mid-request: the pending request rejects with the signal", CASE, async () => {
  const { client } = hostile("kill", { requestTimeoutMs: 10 * PATIENCE_MS });
  await initialize(client);
  await assert.rejects(client.requestRaw("hostile/echo", {}), (error) => {
    closedBy("exit")(error);
    assert.equal(error.signal, "SIGKILL");
    return true;
  });
  const info = await client.closed;
  assert.equal(info.signal, "SIGKILL", JSON.stringify(info));
  assert.equal(info.exitCode, null, JSON.stringify(info));
});

test("never answering: the deadline, an abort and the close each settle the request once", CASE, async () => {
  const { client } = hostile("silent");
  await initialize(client);

  await assert.rejects(client.requestRaw("hostile/echo", {}, { timeoutMs: 50 }), RequestTimeoutError);

  const reason = new Error("the user gave up");
  const controller = new AbortController();
  const aborted = client.requestRaw("hostile/echo", {}, { signal: controller.signal });
  controller.abort(reason);
  await assert.rejects(aborted, (error) => error === reason);
  await assert.rejects(client.requestRaw("hostile/echo", {}, { signal: AbortSignal.abort(reason) }), (error) => error === reason);

  // An answer after the deadline is dropped: it settles nothing twice and
  // throws nowhere, and the connection stays usable. The margins are wide
  // so that a starved scheduler cannot reorder the deadline and the answer;
  // the second answer comes after the first, late one has been read.
  await assert.rejects(client.requestRaw("hostile/late", { ms: 1_000 }, { timeoutMs: 20 }), RequestTimeoutError);
  assert.deepEqual(await client.requestRaw("hostile/late", { ms: 1_500 }), { late: true });
  assert.equal(client.pendingRequests, 0);

  // The assertion holds the promise before the close rejects it.
  const forever = assert.rejects(client.requestRaw("hostile/echo", {}), closedBy("closed"));
  const info = await finish(client);
  await forever;
  assert.equal(info.exitCode, 0, JSON.stringify(info));
});

test("flooding 10,000 requests: each answered once, at most 32 handlers at once, attestation and the app's requests still pass", CASE, async () => {
  const COUNT = 10_000;
  // The first 32 handlers wait until the attestation provider has run, which
  // the server asks for behind all 10,000: were its answer queued behind the
  // host's handlers, this case would never end.
  let release;
  const attested = new Promise((resolve) => {
    release = resolve;
  });
  const { client, protocolErrors } = hostile("flood", {
    attestation: () => {
      release();
      return TOKEN;
    },
  });
  let running = 0;
  let peak = 0;
  client.onRequestRaw("hostile/ping", async ({ n }) => {
    running++;
    peak = Math.max(peak, running);
    await attested;
    await sleep(0);
    running--;
    return { n };
  });
  const flooded = new Promise((resolve) => client.onNotificationRaw("hostile/flooded", resolve));
  await initialize(client);
  await client.notifyRaw("hostile/flood", { count: COUNT });
  assert.deepEqual(await client.requestRaw("hostile/echo", { during: "the flood" }), { during: "the flood" });
  // Every 100th request is a method without a handler: -32601.
  const unknown = COUNT / 100;
  assert.deepEqual(await flooded, {
    count: COUNT,
    answered: COUNT,
    results: COUNT - unknown,
    mismatched: 0,
    errors: { "-32601": unknown },
    duplicates: 0,
    withoutJsonrpc: 0,
    attestation: { token: TOKEN },
  });
  assert.equal(peak, 32, "the flood fills the default 32 handler slots and never more");
  assert.deepEqual(protocolErrors, []);
  await finish(client);
});

test("a server that stops reading stdin: the write stall closes the connection and rejects every pending request", CASE, async () => {
  const { client } = hostile("deaf", { writeStallMs: 300, requestTimeoutMs: 10 * PATIENCE_MS });
  await initialize(client);
  // 200 requests of 64 KiB: far more than a pipe and the server's read
  // buffer hold. One drain waiter for all of them, or the warning tripwire
  // fires.
  const big = "x".repeat(64 * 1024);
  const pending = Array.from({ length: 200 }, (_, i) => client.requestRaw("hostile/echo", { i, big }));
  const settled = await Promise.allSettled(pending);
  const other = settled.filter((s) => s.status !== "rejected" || !isClosed(s.reason) || s.reason.reason !== "write-stall");
  assert.deepEqual(other, [], "every request rejects with ConnectionClosedError, reason write-stall");
  const info = await client.closed;
  assert.equal(info.reason, "write-stall", JSON.stringify(info));
});

test("a server that closes its stdin: the write fails (EPIPE) and the connection closes", CASE, async () => {
  const { client } = hostile("close-stdin", { requestTimeoutMs: 10 * PATIENCE_MS });
  await initialize(client);
  // Once this is answered, the read end of the server's stdin is closed.
  await client.requestRaw("hostile/close-stdin", {});
  await assert.rejects(client.requestRaw("hostile/echo", {}), closedBy("write-error"));
  const info = await client.closed;
  assert.equal(info.reason, "write-error");
  assert.equal(info.error.code, "EPIPE");
  // It ignored the end of its input (it has none) until SIGTERM came.
  assert.equal(info.signal, "SIGTERM", JSON.stringify(info));
});

test("answers to unknown or duplicate ids are protocol errors; the first answer wins; result with error rejects", CASE, async () => {
  const { client, protocolErrors } = hostile("dupes");
  await initialize(client);
  assert.deepEqual(await client.requestRaw("hostile/dupe", {}), { answer: 1 });
  // Lines are handled in order: once this answer is in, so are the strays.
  assert.deepEqual(await client.requestRaw("hostile/echo", { n: 1 }), { n: 1 });
  assert.deepEqual(kindsOf(protocolErrors), ["duplicate-response", ...STRAY_IDS.map(() => "unknown-id")]);
  // Both a result and an error to a request of ours: it rejects, reported once.
  await assert.rejects(client.requestRaw("hostile/both", {}), (error) => {
    assert.ok(error instanceof ProtocolError, describe(error));
    assert.equal(error.kind, "result-and-error");
    return true;
  });
  assert.equal(protocolErrors.length, 2 + STRAY_IDS.length);
  assert.deepEqual(await client.requestRaw("hostile/echo", { n: 2 }), { n: 2 });
  await finish(client);
});

test("a line that is not UTF-8 is one protocol error, dropped whole; characters split across reads decode whole", CASE, async () => {
  const { client, protocolErrors } = hostile("utf8");
  const notes = [];
  client.onNotificationRaw("hostile/note", (params) => notes.push(params));
  await initialize(client);
  assert.deepEqual(await client.requestRaw("hostile/echo", {}), { text: MULTIBYTE });
  // The line of bytes 0xFF 0xFE 0xFD, and the notification with a lone
  // continuation byte in a string: neither reaches a handler, not even
  // with U+FFFD in place of the bad bytes.
  assert.deepEqual(
    kindsOf(protocolErrors),
    ["parse", "parse"],
    protocolErrors.map(describe).join("\n"),
  );
  assert.deepEqual(notes, []);
  await finish(client);
});

test("a server that omits jsonrpc is understood, and everything the client writes carries it", CASE, async () => {
  const { client, protocolErrors } = hostile("no-jsonrpc");
  const pings = [];
  const notes = [];
  client.onRequestRaw("hostile/ping", async (params) => {
    pings.push(params);
    return { pong: params.n };
  });
  client.onNotificationRaw("hostile/note", (params) => notes.push(params));
  assert.deepEqual(await initialize(client), { serverInfo: { name: "hostile", version: "0.0.0" } });
  assert.deepEqual(await client.requestRaw("hostile/echo", { n: 1 }), { n: 1 });
  await assert.rejects(client.requestRaw("hostile/fail", {}), (error) => {
    assert.ok(error instanceof RemoteError, describe(error));
    assert.equal(error.code, -32000);
    assert.equal(error.message, "refused");
    assert.deepEqual(error.data, { why: "asked to" });
    return true;
  });
  let report;
  await eventually("the answers to the server's own requests", async () => {
    report = await client.requestRaw("hostile/report", {});
    return Object.keys(report.answers).length === 2;
  });
  assert.deepEqual(report.answers, {
    "hostile-ping": { id: "hostile-ping", result: { pong: 1 } },
    "hostile-attest": { id: "hostile-attest", result: { token: TOKEN } },
  });
  assert.equal(report.withoutJsonrpc, 0, JSON.stringify(report));
  assert.deepEqual(pings, [{ n: 1 }]);
  assert.deepEqual(notes, [{ text: "hello" }]);
  assert.deepEqual(protocolErrors, []);
  await finish(client);
});

test("a server ignoring stdin EOF and SIGTERM: close() ends it with SIGKILL and resolves once it is gone", CASE, async () => {
  const { client, stderr } = hostile("stubborn");
  await initialize(client);
  const { pid } = await client.requestRaw("hostile/pid", {});
  // A second of grace for the server to log each step, even on a busy machine.
  await client.close({ graceMs: 1_000 });
  assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, "the child is gone when close() resolves");
  const info = await client.closed;
  assert.deepEqual(info, { reason: "closed", exitCode: null, signal: "SIGKILL" });
  // In order: stdin ended first, then SIGTERM, then SIGKILL.
  await eventually("the server's account of EOF and SIGTERM", () =>
    stderr.includes("hostile: ignoring the end of stdin") && stderr.includes("hostile: ignoring SIGTERM"),
  );
  assert.ok(stderr.indexOf("hostile: ignoring the end of stdin") < stderr.indexOf("hostile: ignoring SIGTERM"));
});

test("a server ignoring stdin EOF only: close() ends it with SIGTERM", CASE, async () => {
  const { client } = hostile("eof-deaf");
  await initialize(client);
  const { pid } = await client.requestRaw("hostile/pid", {});
  await client.close({ graceMs: 200 });
  assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
  const info = await client.closed;
  assert.deepEqual(info, { reason: "closed", exitCode: null, signal: "SIGTERM" });
});

test("a polite server exits 0 on stdin EOF, before any signal", CASE, async () => {
  const { client, stderr } = hostile("polite");
  await initialize(client);
  const info = await finish(client, PATIENCE_MS);
  assert.deepEqual(info, { reason: "closed", exitCode: 0, signal: null });
  assert.deepEqual(stderr, []);
});

test("a server that cannot be spawned closes the connection; nothing is thrown", CASE, async () => {
  const client = spawnServer("attestwire-hostile-no-such-program", [], { onStderr: () => {} });
  await assert.rejects(initialize(client), closedBy("spawn-error"));
  const info = await client.closed;
  assert.equal(info.reason, "spawn-error");
  assert.equal(info.error.code, "ENOENT");
  assert.equal(client.pid, undefined);
  await client.close({ graceMs: 0 });
});

test("the tripwires stayed silent through every case", () => {
  assert.deepEqual(tripped, []);
});
