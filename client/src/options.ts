// The client's options, their defaults, and their checks.

import type { AttestationGenerateParams } from "@attestwire/protocol";

import type { ProtocolError } from "./errors.js";

/** What the attestation provider is given. */
export interface AttestationContext {
  /** The request's params (`{}` today). */
  readonly params: AttestationGenerateParams;
  /** Aborted when the connection closes: the answer would be dropped. */
  readonly signal: AbortSignal;
}

/** Options of `connect` and `spawnServer`. */
export interface ClientOptions {
  /**
   * Answers `attestation/generate` with a fresh token (1 to 8192 visible
   * ASCII characters). Never queued behind host handlers. A token that
   * breaks the rule is not sent: the server gets an error instead (its
   * header then says `s=2`). Without it, the request gets -32601; do not set
   * `capabilities.requestAttestation` then.
   */
  attestation?: (context: AttestationContext) => string | Promise<string>;
  /** The deadline of each of the app's requests, in ms (default 30 000; `Infinity` for none). */
  requestTimeoutMs?: number;
  /** The longest line accepted from the server, in bytes without the newline (default 1 MiB). */
  maxLineBytes?: number;
  /** How long the server may leave our writes unread before the connection closes, in ms (default 10 000). */
  writeStallMs?: number;
  /** How many host request handlers may run at once; the rest wait in order (default 32). */
  maxConcurrentHandlers?: number;
  /**
   * Told of everything wrong the server sent and of handler failures; the
   * connection stays open. Default: one line on the app's stderr.
   */
  onProtocolError?: (error: ProtocolError) => void;
}

export const DEFAULTS = {
  requestTimeoutMs: 30_000,
  maxLineBytes: 1 << 20,
  writeStallMs: 10_000,
  maxConcurrentHandlers: 32,
  graceMs: 2_000,
} as const;

/** The options with defaults filled in; throws a RangeError naming a bad one. */
export interface Resolved {
  readonly attestation: ClientOptions["attestation"];
  readonly requestTimeoutMs: number;
  readonly maxLineBytes: number;
  readonly writeStallMs: number;
  readonly maxConcurrentHandlers: number;
  readonly onProtocolError: (error: ProtocolError) => void;
}

export function resolveOptions(options: ClientOptions): Resolved {
  return {
    attestation: options.attestation,
    requestTimeoutMs: duration("requestTimeoutMs", options.requestTimeoutMs, DEFAULTS.requestTimeoutMs),
    maxLineBytes: count("maxLineBytes", options.maxLineBytes, DEFAULTS.maxLineBytes),
    writeStallMs: duration("writeStallMs", options.writeStallMs, DEFAULTS.writeStallMs),
    maxConcurrentHandlers: count(
      "maxConcurrentHandlers",
      options.maxConcurrentHandlers,
      DEFAULTS.maxConcurrentHandlers,
    ),
    onProtocolError: options.onProtocolError ?? logProtocolError,
  };
}

/** A positive number of milliseconds, or `Infinity`. */
export function duration(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds or Infinity`);
  }
  return value;
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer`);
  }
  return value;
}

function logProtocolError(error: ProtocolError): void {
  process.stderr.write(`[attestwire] ${error.kind}: ${error.message}\n`);
}
