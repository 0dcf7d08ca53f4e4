// A desktop app for the end-to-end tests and the probe: it opts in to
// attestation (unless told not to), completes the handshake, and answers
// `attestation/generate` according to its mode. Every wire type and method
// name comes from `@attestwire/protocol`.
//
//   node tests/ts/build/client/main.js MODE [N] [--token TOKEN] [--linger] [--quiet]
//
// Modes, as in issue 4:
//   ok            answers with the token (default `v1.opaque-client-payload`)
//   slow MS       answers with the token after MS milliseconds
//   error         answers with a JSON-RPC error
//   exit          exits (code 0) when asked
//   malformed     answers with a result without `token`
//   no-opt-in     does not set `capabilities.requestAttestation`; answers as `ok`
// Hostile modes, for the probe's robustness tests:
//   garbage       before each answer writes a non-JSON line, a non-object,
//                 and an answer to an id the server never sent; then as `ok`
//   wrong-id      answers with an id the server did not send
//   oversize      answers with a 2 MiB line (over the 1 MiB frame limit)
//   exit-after N  answers the first N requests as `ok`, exits on the next
// Flags:
//   --linger      keeps running after stdin closes (the probe must kill it)
//   --quiet       no `client:` lines on stderr
//
// It exits 0 when stdin closes, and 2 on a usage error.

import {
  ClientNotificationMethod,
  ClientRequestMethod,
  ErrorCode,
  JSONRPC_VERSION,
  RpcError,
  createServerRequestDispatcher,
  isErrorResponse,
  isServerRequest,
  isValidAttestationToken,
  makeResponse,
  parseServerMessage,
} from "@attestwire/protocol";
import type {
  ClientNotification,
  ClientRequest,
  InitializeParams,
  JsonRpcResponse,
  RequestId,
  ServerMessage,
  ServerRequest,
} from "@attestwire/protocol";

import { log, readLines, send, setQuiet, writeRaw } from "./jsonl.js";

type Mode =
  | { kind: "ok" }
  | { kind: "slow"; ms: number }
  | { kind: "error" }
  | { kind: "exit" }
  | { kind: "malformed" }
  | { kind: "no-opt-in" }
  | { kind: "garbage" }
  | { kind: "wrong-id" }
  | { kind: "oversize" }
  | { kind: "exit-after"; answers: number };

type Options = { mode: Mode; token: string; linger: boolean; quiet: boolean };

const USAGE =
  "usage: main.js ok|slow MS|error|exit|malformed|no-opt-in|garbage|wrong-id|oversize|exit-after N " +
  "[--token TOKEN] [--linger] [--quiet]";

/** The id of our `initialize`: a string, so it never equals a server-issued id. */
const INITIALIZE_ID: RequestId = "initialize-1";

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
  let token = "v1.opaque-client-payload";
  let linger = false;
  let quiet = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--linger") {
      linger = true;
    } else if (arg === "--quiet") {
      quiet = true;
    } else if (arg === "--token") {
      i++;
      token = args[i] ?? usage("--token needs a value");
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
    case "garbage":
    case "wrong-id":
    case "oversize":
      mode = { kind: name };
      if (arg !== undefined) usage(`mode ${name} takes no argument`);
      break;
    case "slow":
      mode = { kind: "slow", ms: count(arg, "slow MS") };
      break;
    case "exit-after":
      mode = { kind: "exit-after", answers: count(arg, "exit-after N") };
      break;
    default:
      usage(name === undefined ? "no mode given" : `unknown mode ${name}`);
  }
  if (rest.length > 0) usage(`unexpected arguments: ${rest.join(" ")}`);
  // The `ok` answer must be what the server accepts as status 0, or the
  // tests would test this client rather than the flow.
  if (!isValidAttestationToken(token)) usage("--token breaks the token rule");
  return { mode, token, linger, quiet };
}

