// "Server requests": one handler per method; unregistered → -32601; a thrown
// RemoteError is sent as that error, anything else -32603 without its
// message; at most 32 host handlers at once; attestation/generate never waits
// behind them; a token that breaks the token rule is never sent.

import assert from "node:assert/strict";
import { test } from "node:test";

import { RemoteError } from "../dist/esm/index.js";
import { guarded, pair, tick, until } from "./helpers.mjs";

test("an unregistered method gets -32601; a second handler for one method is refused", () =>
  guarded(async () => {
    const { client, server } = pair();
    server.send({ id: 0, method: "item/approve", params: {} });
    assert.deepEqual(await server.next((m) => m.id === 0), {
      jsonrpc: "2.0",
      id: 0,
      error: { code: -32601, message: "Method not found" },
    });
    const remove = client.onRequestRaw("item/approve", () => "first");
    assert.throws(() => client.onRequestRaw("item/approve", () => "second"), /already registered/);
    assert.throws(() => client.onRequestRaw("attestation/generate", () => ({})), /attestation/);
    remove();
    client.onRequestRaw("item/approve", () => "third");
    server.send({ id: 1, method: "item/approve", params: {} });
    assert.equal((await server.next((m) => m.id === 1)).result, "third");
    await client.close();
  }));

test("a thrown RemoteError is sent as that error; anything else is -32603 without its message", () =>
  guarded(async () => {
    const { client, server } = pair();
    client.onRequestRaw("remote", () => {
      throw new RemoteError(-32000, "declined by the user", { why: "policy" });
    });
    client.onRequestRaw("secret", async () => {
      throw new Error("token v1.SECRET leaked in a message");
    });
    client.onRequestRaw("unserializable", () => ({ n: 1n }));
    client.onRequestRaw("nothing", () => undefined);
    server.send({ id: "a", method: "remote", params: {} });
    server.send({ id: "b", method: "secret", params: {} });
    server.send({ id: "c", method: "unserializable" });
    server.send({ id: "d", method: "nothing" });
    await until(() => server.sent.length === 4, "four answers");
    const byId = Object.fromEntries(server.sent.map((m) => [m.id, m]));
    assert.deepEqual(byId.a.error, { code: -32000, message: "declined by the user", data: { why: "policy" } });
    assert.deepEqual(byId.b.error, { code: -32603, message: "Internal error" });
    assert.deepEqual(byId.c.error, { code: -32603, message: "Internal error" });
    assert.equal(byId.d.result, null);
    assert.ok(!server.raw.join("\n").includes("SECRET"), "the thrown message never reaches the wire");
    assert.deepEqual(server.errors.map((e) => e.kind), ["handler-failed", "handler-failed"]);
    assert.ok(server.errors.some((e) => /SECRET/.test(e.cause.message)), "the app itself hears of it");
    await client.close();
  }));

test("at most 32 host handlers run at once, and attestation/generate is answered past them", () =>
  guarded(async () => {
    let running = 0;
    let peak = 0;
    const release = [];
    const { client, server } = pair({ attestation: () => "v1.token" });
    client.onRequestRaw("slow", () => {
      running++;
      peak = Math.max(peak, running);
      return new Promise((resolve) => release.push(() => {
        running--;
        resolve("done");
      }));
    });
    for (let i = 0; i < 40; i++) server.send({ id: i, method: "slow", params: {} });
    await until(() => running === 32, "32 handlers running");
    await tick(10);
    assert.equal(running, 32, "no 33rd handler while 32 run");
    server.send({ id: "attest", method: "attestation/generate", params: {} });
    const answer = await server.next((m) => m.id === "attest");
    assert.deepEqual(answer.result, { token: "v1.token" });
    assert.equal(server.sent.length, 1, "answered while every host handler still waits");
    await until(() => {
      while (release.length > 0) release.shift()();
      return server.sent.length === 41;
    }, "every slow request answered");
    assert.equal(peak, 32);
    await client.close();
  }));

