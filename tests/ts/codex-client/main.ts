// A Codex-shaped desktop app for tests/tests/e2e_codex_host.rs. It drives
// examples/codex-host: `initialize` (opting in to attestation unless told
// not to), `thread/start`, then `turn/start` TURNS times, one after another.
// It answers the host's own `item/approve` and attestwire's
// `attestation/generate` according to its mode. The attestation part comes
// from `@attestwire/protocol`; the Codex methods have their own small types
// here, as a Codex app has its own.
//
//   node tests/ts/build/codex-client/codex-client/main.js MODE [MS] [--turns N]
//
// Modes (how `attestation/generate` is answered):
//   ok              with the token `v1.opaque-client-payload`
//   slow MS         with the token after MS milliseconds
//   error           with a JSON-RPC error
//   exit            by exiting (code 0)
//   malformed       with a result without `token`
//   no-opt-in       sets `requestAttestation: false`; answers as `ok` if asked
//   approval-error  answers `item/approve` with a JSON-RPC error; the token as `ok`
// In every other mode `item/approve` gets `{ decision: "approved" }`.
//
// It logs on stderr (`client: …`) each request the server sent it
// (`received METHOD id=ID`) and each turn's result (`turn {JSON}`), and
// exits 0 when stdin closes, 1 when a request of its own fails, 2 on a
// usage error.

import { ErrorCode, JSONRPC_VERSION, ServerRequestMethod, isValidAttestationToken } from "@attestwire/protocol";
import type {
  ClientCapabilities,
  ClientInfo,
  JsonRpcError,
  JsonRpcMessage,
  JsonRpcResponse,
  RequestId,
  ServerRequestMap,
} from "@attestwire/protocol";

import { log, readLines, send } from "../client/jsonl.js";

// ---- the Codex-shaped contract (examples/codex-host/README.md) ----

/** The host's capabilities, with attestwire's `requestAttestation` flattened in. */
type CodexCapabilities = ClientCapabilities & { experimentalApi?: boolean };

type ThreadParams = { threadId: string };

/** The host's own server → client request, with integer ids from 0. */
const ITEM_APPROVE = "item/approve";
type ItemApproveResult = { decision: "approved" };

type TurnStartResult = {
  /** The client's `item/approve` result, or `null` after an error. */
  approval: ItemApproveResult | null;
  /** The `x-oai-attestation` value the turn's upstream request would carry. */
  attestation: string | null;
};

/** The client → server requests, each with its params and result. */
type CodexRequestMap = {
  initialize: {
    params: { clientInfo: ClientInfo; capabilities?: CodexCapabilities };
    response: { serverInfo: { name: string; version: string } };
  };
  "thread/start": { params: ThreadParams; response: ThreadParams };
  "turn/start": { params: ThreadParams; response: TurnStartResult };
};
type CodexMethod = keyof CodexRequestMap;

// ---- options ----

type Mode =
  | { kind: "ok" }
  | { kind: "slow"; ms: number }
  | { kind: "error" }
  | { kind: "exit" }
  | { kind: "malformed" }
  | { kind: "no-opt-in" }
  | { kind: "approval-error" };

type Options = { mode: Mode; turns: number };

type GenerateResult = ServerRequestMap[typeof ServerRequestMethod.AttestationGenerate]["response"];

const USAGE = "usage: main.js ok|slow MS|error|exit|malformed|no-opt-in|approval-error [--turns N]";
const TOKEN = "v1.opaque-client-payload";
const THREAD = "thread-codex-e2e";

function usage(problem: string): never {
  process.stderr.write(`client: ${problem}\n${USAGE}\n`);
  process.exit(2);
}

function count(text: string | undefined, what: string): number {
  const value = Number(text);
  if (text === undefined || !Number.isSafeInteger(value) || value < 0) {
    usage(`${what} must be a non-negative integer, got ${text ?? "nothing"}`);
  }
  return value;
}

function parseArgs(args: readonly string[]): Options {
  let turns = 1;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--turns") {
      i++;
      turns = count(args[i], "--turns");
    } else if (arg !== undefined) {
      positional.push(arg);
    }
  }
  const [name, arg, ...rest] = positional;
  let mode: Mode;
  switch (name) {
    case "ok":
    case "error":
    case "exit":
    case "malformed":
    case "no-opt-in":
    case "approval-error":
      mode = { kind: name };
      if (arg !== undefined) usage(`mode ${name} takes no argument`);
      break;
    case "slow":
      mode = { kind: "slow", ms: count(arg, "slow MS") };
      break;
    default:
      usage(name === undefined ? "no mode given" : `unknown mode ${name}`);
  }
  if (rest.length > 0) usage(`unexpected arguments: ${rest.join(" ")}`);
  return { mode, turns };
}

