// A desktop app for the end-to-end tests and the probe, on `@attestwire/client`
// over its own stdio (the server under test spawned it): it opts in to
// attestation (unless told not to), completes the handshake, and answers
// `attestation/generate` according to its mode.
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
// It exits 0 when the connection closes (stdin ends), and 2 on a usage error.
// The hostile modes write their lines to stdout themselves: the library
// refuses to send them, by design.

import { Transform } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

import { RemoteError, connect, type AttestationContext } from "@attestwire/client";
import { ErrorCode, isValidAttestationToken } from "@attestwire/protocol";

const USAGE =
  "usage: main.js ok|slow MS|error|exit|malformed|no-opt-in|garbage|wrong-id|oversize|exit-after N " +
  "[--token TOKEN] [--linger] [--quiet]";
const MODES = ["ok", "slow", "error", "exit", "malformed", "no-opt-in", "garbage", "wrong-id", "oversize", "exit-after"];
/** What `malformed` answers with: a valid token that a filter on stdout turns into `{"status":"ready"}`. */
const PLACEHOLDER = "v1.malformed-placeholder";

let linger = false;
let quiet = false;
let token = "v1.opaque-client-payload";
const positional: string[] = [];
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i] ?? "";
  if (arg === "--linger") linger = true;
  else if (arg === "--quiet") quiet = true;
  else if (arg === "--token") token = process.argv[++i] ?? usage("--token needs a value");
  else positional.push(arg);
}
const [mode = usage("no mode given"), arg, ...rest] = positional;
if (!MODES.includes(mode)) usage(`unknown mode ${mode}`);
const takesNumber = mode === "slow" || mode === "exit-after";
const number = takesNumber ? count(arg, `${mode} N`) : arg === undefined ? 0 : usage(`mode ${mode} takes no argument`);
if (rest.length > 0) usage(`unexpected arguments: ${rest.join(" ")}`);
// The `ok` answer must be what the server accepts as status 0, or the tests
// would test this client rather than the flow.
if (!isValidAttestationToken(token)) usage("--token breaks the token rule");

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

/**
 * One line on stderr, prefixed `client:`. The tests read these lines (the
 * probe passes the client's stderr through), so their wording is part of
 * the tests: change both together.
 */
function log(text: string): void {
  if (!quiet) process.stderr.write(`client: ${text}\n`);
}

/** Writes a line the library would never send, straight to stdout. */
function writeRaw(text: string): void {
  process.stdout.write(`${text}\n`);
}

/**
 * For `malformed`: stdout through a filter that replaces the placeholder
 * token's result with one without `token`. The client writes whole lines
 * per write, so the pattern is never split.
 */
function malformedOutput(): NodeJS.WritableStream {
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

let answered = 0;

/** The app's token provider: how each mode answers `attestation/generate`. */
async function attest({ params, signal }: AttestationContext): Promise<string> {
  log(`received attestation/generate params=${JSON.stringify(params)}`);
  switch (mode) {
    case "slow":
      await sleep(number, undefined, { signal });
      return token;
    case "error":
      throw new RemoteError(ErrorCode.InternalError, "attestation is unavailable");
    case "exit":
      log("exiting as asked");
      process.exit(0);
    // `process.exit` returns `never`: no fallthrough.
    case "malformed":
      return PLACEHOLDER;
    case "garbage":
      writeRaw("this line is not JSON");
      writeRaw("[1,2,3]");
      writeRaw(`{"jsonrpc":"2.0","id":"never-sent","result":{"token":"v1.stray"}}`);
      return token;
    case "wrong-id":
      writeRaw(`{"jsonrpc":"2.0","id":"never-sent","result":{"token":"${token}"}}`);
      return new Promise(() => {}); // the right id is never answered
    case "oversize":
      log("writing a 2 MiB line");
      writeRaw(`{"jsonrpc":"2.0","id":"oversize","result":{"token":"${"x".repeat(2 * 1024 * 1024)}"}}`);
      return new Promise(() => {});
    case "exit-after":
      if (answered >= number) {
        log(`exiting after ${answered} answers`);
        process.exit(0);
      }
      answered++;
      return token;
    default:
      return token;
  }
}

const client = connect(
  { readable: process.stdin, writable: mode === "malformed" ? malformedOutput() : process.stdout },
  {
    attestation: attest,
    // `error-without-id` is the server's answer to a line of ours it could
    // not read (the garbage mode's): the probe's tests count these codes.
    onProtocolError: (error) =>
      log(error.kind === "error-without-id" ? `server error ${/error (-?\d+)/.exec(error.message)?.[1]}` : error.message),
  },
);
void client.closed.then(({ reason }) => {
  log(reason === "stdout-end" ? "stdin closed" : `connection closed: ${reason}`);
  if (!linger) process.exit(0);
  log("lingering");
  setInterval(() => {}, 60_000);
});

log(`pid=${process.pid} mode=${mode}`);
const capabilities = mode === "no-opt-in" ? {} : { capabilities: { requestAttestation: true } };
const clientInfo = { name: "attestwire-test-client", version: "0.1.0", title: "attestwire test client" };
void client
  .request("initialize", { clientInfo, ...capabilities })
  .then(() => client.notify("initialized"))
  .then(
    () => log("initialized"),
    (error: unknown) => {
      log(`initialize failed: ${String(error)}`);
      process.exit(1);
    },
  );