/** The answer with `token`, as if the server had sent `request` with the id `id`. */
function answerToken(request: ServerRequest, id: RequestId, token: string): void {
  send(makeResponse({ method: request.method, id }, { token }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function otherId(id: RequestId): RequestId {
  return typeof id === "number" ? id + 1_000_000 : `${id}-other`;
}

class Client {
  private initialized = false;
  private answered = 0;

  constructor(private readonly options: Options) {}

  start(): void {
    readLines(
      (line) => this.onLine(line),
      () => {
        log("stdin closed");
        if (this.options.linger) {
          log("lingering");
          setInterval(() => {}, 60_000);
        } else {
          process.exit(0);
        }
      },
    );
    const params: InitializeParams = {
      clientInfo: { name: "attestwire-test-client", version: "0.1.0", title: "attestwire test client" },
      ...(this.options.mode.kind === "no-opt-in" ? {} : { capabilities: { requestAttestation: true } }),
    };
    const initialize: ClientRequest = {
      jsonrpc: JSONRPC_VERSION,
      id: INITIALIZE_ID,
      method: ClientRequestMethod.Initialize,
      params,
    };
    log(`pid=${process.pid} mode=${this.options.mode.kind}`);
    send(initialize);
  }

  /**
   * The modes that answer `attestation/generate` at all answer through the
   * package's dispatcher: its handler is the app's, the response (or the
   * JSON-RPC error, for `RpcError`) is built by the package.
   */
  private readonly dispatch = createServerRequestDispatcher({
    "attestation/generate": async () => {
      const { mode, token } = this.options;
      if (mode.kind === "slow") await sleep(mode.ms);
      if (mode.kind === "error") {
        throw new RpcError(ErrorCode.InternalError, "attestation is unavailable");
      }
      return { token };
    },
  });

  private onLine(line: string): void {
    const parsed = parseServerMessage(line);
    if (!parsed.ok) {
      // The error names the path and the rule only: safe to log.
      log(`ignored a line that is not a server message: ${parsed.error}`);
      return;
    }
    const message = parsed.message;
    if (isServerRequest(message)) {
      log(`received ${message.method} id=${JSON.stringify(message.id)}`);
      this.answer(message);
      return;
    }
    if (!this.initialized && message.id === INITIALIZE_ID) {
      this.onInitializeAnswer(message);
      return;
    }
    if (isErrorResponse(message)) {
      // E.g. the server's -32700 answer to our garbage.
      log(`server error ${message.error.code}`);
      return;
    }
    log("ignored an unexpected message");
  }

  private onInitializeAnswer(message: Exclude<ServerMessage, ServerRequest>): void {
    if (isErrorResponse(message)) {
      log(`initialize failed: ${JSON.stringify(message.error)}`);
      process.exit(1);
    }
    this.initialized = true;
    const initialized: ClientNotification = {
      jsonrpc: JSONRPC_VERSION,
      method: ClientNotificationMethod.Initialized,
    };
    send(initialized);
    log("initialized");
  }

  private answer(request: ServerRequest): void {
    const { mode, token } = this.options;
    switch (mode.kind) {
      case "ok":
      case "no-opt-in":
      case "slow":
      case "error":
        void this.dispatch(request).then(send);
        return;
      case "exit":
        log("exiting as asked");
        process.exit(0);
      // `process.exit` returns `never`: no fallthrough.
      case "malformed": {
        // Deliberately not the method's response type: the generic
        // JSON-RPC response is the only type that admits it.
        const response: JsonRpcResponse = { jsonrpc: JSONRPC_VERSION, id: request.id, result: { status: "ready" } };
        send(response);
        return;
      }
      case "garbage":
        writeRaw("this line is not JSON\n");
        writeRaw("[1,2,3]\n");
        answerToken(request, otherId(request.id), "v1.stray");
        void this.dispatch(request).then(send);
        return;
      case "wrong-id":
        answerToken(request, otherId(request.id), token);
        return;
      case "oversize":
        log("writing a 2 MiB line");
        writeRaw(
          `{"jsonrpc":"2.0","id":${JSON.stringify(request.id)},"result":{"token":"${"x".repeat(2 * 1024 * 1024)}"}}\n`,
        );
        return;
      case "exit-after":
        if (this.answered >= mode.answers) {
          log(`exiting after ${this.answered} answers`);
          process.exit(0);
        }
        this.answered++;
        void this.dispatch(request).then(send);
        return;
    }
  }
}

const options = parseArgs(process.argv.slice(2));
setQuiet(options.quiet);
new Client(options).start();
