// A real server process (`process.execPath` + fixtures/server.mjs): spawn,
// stderr lines, the child exiting mid-request, a spawn failure, EPIPE,
// stdout closing, and close(): stdin EOF, grace, SIGTERM, SIGKILL.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { ConnectionClosedError, spawnServer } from "../dist/esm/index.js";
import { guarded } from "./helpers.mjs";

const SERVER = fileURLToPath(new URL("./fixtures/server.mjs", import.meta.url));
const APP = fileURLToPath(new URL("./fixtures/app.mjs", import.meta.url));

function start(mode, options = {}) {
  const stderr = [];
  const errors = [];
  const client = spawnServer(process.execPath, [SERVER, mode], {
    onStderr: (line) => stderr.push(line),
    onProtocolError: (e) => errors.push(e),
    attestation: () => "v1.child-token",
    ...options,
  });
  return { client, stderr, errors };
}

test("a spawned server answers; its stderr arrives in whole lines; close() ends stdin and it exits 0", () =>
  guarded(async () => {
    const { client, stderr, errors } = start("echo");
    assert.ok(Number.isInteger(client.pid));
    const init = await client.request("initialize", { clientInfo: { name: "t", version: "1" } });
    assert.equal(init.serverInfo.name, "fixture");
    assert.deepEqual(await client.requestRaw("host/echo", { a: [1, "b"] }), { a: [1, "b"] });
    assert.equal(await client.requestRaw("stderr"), "written");
    assert.deepEqual(stderr, ["first half, second half", "another line"]);
    const attested = new Promise((resolve) => client.onNotificationRaw("attested", resolve));
    await client.notifyRaw("attest");
    assert.deepEqual(await attested, { token: "v1.child-token" });
    const info = await client.close({ graceMs: 5_000 });
    assert.deepEqual(info, { reason: "closed", exitCode: 0, signal: null });
    assert.deepEqual(errors, []);
  }));

test("by default stderr lines go to the app's stderr with the command's name as prefix", () =>
  guarded(async () => {
    const written = [];
    const original = process.stderr.write;
    process.stderr.write = (chunk, ...rest) => {
      if (String(chunk).includes("half")) {
        written.push(String(chunk));
        return true;
      }
      return original.call(process.stderr, chunk, ...rest);
    };
    try {
      const client = spawnServer(process.execPath, [SERVER, "echo"]);
      await client.requestRaw("stderr");
      await client.close();
    } finally {
      process.stderr.write = original;
    }
    const name = process.execPath.split(/[\\/]/).pop();
    assert.deepEqual(written, [`[${name}] first half, second half\n`]);
  }));

test("a server that dies mid-request rejects it with its exit code, and `closed` says so", () =>
  guarded(async () => {
    const { client } = start("echo");
    const other = client.requestRaw("host/never", {});
    const error = await client.requestRaw("die").catch((e) => e);
    assert.ok(error instanceof ConnectionClosedError);
    assert.equal(error.reason, "exit");
    assert.equal(error.exitCode, 3);
    const otherError = await other.catch((e) => e);
    assert.equal(otherError.reason, "exit");
    assert.deepEqual(await client.closed, { reason: "exit", exitCode: 3, signal: null });
  }));

test("a command that cannot start (ENOENT) closes the client; nothing throws", () =>
  guarded(async () => {
    const client = spawnServer("/nonexistent/attestwire-no-such-server", [], { onStderr: () => {} });
    const error = await client.request("initialize", { clientInfo: { name: "t", version: "1" } }).catch((e) => e);
    assert.ok(error instanceof ConnectionClosedError);
    assert.equal(error.reason, "spawn-error");
    assert.equal(error.cause.code, "ENOENT");
    const info = await client.closed;
    assert.equal(info.reason, "spawn-error");
    assert.equal(info.error.code, "ENOENT");
    assert.equal(client.pid, undefined);
    await assert.rejects(client.notify("initialized"), ConnectionClosedError);
    assert.equal(await client.close(), info);
  }));

test("writing to a server that already exited (EPIPE) closes the client; nothing throws", () =>
  guarded(async () => {
    const { client } = start("exit-now");
    const calls = [];
    for (let i = 0; i < 200; i++) calls.push(client.requestRaw("host/echo", { pad: "x".repeat(1_000) }).catch((e) => e));
    const errors = await Promise.all(calls);
    for (const error of errors) assert.ok(error instanceof ConnectionClosedError, `${error}`);
    const info = await client.closed;
    assert.ok(["exit", "write-error"].includes(info.reason), info.reason);
    assert.equal(info.exitCode, 0);
  }));

test("close() escalates: SIGTERM for a server that ignores stdin EOF, SIGKILL for one that ignores SIGTERM too", () =>
  guarded(async () => {
    const noEof = start("no-eof").client;
    await noEof.requestRaw("host/echo", {});
    assert.deepEqual(await noEof.close({ graceMs: 100 }), { reason: "closed", exitCode: null, signal: "SIGTERM" });
    const stubborn = start("stubborn").client;
    await stubborn.requestRaw("host/echo", {});
    assert.deepEqual(await stubborn.close({ graceMs: 100 }), { reason: "closed", exitCode: null, signal: "SIGKILL" });
  }));

test("a server that closes its stdout is closed (stdout-end) and terminated", () =>
  guarded(async () => {
    const { client } = start("stdout-off");
    const error = await client.requestRaw("host/echo", {}).catch((e) => e);
    assert.ok(error instanceof ConnectionClosedError);
    assert.equal(error.reason, "stdout-end");
    assert.deepEqual(await client.closed, { reason: "stdout-end", exitCode: null, signal: "SIGTERM" });
  }));

test("an app that connects, talks and closes exits by itself (nothing keeps its event loop alive)", () =>
  guarded(async () => {
    const stdout = await new Promise((resolve, reject) => {
      execFile(process.execPath, [APP], { timeout: 60_000 }, (error, out) => (error ? reject(error) : resolve(out)));
    });
    assert.deepEqual(JSON.parse(stdout), {
      init: { serverInfo: { name: "fixture", version: "0.1.0" } },
      info: { reason: "closed", exitCode: 0, signal: null },
      pending: "ConnectionClosedError",
    });
  }));