test("maxConcurrentHandlers bounds the handlers to the given number", () =>
  guarded(async () => {
    let running = 0;
    let peak = 0;
    const { client, server } = pair({ maxConcurrentHandlers: 2 });
    client.onRequestRaw("slow", async () => {
      running++;
      peak = Math.max(peak, running);
      await tick(5);
      running--;
      return "ok";
    });
    for (let i = 0; i < 6; i++) server.send({ id: i, method: "slow" });
    await until(() => server.sent.length === 6, "six answers");
    assert.equal(peak, 2);
    await client.close();
  }));

test("a token that breaks the token rule is never sent: the server gets an error", () =>
  guarded(async () => {
    const tokens = ["", "has space", "x".repeat(8193), "é", 42];
    let next = 0;
    const { client, server } = pair({ attestation: () => tokens[next++] });
    for (let i = 0; i < tokens.length; i++) server.send({ id: i, method: "attestation/generate", params: {} });
    await until(() => server.sent.length === tokens.length, "every answer");
    for (const answer of server.sent) {
      assert.deepEqual(answer.error, { code: -32603, message: "attestation token breaks the token rule" });
    }
    assert.ok(!server.raw.join("").includes("has space"));
    assert.deepEqual(new Set(server.errors.map((e) => e.kind)), new Set(["attestation-failed"]));
    await client.close();
  }));

test("without an attestation provider the request gets -32601; a provider that throws gets -32603 or its RemoteError", () =>
  guarded(async () => {
    const bare = pair();
    bare.server.send({ id: 1, method: "attestation/generate", params: {} });
    assert.equal((await bare.server.next((m) => m.id === 1)).error.code, -32601);
    await bare.client.close();

    let call = 0;
    const { client, server } = pair({
      attestation: async ({ signal }) => {
        assert.ok(signal instanceof AbortSignal);
        call++;
        if (call === 1) throw new Error("keychain locked: secret");
        throw new RemoteError(-32001, "user declined");
      },
    });
    server.send({ id: 1, method: "attestation/generate", params: {} });
    server.send({ id: 2, method: "attestation/generate", params: {} });
    await until(() => server.sent.length === 2, "two answers");
    assert.deepEqual(server.sent.find((m) => m.id === 1).error, { code: -32603, message: "Internal error" });
    assert.deepEqual(server.sent.find((m) => m.id === 2).error, { code: -32001, message: "user declined" });
    await client.close();
  }));

test("a handler's late answer after close is dropped silently, and its signal is aborted", () =>
  guarded(async () => {
    const { client, server } = pair();
    let finish;
    let seenSignal;
    client.onRequestRaw("slow", (_params, { signal }) => {
      seenSignal = signal;
      return new Promise((resolve) => {
        finish = resolve;
      });
    });
    server.send({ id: 1, method: "slow" });
    await until(() => finish !== undefined, "the handler to start");
    await client.close();
    assert.equal(seenSignal.aborted, true);
    finish("too late");
    await tick(10);
    assert.deepEqual(server.sent, []);
    assert.deepEqual(server.errors, []);
  }));

test("a flood of 10,000 server requests is answered in full, never more than 32 handlers at once", () =>
  guarded(async () => {
    let running = 0;
    let peak = 0;
    const { client, server } = pair({ attestation: () => "v1.token" });
    client.onRequestRaw("flood", async (params) => {
      running++;
      peak = Math.max(peak, running);
      await tick(0);
      running--;
      return params.i;
    });
    const lines = [];
    for (let i = 0; i < 10_000; i++) lines.push(JSON.stringify({ id: i, method: "flood", params: { i } }));
    lines.push(JSON.stringify({ id: "attest", method: "attestation/generate", params: {} }));
    server.toClient.write(`${lines.join("\n")}\n`);
    await until(() => server.sent.length === 10_001, "every answer", 60_000);
    assert.equal(peak, 32);
    const results = new Map(server.sent.map((m) => [m.id, m.result]));
    for (let i = 0; i < 10_000; i++) assert.equal(results.get(i), i);
    assert.deepEqual(results.get("attest"), { token: "v1.token" });
    // The attestation answer did not wait for the flood to drain.
    assert.ok(server.sent.findIndex((m) => m.id === "attest") < 100, "attestation answered early");
    assert.deepEqual(server.errors, []);
    await client.close();
  }));
