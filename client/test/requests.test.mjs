// "The app's requests": each has a deadline (requestTimeoutMs, per-call
// timeoutMs) and an AbortSignal; on either the entry is removed at once, a
// late answer is dropped, and the promise rejects with RequestTimeoutError
// (or the abort reason). Deadlines run on node:test's mocked clock.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as immediate } from "node:timers/promises";

import { RequestTimeoutError } from "../dist/esm/index.js";
import { guarded, pair } from "./helpers.mjs";

/** Lets streams and promises run without moving the (mocked) clock. */
async function settle() {
  for (let i = 0; i < 5; i++) await immediate();
}

test("the default deadline is 30 s; the entry goes at once and a late answer is dropped silently", (t) =>
  guarded(async () => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const { client, server } = pair();
    const call = client.requestRaw("turn/start", { threadId: "t1" });
    const outcome = call.then(() => "resolved", (e) => e);
    await settle();
    const { id } = server.sent[0];
    t.mock.timers.tick(29_999);
    await settle();
    assert.equal(client.pendingRequests, 1);
    t.mock.timers.tick(1);
    const error = await outcome;
    assert.ok(error instanceof RequestTimeoutError);
    assert.equal(error.method, "turn/start");
    assert.equal(error.timeoutMs, 30_000);
    assert.equal(client.pendingRequests, 0, "removed at once");
    server.send({ id, result: "late" });
    await settle();
    assert.deepEqual(server.errors, [], "a late answer is no protocol error");
    t.mock.timers.reset();
    await client.close();
  }));

test("requestTimeoutMs and a per-call timeoutMs set the deadline; Infinity disables it; bad values reject", (t) =>
  guarded(async () => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const { client } = pair({ requestTimeoutMs: 1_000 });
    const byOption = client.requestRaw("a").catch((e) => e);
    const byCall = client.requestRaw("b", undefined, { timeoutMs: 10 }).catch((e) => e);
    const never = client.requestRaw("c", undefined, { timeoutMs: Infinity }).catch((e) => e);
    await settle();
    t.mock.timers.tick(10);
    assert.equal((await byCall).timeoutMs, 10);
    assert.equal(client.pendingRequests, 2);
    t.mock.timers.tick(990);
    assert.equal((await byOption).timeoutMs, 1_000);
    t.mock.timers.tick(1_000_000);
    await settle();
    assert.equal(client.pendingRequests, 1, "no deadline for c");
    await assert.rejects(client.requestRaw("d", undefined, { timeoutMs: -1 }), RangeError);
    await assert.rejects(client.requestRaw("d", undefined, { timeoutMs: Number.NaN }), RangeError);
    t.mock.timers.reset();
    await client.close();
    assert.equal((await never).name, "ConnectionClosedError");
  }));

test("an abort rejects with the signal's reason, removes the entry at once, and drops the late answer", () =>
  guarded(async () => {
    const { client, server } = pair();
    const controller = new AbortController();
    const call = client.requestRaw("turn/start", {}, { signal: controller.signal });
    const outcome = call.then(() => "resolved", (e) => e);
    await settle();
    const { id } = server.sent[0];
    const reason = new Error("the user closed the window");
    controller.abort(reason);
    assert.equal(await outcome, reason);
    assert.equal(client.pendingRequests, 0);
    server.send({ id, result: "late" });
    await settle();
    assert.deepEqual(server.errors, []);
    // An already-aborted signal: nothing is sent.
    const sentBefore = server.sent.length;
    await assert.rejects(client.requestRaw("x", {}, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await settle();
    assert.equal(server.sent.length, sentBefore);
    await client.close();
  }));

test("a thousand requests sharing one signal add one abort listener, and all reject on abort", () =>
  guarded(async () => {
    const { client } = pair();
    const controller = new AbortController();
    const calls = [];
    for (let i = 0; i < 1_000; i++) calls.push(client.requestRaw("x", { i }, { signal: controller.signal }).catch((e) => e));
    controller.abort();
    const outcomes = await Promise.all(calls);
    assert.ok(outcomes.every((e) => e.name === "AbortError"));
    assert.equal(client.pendingRequests, 0);
    await client.close();
  }));

test("the app's ids are unique integers, and answers are matched by id whatever the order", () =>
  guarded(async () => {
    const { client, server } = pair();
    const calls = [1, 2, 3].map((n) => client.requestRaw("echo", { n }));
    await settle();
    const ids = server.sent.map((m) => m.id);
    assert.equal(new Set(ids).size, 3);
    assert.ok(ids.every(Number.isSafeInteger));
    for (const m of [...server.sent].reverse()) server.send({ id: m.id, result: m.params.n * 10 });
    assert.deepEqual(await Promise.all(calls), [10, 20, 30]);
    await client.close();
  }));

test("params that cannot be written as JSON reject the call with a TypeError and send nothing", () =>
  guarded(async () => {
    const { client, server } = pair();
    await assert.rejects(client.requestRaw("x", { n: 1n }), TypeError);
    await assert.rejects(client.notifyRaw("x", { n: 1n }), TypeError);
    await settle();
    assert.deepEqual(server.sent, []);
    assert.equal(client.pendingRequests, 0);
    await client.close();
  }));

test("requests of one turn share a deadline timer; each turn's requests keep their own deadline", (t) =>
  guarded(async () => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const { client, server } = pair({ requestTimeoutMs: 1_000 });
    const outcome = (p) => p.then((v) => v, (e) => e.name);
    const turnA = [1, 2, 3].map((n) => outcome(client.requestRaw("a", { n })));
    await settle();
    t.mock.timers.tick(400);
    const turnB = [4, 5].map((n) => outcome(client.requestRaw("b", { n })));
    await settle();
    for (const m of server.sent.filter((m) => m.params.n === 1 || m.params.n === 4)) {
      server.send({ id: m.id, result: "answered" });
    }
    await settle();
    t.mock.timers.tick(600); // turn A's deadline
    assert.deepEqual(await Promise.all(turnA), ["answered", "RequestTimeoutError", "RequestTimeoutError"]);
    assert.equal(client.pendingRequests, 1, "turn B's request is still within its deadline");
    t.mock.timers.tick(400); // turn B's deadline
    assert.deepEqual(await Promise.all(turnB), ["answered", "RequestTimeoutError"]);
    assert.equal(client.pendingRequests, 0);
    t.mock.timers.reset();
    await client.close();
  }));
