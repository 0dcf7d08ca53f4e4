// The Node half of tests/tests/validators.rs's host tests: what the built
// package does with a host's messages (tests/ts/checks/host.ts checks the
// types).
//
//   node tests/ts/host.mjs CASES.json RESULTS.json
//
// CASES.json is `{ "reads": [{ "direction": "server" | "client", "text" }] }`.
// RESULTS.json gets `{ "reads": [...], "dispatch": [...], "builders": [...] }`:
// per read, what `read…Message(text)` returned, and whether
// `classify…Message(JSON.parse(text))` returned the same with the parsed
// value itself as the message; then the answers of a dispatcher with a
// host's handler to fixed requests, and the builders' messages.

import { readFileSync, writeFileSync } from "node:fs";

import {
  ErrorCode,
  RpcError,
  classifyClientMessage,
  classifyServerMessage,
  createServerRequestDispatcher,
  makeNotification,
  makeRequest,
  makeResponse,
  readClientMessage,
  readServerMessage,
} from "@attestwire/protocol";

const [casesPath, resultsPath] = process.argv.slice(2);
if (!casesPath || !resultsPath) {
  console.error("usage: node host.mjs CASES.json RESULTS.json");
  process.exit(2);
}

const READERS = {
  server: [readServerMessage, classifyServerMessage],
  client: [readClientMessage, classifyClientMessage],
};

const { reads } = JSON.parse(readFileSync(casesPath, "utf8"));
const readResults = reads.map(({ direction, text }) => {
  const [read, classify] = READERS[direction];
  const result = read(text);
  let sameByValue = null;
  let value;
  let parsed = false;
  try {
    value = JSON.parse(text);
    parsed = true;
  } catch {
    // Not JSON: nothing to classify.
  }
  if (parsed) {
    const byValue = classify(value);
    sameByValue =
      byValue.ok === result.ok &&
      byValue.kind === result.kind &&
      byValue.error === result.error &&
      byValue.reason === result.reason &&
      (!byValue.ok || byValue.message === value);
  }
  return { result, sameByValue };
});

const SECRET = "S3CR3T";
const calls = [];
const answer = createServerRequestDispatcher({
  "attestation/generate": async () => ({ token: "v1.opaque-client-payload" }),
  "item/approve": async (params, request) => {
    calls.push({ params, id: request.id });
    if (params.threadId === "refuse") throw new RpcError(-32001, "declined", { why: "policy" });
    if (params.threadId === "crash") throw new Error(`the handler broke on ${SECRET}`);
    if (params.threadId === "void") return undefined;
    return { decision: "accept" };
  },
});
const plain = createServerRequestDispatcher({
  "attestation/generate": () => ({ token: "v1.plain" }),
});
const requests = [
  { id: "attestwire:0", method: "attestation/generate", params: {} },
  { id: 0, method: "item/approve", params: { threadId: "t1" } },
  { id: 1, method: "item/approve", params: { threadId: "refuse" } },
  { id: 2, method: "item/approve", params: { threadId: "crash" } },
  { id: 3, method: "item/approve", params: { threadId: "void" } },
  { id: 4, method: "item/unknown", params: {} },
  { id: 5, method: "constructor", params: {} },
  { id: 6, method: "toString" },
  { id: 7, method: "__proto__", params: {} },
];
const dispatch = [];
for (const request of requests) {
  dispatch.push({ dispatcher: "host", request, answer: await answer(request) });
}
for (const request of [requests[0], requests[1], requests[6]]) {
  dispatch.push({ dispatcher: "plain", request, answer: await plain(request) });
}

const builders = [
  makeRequest("thread/start", 1, { threadId: "t1" }),
  makeResponse({ method: "item/approve", id: 0 }, { decision: "accept" }),
  makeNotification("thread/archive", { threadId: "t1" }),
  makeNotification("initialized"),
  ErrorCode.MethodNotFound,
];

writeFileSync(resultsPath, JSON.stringify({ reads: readResults, dispatch, calls, builders }));
console.log(`host: ${reads.length} reads, ${dispatch.length} dispatches`);
