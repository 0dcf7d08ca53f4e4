// Shared setup of the client's tests: the tripwires, an in-memory server, and
// small waits. Every test file imports it first.

import assert from "node:assert/strict";
import { after } from "node:test";
import { PassThrough } from "node:stream";

import { connect } from "../dist/esm/index.js";

// ---- tripwires: no unhandled rejection, no uncaught exception, no listener leak ----

const tripped = [];
process.on("unhandledRejection", (reason) => tripped.push(`unhandledRejection: ${reason?.stack ?? reason}`));
process.on("uncaughtException", (error) => tripped.push(`uncaughtException: ${error?.stack ?? error}`));
process.on("warning", (warning) => {
  if (warning.name === "MaxListenersExceededWarning") tripped.push(`warning: ${warning.message}`);
});

/** Fails the test (and so the file) when a tripwire fired during `scenario`. */
export async function guarded(scenario) {
  const before = tripped.length;
  await scenario();
  // Rejections are reported after a turn of the event loop.
  await tick(20);
  assert.deepEqual(tripped.slice(before), [], "a tripwire fired");
}

after(() => {
  assert.deepEqual(tripped, [], "a tripwire fired during the file");
});

export function tick(ms = 0) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `predicate()` holds, polling; fails after `ms` (a hang guard, not a timing assertion). */
export async function until(predicate, what, ms = 5_000) {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) assert.fail(`gave up waiting for ${what}`);
    await tick(1);
  }
}

/**
 * A client connected to an in-memory server. `server.sent` collects the
 * parsed lines the client wrote; `server.send(obj | string)` writes a line
 * to the client (strings are sent as they are, plus a newline).
 */
export function pair(options = {}) {
  const toClient = new PassThrough();
  const toServer = new PassThrough();
  const errors = [];
  const client = connect(
    { readable: toClient, writable: toServer },
    { onProtocolError: (error) => errors.push(error), ...options },
  );
  const sent = [];
  const raw = [];
  let buffer = "";
  toServer.on("data", (chunk) => {
    buffer += chunk.toString("utf8");
    let newline;
    while ((newline = buffer.indexOf("\n")) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      raw.push(line);
      sent.push(JSON.parse(line));
    }
  });
  const server = {
    sent,
    raw,
    errors,
    toClient,
    toServer,
    send(message) {
      toClient.write(typeof message === "string" ? `${message}\n` : `${JSON.stringify(message)}\n`);
    },
    /** The next message the client wrote with `predicate`, waiting for it. */
    async next(predicate, what = "a message") {
      await until(() => sent.some(predicate), what);
      return sent.find(predicate);
    },
  };
  return { client, server };
}

export const INIT_PARAMS = {
  clientInfo: { name: "test-app", version: "1.0.0" },
  capabilities: { requestAttestation: true },
};

export const INIT_RESULT = { serverInfo: { name: "test-server", version: "0.1.0" } };
