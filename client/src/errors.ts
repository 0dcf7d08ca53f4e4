// The errors the client rejects with or reports. Each names one situation;
// none carries a value read from the wire other than a remote error's own
// message and data, so that a token can never end up in a log line by way of
// an error.

import type { CloseReason } from "./closed.js";

/**
 * The server answered a request with a JSON-RPC error; also what a handler
 * throws to answer a server request with that error (`code`, `message` and
 * `data` are sent as they are).
 */
export class RemoteError extends Error {
  /** The JSON-RPC error code. */
  readonly code: number;
  /** The error's `data`; `undefined` when the error had none. */
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RemoteError";
    this.code = code;
    this.data = data;
  }
}

/** A request got no answer before its deadline; its entry is gone and a late answer is dropped. */
export class RequestTimeoutError extends Error {
  /** The request's method. */
  readonly method: string;
  /** The deadline that passed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(method: string, timeoutMs: number) {
    super(`request ${JSON.stringify(method)} got no answer within ${timeoutMs} ms`);
    this.name = "RequestTimeoutError";
    this.method = method;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The connection closed before the request was answered (or before a message
 * could be sent). `reason` says why; for a spawned server, `exitCode` and
 * `signal` are the child's when it had exited by then (else `null`).
 */
export class ConnectionClosedError extends Error {
  /** Why the connection closed. */
  readonly reason: CloseReason;
  /** The child's exit code, when it had exited; else `null`. */
  readonly exitCode: number | null;
  /** The signal that ended the child, when one did; else `null`. */
  readonly signal: string | null;

  constructor(reason: CloseReason, exitCode: number | null, signal: string | null, cause?: Error) {
    const how =
      exitCode !== null ? ` (exit code ${exitCode})` : signal !== null ? ` (signal ${signal})` : "";
    super(`the connection closed: ${reason}${how}`, cause === undefined ? undefined : { cause });
    this.name = "ConnectionClosedError";
    this.reason = reason;
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/** What was wrong with something the server sent; see `ProtocolError.kind`. */
export type ProtocolErrorKind =
  /** A line that is not JSON (or not UTF-8). */
  | "parse"
  /** JSON that is not a JSON-RPC message (not an object, a bad `jsonrpc`, id or error object). */
  | "invalid-message"
  /** One of attestwire's own messages that breaks its schema (the generated validators said why). */
  | "invalid-attestwire-message"
  /** A response to an id the client has no request for. */
  | "unknown-id"
  /** A second response to a request that was already answered. */
  | "duplicate-response"
  /** A response with both `result` and `error`. */
  | "result-and-error"
  /** An error response with `id: null`: the server could not read one of our lines. */
  | "error-without-id"
  /** A host handler threw something other than `RemoteError` (answered -32603), or a notification handler threw. */
  | "handler-failed"
  /** The app's attestation provider failed or gave a token that breaks the token rule (answered with an error). */
  | "attestation-failed";

/**
 * Something the server sent was wrong, or a handler failed; given to the
 * `onProtocolError` option, never thrown. The connection stays open. The
 * message names the rule broken, never a value from the line.
 */
export class ProtocolError extends Error {
  /** Which situation this is. */
  readonly kind: ProtocolErrorKind;

  constructor(kind: ProtocolErrorKind, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "ProtocolError";
    this.kind = kind;
  }
}
