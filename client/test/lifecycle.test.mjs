// "Close" and "Backpressure" over in-memory streams: the output ends, a write
// fails, a write stalls past writeStallMs, a line is too long, or close() —
// every pending request rejects at once with ConnectionClosedError and
// `closed` resolves once. Writes wait for `drain` through one listener.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PassThrough, Writable } from "node:stream";
import { setImmediate as immediate } from "node:timers/promises";

import { ConnectionClosedError, connect } from "../dist/esm/index.js";
import { guarded, pair } from "./helpers.mjs";

async function settle() {
  for (let i = 0; i < 5; i++) await immediate();
}

async function closesWith(client, pending, reason) {
  const errors = await Promise.all(pending.map((p) => p.then(() => "resolved", (e) => e)));
  for (const error of errors) {
    assert.ok(error instanceof ConnectionClosedError, `${error}`);
    assert.equal(error.reason, reason);
    assert.equal(error.exitCode, null);
  }
  const info = await client.closed;
  assert.equal(info.reason, reason);
  assert.equal(client.pendingRequests, 0);
  return info;
}

test("close() rejects every pending request at once, ends the output, and `closed` resolves once", () =>
  guarded(async () => {
    const { client, server } = pair();
    let ended = false;
    server.toServer.on("end", () => (ended = true));
    const pending = [client.requestRaw("a"), client.requestRaw("b")];
    const info = await client.close({ graceMs: 10 });
    assert.deepEqual(info, { reason: "closed", exitCode: null, signal: null });
    await closesWith(client, pending, "closed");
    await settle();
    assert.ok(ended, "the server's input ended");
    assert.equal(await client.close(), info, "closing again gives the same answer");
    await assert.rejects(client.requestRaw("after"), ConnectionClosedError);
    await assert.rejects(client.notifyRaw("after"), ConnectionClosedError);
    // Answers after the close are ignored.
    server.send({ id: 1, result: "late" });
    server.send({ id: 5, method: "late/request" });
    await settle();
    assert.deepEqual(server.errors, []);
  }));

test("the end of the server's output closes the connection (stdout-end)", () =>
  guarded(async () => {
    const { client, server } = pair();
    const pending = [client.requestRaw("a")];
    await settle();
    server.toClient.end();
    await closesWith(client, pending, "stdout-end");
  }));

test("a line over maxLineBytes closes the connection with a clear error", () =>
  guarded(async () => {
    const { client, server } = pair({ maxLineBytes: 1024 });
    const pending = [client.requestRaw("a")];
    server.toClient.write("x".repeat(1000));
    await settle();
    assert.equal(client.isClosed, false);
    server.toClient.write("x".repeat(100));
    const info = await closesWith(client, pending, "line-too-long");
    assert.match(info.error.message, /longer than maxLineBytes \(1024 bytes\)/);
  }));

test("a failing write (EPIPE) closes the connection without an uncaught exception", () =>
  guarded(async () => {
    const toClient = new PassThrough();
    const toServer = new Writable({
      write(_chunk, _encoding, callback) {
        const error = new Error("write EPIPE");
        error.code = "EPIPE";
        callback(error);
      },
    });
    const client = connect({ readable: toClient, writable: toServer }, { onProtocolError: () => {} });
    const pending = [client.requestRaw("a")];
    const info = await closesWith(client, pending, "write-error");
    assert.equal(info.error.code, "EPIPE");
  }));

test("a reader that never drains closes the connection after writeStallMs (mocked clock)", (t) =>
  guarded(async () => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const toClient = new PassThrough();
    const toServer = new Writable({ highWaterMark: 16, write() {} }); // never calls back
    const client = connect({ readable: toClient, writable: toServer }, { writeStallMs: 5_000 });
    const pending = [client.requestRaw("a", { pad: "x".repeat(100) })];
    await settle();
    t.mock.timers.tick(4_999);
    await settle();
    assert.equal(client.isClosed, false);
    t.mock.timers.tick(1);
    const info = await closesWith(client, pending, "write-stall");
    assert.match(info.error.message, /read nothing for 5000 ms/);
    t.mock.timers.reset();
  }));

test("1,000 writes waiting for drain share one listener, keep their order, and all go out", () =>
  guarded(async () => {
    const held = [];
    const chunks = [];
    const toServer = new Writable({
      highWaterMark: 64,
      write(chunk, _encoding, callback) {
        chunks.push(chunk.toString());
        held.push(callback);
      },
    });
    const client = connect({ readable: new PassThrough(), writable: toServer });
    const written = [];
    for (let i = 0; i < 1_000; i++) {
      written.push(client.notifyRaw("n", { i }));
      // Spread over many turns, so most writes find the stream full.
      if (i % 10 === 0) await settle();
      assert.ok(toServer.listenerCount("drain") <= 2, "one drain listener (plus the stream's own)");
    }
    const drainListeners = toServer.listenerCount("drain");
    while (held.length > 0 || chunks.join("").split("\n").length - 1 < 1_000) {
      while (held.length > 0) held.shift()();
      await settle();
    }
    await Promise.all(written);
    const lines = chunks.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l).params.i);
    assert.deepEqual(lines, Array.from({ length: 1_000 }, (_, i) => i));
    assert.equal(drainListeners, 1);
    await client.close();
  }));

test("streams destroyed without an error close the connection too", () =>
  guarded(async () => {
    const first = pair();
    const pendingA = [first.client.requestRaw("a")];
    await settle();
    first.server.toClient.destroy();
    await closesWith(first.client, pendingA, "stdout-end");

    const second = pair();
    const pendingB = [second.client.requestRaw("b")];
    await settle();
    second.server.toServer.destroy();
    const info = await closesWith(second.client, pendingB, "write-error");
    assert.match(info.error.message, /closed/);
  }));