// ---- the client ----

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === "string" || (typeof value === "number" && Number.isSafeInteger(value));
}

function respond(id: RequestId, result: unknown): void {
  const response: JsonRpcResponse = { jsonrpc: JSONRPC_VERSION, id, result };
  send(response);
}

function fail(id: RequestId, message: string): void {
  const error: JsonRpcError = { jsonrpc: JSONRPC_VERSION, id, error: { code: ErrorCode.InternalError, message } };
  send(error);
}

type Waiter = { resolve: (result: unknown) => void; reject: (error: unknown) => void };

class Client {
  /** Our own ids: integers from 0, as a Codex app counts. */
  private nextId = 0;
  private readonly waiting = new Map<RequestId, Waiter>();

  constructor(private readonly options: Options) {}

  async run(): Promise<void> {
    readLines(
      (line) => this.onLine(line),
      () => {
        log("stdin closed");
        process.exit(0);
      },
    );
    log(`mode=${this.options.mode.kind} turns=${this.options.turns}`);
    const capabilities: CodexCapabilities = {
      experimentalApi: true,
      requestAttestation: this.options.mode.kind !== "no-opt-in",
    };
    await this.request("initialize", {
      clientInfo: { name: "codex-e2e-client", version: "0.1.0" },
      capabilities,
    });
    const initialized: JsonRpcMessage = { jsonrpc: JSONRPC_VERSION, method: "initialized" };
    send(initialized);
    log("initialized");
    await this.request("thread/start", { threadId: THREAD });
    for (let turn = 0; turn < this.options.turns; turn++) {
      const result = await this.request("turn/start", { threadId: THREAD });
      log(`turn ${JSON.stringify(result)}`);
    }
    log("turns done");
  }

  private request<M extends CodexMethod>(
    method: M,
    params: CodexRequestMap[M]["params"],
  ): Promise<CodexRequestMap[M]["response"]> {
    const id = this.nextId++;
    send({ jsonrpc: JSONRPC_VERSION, id, method, params });
    return new Promise((resolve, reject) => {
      // The server's answer is trusted to match the contract: the Rust test
      // checks the values.
      this.waiting.set(id, { resolve: (result) => resolve(result as CodexRequestMap[M]["response"]), reject });
    });
  }

  private onLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      log("ignored a line that is not JSON");
      return;
    }
    if (!isObject(message) || !isRequestId(message.id)) {
      log("ignored an unexpected message");
      return;
    }
    const { id, method } = message;
    if (typeof method === "string") {
      log(`received ${method} id=${JSON.stringify(id)}`);
      this.answer(id, method);
      return;
    }
    const waiter = this.waiting.get(id);
    if (waiter === undefined) {
      log(`ignored an answer to id=${JSON.stringify(id)}`);
      return;
    }
    this.waiting.delete(id);
    if ("result" in message) {
      waiter.resolve(message.result);
    } else {
      waiter.reject(message.error);
    }
  }

  private answer(id: RequestId, method: string): void {
    const { mode } = this.options;
    if (method === ITEM_APPROVE) {
      if (mode.kind === "approval-error") {
        fail(id, "approval is unavailable");
      } else {
        const result: ItemApproveResult = { decision: "approved" };
        respond(id, result);
      }
      return;
    }
    if (method !== ServerRequestMethod.AttestationGenerate) {
      fail(id, `unknown method ${method}`);
      return;
    }
    const token: GenerateResult = { token: TOKEN };
    switch (mode.kind) {
      case "ok":
      case "no-opt-in":
      case "approval-error":
        respond(id, token);
        return;
      case "slow":
        setTimeout(() => respond(id, token), mode.ms);
        return;
      case "error":
        fail(id, "attestation is unavailable");
        return;
      case "exit":
        log("exiting as asked");
        process.exit(0);
      // `process.exit` returns `never`: no fallthrough.
      case "malformed":
        respond(id, { status: "ready" });
        return;
    }
  }
}

// The `ok` answer must be what the server accepts as status 0, or the tests
// would test this client rather than the flow.
if (!isValidAttestationToken(TOKEN)) usage("the token breaks the token rule");
const options = parseArgs(process.argv.slice(2));
new Client(options).run().catch((error: unknown) => {
  log(`a request failed: ${JSON.stringify(error)}`);
  process.exit(1);
});
