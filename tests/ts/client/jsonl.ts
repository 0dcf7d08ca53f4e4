// JSONL over stdio: one compact JSON object per line, as DESIGN.md's wire
// contract frames every message.

import type { JsonRpcMessage } from "@attestwire/protocol";

let quiet = false;

/** Silences `log` (for the README run and benchmarks). */
export function setQuiet(value: boolean): void {
  quiet = value;
}

/**
 * One line on stderr, prefixed `client:`. The tests read these lines (the
 * probe passes the client's stderr through), so their wording is part of
 * the tests: change both together.
 */
export function log(text: string): void {
  if (!quiet) {
    process.stderr.write(`client: ${text}\n`);
  }
}

/** Writes one message as one line. */
export function send(message: JsonRpcMessage): void {
  writeRaw(`${JSON.stringify(message)}\n`);
}

/** Writes bytes as they are: for the hostile modes' garbage. */
export function writeRaw(text: string): void {
  process.stdout.write(text);
}

/**
 * Calls `onLine` with each non-blank line read from stdin (without its
 * newline) and `onEnd` once stdin ends.
 */
export function readLines(onLine: (line: string) => void, onEnd: () => void): void {
  // The server closing our stdin while we write (e.g. after our oversize
  // line) is its right, not a crash of ours.
  process.stdout.on("error", (error) => {
    log(`stdout closed: ${error.message}`);
    process.exit(0);
  });
  let buffered = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => {
    buffered += chunk;
    let end = buffered.indexOf("\n");
    while (end >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line.trim() !== "") {
        onLine(line);
      }
      end = buffered.indexOf("\n");
    }
  });
  process.stdin.on("end", onEnd);
}
