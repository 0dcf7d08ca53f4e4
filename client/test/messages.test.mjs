// "What comes in": jsonrpc optional on input and always written; attestwire's
// messages checked by the generated validators; the host's handed over as
// parsed JSON; garbage, unknown ids, duplicates and result-plus-error go to
// onProtocolError, never thrown, and the connection stays open.

import assert from "node:assert/strict";
import { test } from "node:test";

import { ProtocolError, RemoteError } from "../dist/esm/index.js";
import { INIT_PARAMS, INIT_RESULT, guarded, pair, tick } from "./helpers.mjs";

test("every message written has jsonrpc 2.0; answers without it are accepted", () =>
  guarded(async () => {
    const { client, server } = pair({ attestation: () => "v1.token" });
    const init = client.request("initialize", INIT_PARAMS);
    const request = await server.next((m) => m.method === "initialize");
    assert.deepEqual(server.raw[0], `{"jsonrpc":"2.0","id":${request.id},"method":"initialize","params":${JSON.stringify(INIT_PARAMS)}}`);
    server.send({ id: request.id, result: INIT_RESULT }); // no jsonrpc
    assert.deepEqual(await init, INIT_RESULT);
    await client.notify("initialized");
    server.send({ id: "s1", method: "attestation/generate", params: {} });
    await server.next((m) => m.id === "s1");
    assert.deepEqual(server.raw.slice(1), [
      '{"jsonrpc":"2.0","method":"initialized"}',
      '{"jsonrpc":"2.0","id":"s1","result":{"token":"v1.token"}}',
    ]);
    assert.deepEqual(server.errors, []);
    await client.close();
  }));

test("garbage, unknown ids, duplicates and result-plus-error are reported, and the connection stays open", () =>
  guarded(async () => {
    const { client, server } = pair();
    const first = client.requestRaw("host/echo", { n: 1 });
    const { id } = await server.next((m) => m.method === "host/echo");
    server.send("this is not json");
    server.send("[1,2,3]");
    server.send('{"jsonrpc":"1.0","id":1,"result":1}');
    server.send({ id: 9999, result: "who?" });
    server.send({ id: String(id), result: "a string id is not our integer id" });
    server.send({ id, result: { n: 1 } });
    assert.deepEqual(await first, { n: 1 });
    server.send({ id, result: { n: 1 } });
    const second = client.requestRaw("host/echo", { n: 2 });
    const { id: id2 } = await server.next((m) => m.params?.n === 2);
    server.send({ id: id2, result: 1, error: { code: 1, message: "both" } });
    const err = await second.catch((e) => e);
    assert.ok(err instanceof ProtocolError);
    assert.equal(err.kind, "result-and-error");
    server.toClient.write(Buffer.from([0x7b, 0xff, 0x7d, 0x0a]));
    server.send({ id: null, error: { code: -32700, message: "Parse error" } });
    await tick(10);
    assert.deepEqual(
      server.errors.map((e) => e.kind),
      ["parse", "invalid-message", "invalid-message", "unknown-id", "unknown-id", "duplicate-response", "result-and-error", "parse", "error-without-id"],
    );
    for (const e of server.errors) assert.ok(e instanceof ProtocolError);
    // Still open: a request goes through.
    const third = client.requestRaw("host/echo", { n: 3 });
    const m3 = await server.next((m) => m.params?.n === 3);
    server.send({ id: m3.id, result: "ok" });
    assert.equal(await third, "ok");
    assert.equal(client.isClosed, false);
    await client.close();
  }));

test("attestwire's own answers are checked by the generated validators; the host's are not", () =>
  guarded(async () => {
    const { client, server } = pair();
    const init = client.request("initialize", INIT_PARAMS);
    const req = await server.next((m) => m.method === "initialize");
    server.send({ id: req.id, result: { name: "no serverInfo" } });
    const err = await init.catch((e) => e);
    assert.ok(err instanceof ProtocolError);
    assert.equal(err.kind, "invalid-attestwire-message");
    assert.match(err.message, /serverInfo/);
    assert.deepEqual(server.errors.map((e) => e.kind), ["invalid-attestwire-message"]);

    const host = client.requestRaw("thread/start", { threadId: "t1" });
    const h = await server.next((m) => m.method === "thread/start");
    server.send({ id: h.id, result: { anything: ["goes", 1, null] } });
    assert.deepEqual(await host, { anything: ["goes", 1, null] });
    await client.close();
  }));

