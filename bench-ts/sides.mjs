// The sides of the benchmark: each is the app's half of the same job over
// one pair of streams (the Rust server's stdout and stdin, or in-memory
// streams): it answers `attestation/generate` with a token and sends
// requests of its own. `open(streams)` returns, after the handshake,
// `{ request(method, params) -> Promise<result>, close() }`.
//
// The two libraries speak JSONL through the adapters below (the same
// line splitter for both, and for the floor), written as an app developer
// would: json-rpc-2.0 is transport-agnostic, and vscode-jsonrpc frames
// with Content-Length headers unless given a MessageReader/MessageWriter.

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const TOKEN = "v1.opaque-client-payload";
const CLIENT_INFO = { name: "bench-ts", version: "0" };
const INITIALIZE = { clientInfo: CLIENT_INFO, capabilities: { requestAttestation: true } };

/**
 * Calls `onLine(buffer)` for each `\n`-terminated line of `readable` (without
 * the newline). Linear in bytes: each chunk is scanned once, from where the
 * last scan stopped, and a line spread over chunks is joined once, when its
 * end arrives.
 */
export function readLines(readable, onLine) {
  let parts = [];
  readable.on("data", (chunk) => {
    let start = 0;
    let end = chunk.indexOf(10);
    while (end !== -1) {
      if (parts.length === 0) {
        onLine(chunk.subarray(start, end));
      } else {
        parts.push(chunk.subarray(start, end));
        const line = Buffer.concat(parts);
        parts = [];
        onLine(line);
      }
      start = end + 1;
      end = chunk.indexOf(10, start);
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
  });
}

/**
 * @attestwire/client (this repository's client/), `connect` over the same
 * streams, every option at its default (so each request has the default
 * 30 s deadline armed, which neither library has). bench/* are not in any
 * method map, so the bench calls them raw, as a host without a map would.
 */
async function openClient({ readable, writable }, options = {}) {
  const { connect } = await import("@attestwire/client");
  const client = connect({ readable, writable }, { attestation: () => TOKEN, ...options });
  await client.request("initialize", INITIALIZE);
  await client.notify("initialized");
  return {
    request: (method, params) => client.requestRaw(method, params),
    // The pending requests reject with ConnectionClosedError; the bench
    // has a handler on each.
    close: () => {
      client.close({ graceMs: 0 }).catch(() => {});
    },
  };
}

/** json-rpc-2.0 1.8.1, `JSONRPCServerAndClient`, with a JSONL adapter. */
async function openJsonRpc2({ readable, writable }) {
  const { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient } = require("json-rpc-2.0");
  const peer = new JSONRPCServerAndClient(
    new JSONRPCServer(),
    new JSONRPCClient((payload) => {
      writable.write(JSON.stringify(payload) + "\n");
    }),
  );
  peer.addMethod("attestation/generate", () => ({ token: TOKEN }));
  readLines(readable, (line) => {
    let message;
    try {
      message = JSON.parse(line.toString());
    } catch {
      return;
    }
    // receiveAndSend rejects on a message it does not accept (e.g. one
    // without "jsonrpc"); nobody else holds that promise.
    peer.receiveAndSend(message).catch(() => {});
  });
  await peer.request("initialize", INITIALIZE);
  peer.notify("initialized");
  return {
    request: (method, params) => peer.request(method, params),
    close: () => peer.rejectAllPendingRequests("closed"),
  };
}

/** vscode-jsonrpc 10.0.0, `createMessageConnection`, with a JSONL reader and writer. */
async function openVscodeJsonrpc({ readable, writable }) {
  const rpc = require("vscode-jsonrpc/node");

  class JsonlReader extends rpc.AbstractMessageReader {
    listen(callback) {
      readLines(readable, (line) => {
        let message;
        try {
          message = JSON.parse(line.toString());
        } catch (error) {
          this.fireError(error);
          return;
        }
        callback(message);
      });
      readable.on("close", () => this.fireClose());
      return rpc.Disposable.create(() => readable.removeAllListeners("data"));
    }
  }

  class JsonlWriter extends rpc.AbstractMessageWriter {
    write(message) {
      writable.write(JSON.stringify(message) + "\n");
      return Promise.resolve();
    }
    end() {
      writable.end();
    }
  }

  const connection = rpc.createMessageConnection(new JsonlReader(), new JsonlWriter());
  connection.onRequest("attestation/generate", () => ({ token: TOKEN }));
  connection.listen();
  await connection.sendRequest("initialize", INITIALIZE);
  await connection.sendNotification("initialized");
  return {
    request: (method, params) =>
      params === undefined ? connection.sendRequest(method) : connection.sendRequest(method, params),
    close: () => connection.dispose(),
  };
}

/**
 * The floor: no library and no JSON.parse. Lines are split as above; an
 * `attestation/generate` request is recognised by a substring and answered
 * from a template with its id cut out of the line; a response's id is cut
 * out the same way and looked up. Every request line is a template too.
 * What any JSONL client must at least do on this job.
 */
async function openFloor({ readable, writable }) {
  const pending = new Map();
  let next = 0;
  const ANSWER_TAIL = `,"result":{"token":"${TOKEN}"}}\n`;
  readLines(readable, (buffer) => {
    const line = buffer.toString();
    const idAt = line.indexOf('"id":') + 5;
    if (line.includes('"method":"attestation/generate"')) {
      const id = line.slice(idAt, line.indexOf(',"method"', idAt));
      writable.write(`{"jsonrpc":"2.0","id":${id}${ANSWER_TAIL}`);
      return;
    }
    const comma = line.indexOf(",", idAt);
    const id = line.slice(idAt, comma);
    const settle = pending.get(id);
    if (settle === undefined) return;
    pending.delete(id);
    // The result is what follows `"result":` up to the closing brace.
    const result = line.slice(line.indexOf('"result":', comma) + 9, -1);
    settle(result);
  });
  const request = (method, params) =>
    new Promise((resolve) => {
      const id = String(next++);
      pending.set(id, resolve);
      const tail = params === undefined ? "}\n" : `,"params":${JSON.stringify(params)}}\n`;
      writable.write(`{"jsonrpc":"2.0","id":${id},"method":"${method}"${tail}`);
    });
  await request("initialize", INITIALIZE);
  writable.write('{"jsonrpc":"2.0","method":"initialized"}\n');
  return { request, close: () => pending.clear() };
}

/**
 * The sides, in the tables' order; `library` marks the two the goals
 * compare with. `value` turns what `request` resolved
 * to into the JSON value (the floor hands back the raw JSON text).
 */
export const SIDES = [
  { name: "@attestwire/client", open: openClient, value: (r) => r },
  // The same with requestTimeoutMs: Infinity: what the per-request deadline timer costs.
  {
    name: "@attestwire/client, no deadline",
    open: (streams) => openClient(streams, { requestTimeoutMs: Infinity }),
    value: (r) => r,
  },
  { name: "json-rpc-2.0", open: openJsonRpc2, value: (r) => r, library: true },
  { name: "vscode-jsonrpc", open: openVscodeJsonrpc, value: (r) => r, library: true },
  { name: "floor: bare line loop", open: openFloor, value: (r) => JSON.parse(r) },
];

export function side(name) {
  const found = SIDES.find((s) => s.name === name);
  if (found === undefined) throw new Error(`unknown side ${name}`);
  return found;
}
