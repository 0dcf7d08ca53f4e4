// The test modes of the Codex-shaped app (main.ts): how it answers
// `attestation/generate` and `item/approve`, chosen by its arguments.
//
//   main.js MODE [MS] [--turns N]
//
//   ok              the token `v1.opaque-client-payload`
//   slow MS         the token after MS milliseconds
//   error           a JSON-RPC error
//   exit            exits (code 0)
//   malformed       a result without `token`
//   no-opt-in       sets `requestAttestation: false`; answers as `ok` if asked
//   approval-error  answers `item/approve` with a JSON-RPC error; the token as `ok`
// In every other mode `item/approve` gets `{ decision: "approved" }`. It
// logs on stderr (`client: …`) each turn's result (`turn {JSON}`), exits 0
// when its stdin closes, 1 when a request of its own fails, 2 on a usage
// error.

import { Transform } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

import { RemoteError, type AttestationContext } from "@attestwire/client";
import { ErrorCode, isValidAttestationToken } from "@attestwire/protocol";

const TOKEN = "v1.opaque-client-payload";
/** What `malformed` answers with: a valid token that `output` turns into `{"status":"ready"}`. */
const PLACEHOLDER = "v1.malformed-placeholder";
const MODES = ["ok", "slow", "error", "exit", "malformed", "no-opt-in", "approval-error"];
const USAGE = `usage: main.js ${MODES.join("|").replace("slow", "slow MS")} [--turns N]`;

/** One line on stderr, prefixed `client:`; the tests read them. */
export function log(text: string): void {
  process.stderr.write(`client: ${text}\n`);
}

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

function parse(args: readonly string[]): { mode: string; ms: number; turns: number } {
  const positional = [...args];
  const at = positional.indexOf("--turns");
  const turns = at < 0 ? 1 : count(positional.splice(at, 2)[1], "--turns");
  const [mode = usage("no mode given"), ms, ...rest] = positional;
  if (!MODES.includes(mode)) usage(`unknown mode ${mode}`);
  if (mode !== "slow" && ms !== undefined) usage(`mode ${mode} takes no argument`);
  if (rest.length > 0) usage(`unexpected arguments: ${rest.join(" ")}`);
  return { mode, ms: mode === "slow" ? count(ms, "slow MS") : 0, turns };
}

export const options = parse(process.argv.slice(2));
log(`mode=${options.mode} turns=${options.turns}`);
// The `ok` answer must be what the server accepts as status 0, or the tests
// would test this client rather than the flow.
if (!isValidAttestationToken(TOKEN)) usage("the token breaks the token rule");

/** The app's token provider: answers `attestation/generate` as the mode says. */
export async function attest({ signal }: AttestationContext): Promise<string> {
  switch (options.mode) {
    case "slow":
      await sleep(options.ms, undefined, { signal });
      return TOKEN;
    case "error":
      throw new RemoteError(ErrorCode.InternalError, "attestation is unavailable");
    case "exit":
      log("exiting as asked");
      process.exit(0);
    // `process.exit` returns `never`: no fallthrough.
    case "malformed":
      return PLACEHOLDER;
    default:
      return TOKEN;
  }
}

/** Answers the host's `item/approve`. */
export function approve(): { decision: "approved" } {
  if (options.mode === "approval-error") {
    throw new RemoteError(ErrorCode.InternalError, "approval is unavailable");
  }
  return { decision: "approved" };
}

/**
 * Where the app writes: stdout, or for `malformed` stdout through a filter
 * that replaces the placeholder token's result with one without `token` (the
 * library never sends a token that breaks the rule, by design). The client
 * writes whole lines per write, so the pattern is never split.
 */
export function output(): NodeJS.WritableStream {
  if (options.mode !== "malformed") return process.stdout;
  const filter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, chunk.toString().replaceAll(`{"token":"${PLACEHOLDER}"}`, '{"status":"ready"}'));
    },
  });
  filter.pipe(process.stdout);
  // `pipe` does not pass errors on: an EPIPE on stdout reaches the client as
  // its stream's error, not as an uncaught exception.
  process.stdout.on("error", (error) => filter.destroy(error));
  return filter;
}