test("an attestation/generate request that breaks the schema gets -32602 and is reported", () =>
  guarded(async () => {
    const { client, server } = pair({ attestation: () => "v1.token" });
    // Members the schema does not name are allowed (a newer server may add some).
    server.send({ id: 1, method: "attestation/generate", params: { newer: true }, extra: 1 });
    assert.deepEqual((await server.next((m) => m.id === 1)).result, { token: "v1.token" });
    server.send({ id: 2, method: "attestation/generate" });
    server.send({ id: 3, method: "attestation/generate", params: "not an object" });
    assert.equal((await server.next((m) => m.id === 2)).error.code, -32602);
    assert.equal((await server.next((m) => m.id === 3)).error.code, -32602);
    assert.deepEqual(server.errors.map((e) => e.kind), ["invalid-attestwire-message", "invalid-attestwire-message"]);
    await client.close();
  }));

test("an error answer rejects with RemoteError carrying code, message and data", () =>
  guarded(async () => {
    const { client, server } = pair();
    const call = client.requestRaw("turn/start", { threadId: "t1" });
    const req = await server.next((m) => m.method === "turn/start");
    server.send({ id: req.id, error: { code: -32602, message: "unknown thread", data: { threadId: "t1" } } });
    const err = await call.catch((e) => e);
    assert.ok(err instanceof RemoteError);
    assert.equal(err.code, -32602);
    assert.equal(err.message, "unknown thread");
    assert.deepEqual(err.data, { threadId: "t1" });
    // A malformed error object is a protocol error, not a RemoteError.
    const call2 = client.requestRaw("turn/start", {});
    const req2 = await server.next((m) => m.method === "turn/start" && m.id !== req.id);
    server.send({ id: req2.id, error: "nope" });
    const err2 = await call2.catch((e) => e);
    assert.ok(err2 instanceof ProtocolError);
    assert.equal(err2.kind, "invalid-message");
    await client.close();
  }));

test("a server request whose id equals one of our pending ids is a request, not an answer", () =>
  guarded(async () => {
    const { client, server } = pair();
    client.onRequestRaw("item/approve", () => ({ decision: "accept" }));
    const ours = client.requestRaw("turn/start", { threadId: "t1" });
    const req = await server.next((m) => m.method === "turn/start");
    server.send({ id: req.id, method: "item/approve", params: { threadId: "t1" } });
    const answer = await server.next((m) => m.id === req.id && "result" in m);
    assert.deepEqual(answer, { jsonrpc: "2.0", id: req.id, result: { decision: "accept" } });
    assert.equal(client.pendingRequests, 1, "our request is still waiting");
    server.send({ id: req.id, result: { approval: "accept" } });
    assert.deepEqual(await ours, { approval: "accept" });
    assert.deepEqual(server.errors, []);
    await client.close();
  }));

test("host notifications reach their handler as parsed JSON; unhandled ones are ignored", () =>
  guarded(async () => {
    const { client, server } = pair();
    const got = [];
    client.onNotificationRaw("thread/updated", (params) => got.push(params));
    client.onNotificationRaw("boom", () => {
      throw new Error("secret");
    });
    server.send({ method: "thread/updated", params: { threadId: "t1", n: [1, 2] } });
    server.send({ method: "nobody/listens" });
    server.send({ method: "boom" });
    await tick(10);
    assert.deepEqual(got, [{ threadId: "t1", n: [1, 2] }]);
    assert.deepEqual(server.errors.map((e) => e.kind), ["handler-failed"]);
    assert.deepEqual(server.sent, [], "a notification is never answered");
    await client.close();
  }));
