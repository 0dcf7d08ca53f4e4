// generated — do not edit; run `just write-schema`
import type { AttestationGenerateParams } from "./AttestationGenerateParams.js";
import type { AttestationGenerateResponse } from "./AttestationGenerateResponse.js";
import type { AttestationStatus as AttestationStatusType } from "./AttestationStatus.js";
import type { ErrorCode as ErrorCodeType } from "./ErrorCode.js";
import type { InitializeParams } from "./InitializeParams.js";
import type { InitializeResponse } from "./InitializeResponse.js";
import type { JsonRpcError } from "./JsonRpcError.js";
import type { RequestId } from "./RequestId.js";

/** Method names of requests the server sends to the client. */
export const ServerRequestMethod = {
  /**
   * Asks the app for a fresh attestation token. Sent only to clients that
   * set `capabilities.requestAttestation`; the server waits at most its
   * deadline (default 100 ms) for the answer.
   */
  AttestationGenerate: "attestation/generate",
} as const;
/** The method name of one of the requests the server sends to the client. */
export type ServerRequestMethod = (typeof ServerRequestMethod)[keyof typeof ServerRequestMethod];

/** For each method of the requests the server sends to the client: its params and the result of its response. */
export type ServerRequestMap = {
  /**
   * Asks the app for a fresh attestation token. Sent only to clients that
   * set `capabilities.requestAttestation`; the server waits at most its
   * deadline (default 100 ms) for the answer.
   */
  "attestation/generate": { params: AttestationGenerateParams; response: AttestationGenerateResponse };
};

/** Method names of requests the client sends to the server. */
export const ClientRequestMethod = {
  /**
   * The first request of every connection: who the client is and what it
   * supports. Any other request before it fails with -32002.
   */
  Initialize: "initialize",
} as const;
/** The method name of one of the requests the client sends to the server. */
export type ClientRequestMethod = (typeof ClientRequestMethod)[keyof typeof ClientRequestMethod];

/** For each method of the requests the client sends to the server: its params and the result of its response. */
export type ClientRequestMap = {
  /**
   * The first request of every connection: who the client is and what it
   * supports. Any other request before it fails with -32002.
   */
  "initialize": { params: InitializeParams; response: InitializeResponse };
};

/** Method names of notifications the client sends to the server. */
export const ClientNotificationMethod = {
  /**
   * Sent by the client after it has read the `initialize` response.
   */
  Initialized: "initialized",
} as const;
/** The method name of one of the notifications the client sends to the server. */
export type ClientNotificationMethod = (typeof ClientNotificationMethod)[keyof typeof ClientNotificationMethod];

/** For each method of the notifications the client sends to the server: its params. */
export type ClientNotificationMap = {
  /**
   * Sent by the client after it has read the `initialize` response.
   */
  "initialized": { params: undefined };
};

/** Named values of `AttestationStatus`, the envelope's `s`. */
export const AttestationStatus = {
  /** The app answered with a valid token; `t` holds it. */
  Ok: 0,
  /** The app did not answer before the deadline. */
  Timeout: 1,
  /** The app answered with a JSON-RPC error. */
  RequestFailed: 2,
  /** The request could not complete: the connection closed, or the send failed. */
  RequestCanceled: 3,
  /** The answer was not `{ token }`, or the token broke the token rule. */
  MalformedResponse: 4,
} as const satisfies Record<string, AttestationStatusType>;
/** The envelope's status `s`: one of the values above. */
export type AttestationStatus = AttestationStatusType;

/** Named JSON-RPC error codes this protocol sends. */
export const ErrorCode = {
  /** -32700: The line is not valid JSON. */
  ParseError: -32700,
  /** -32600: The JSON is not a valid request (or a second `initialize`). */
  InvalidRequest: -32600,
  /** -32601: The method does not exist. */
  MethodNotFound: -32601,
  /** -32602: The params do not fit the method. */
  InvalidParams: -32602,
  /** -32603: The receiver failed internally (a handler threw or panicked). */
  InternalError: -32603,
  /** -32002: A request other than `initialize` came before the handshake. */
  NotInitialized: -32002,
} as const satisfies Record<string, ErrorCodeType>;
/** A JSON-RPC error code: one of the above, or any other integer a client sends. */
export type ErrorCode = ErrorCodeType;

/** The HTTP header that carries the envelope. */
export const ATTESTATION_HEADER_NAME = "x-oai-attestation";

/**
 * The version of the attestwire protocol this package describes (semver): the
 * workspace version, also the package's `version` and what a server sends
 * as `protocolVersion` in the `initialize` result.
 */
export const PROTOCOL_VERSION = "0.1.0";

/** The value of every message's `jsonrpc` member. */
export const JSONRPC_VERSION = "2.0";

/** The fewest characters an attestation token may have. */
export const TOKEN_MIN_LENGTH = 1;

/** The most characters an attestation token may have. */
export const TOKEN_MAX_LENGTH = 8192;

/**
 * One or more visible ASCII characters (0x21–0x7E): rejects the empty
 * string by itself; the upper length is checked separately.
 */
export const TOKEN_PATTERN = /^[\x21-\x7E]+$/;

/**
 * `true` when `token` satisfies the token rule: 1 to 8192 characters, each
 * visible ASCII (0x21–0x7E). The server reports any other token as
 * `AttestationStatus.MalformedResponse`.
 */
export function isValidAttestationToken(token: string): boolean {
  return (
    token.length >= TOKEN_MIN_LENGTH &&
    token.length <= TOKEN_MAX_LENGTH &&
    TOKEN_PATTERN.test(token)
  );
}

/** The request the server sends for the method `M`. */
export type ServerRequestOf<M extends ServerRequestMethod> = {
  /** The method name. */
  method: M;
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** Chosen by the sender; echoed in the response. */
  id: RequestId;
  /** The method's parameters. */
  params: ServerRequestMap[M]["params"];
};

/**
 * The successful response a client sends to the server request `M`: its
 * `result` is `M`'s response type (`{ token }` for `attestation/generate`).
 */
export type ServerRequestResponse<M extends ServerRequestMethod> = {
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** The `id` of the request this answers. */
  id: RequestId;
  /** The result: the method's response type. */
  result: ServerRequestMap[M]["response"];
  /** Never present: a response has `result` or `error`, never both. */
  error?: never;
};

/** The request a client sends for the method `M`. */
export type ClientRequestOf<M extends ClientRequestMethod> = {
  /** The method name. */
  method: M;
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** Chosen by the sender; echoed in the response. */
  id: RequestId;
  /** The method's parameters. */
  params: ClientRequestMap[M]["params"];
};

/** The successful response the server sends to the client request `M`. */
export type ClientRequestResponse<M extends ClientRequestMethod> = {
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** The `id` of the request this answers. */
  id: RequestId;
  /** The result: the method's response type. */
  result: ClientRequestMap[M]["response"];
  /** Never present: a response has `result` or `error`, never both. */
  error?: never;
};

/** The notification a client sends for the method `M`. */
export type ClientNotificationOf<M extends ClientNotificationMethod> = {
  /** The method name. */
  method: M;
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** None: a notification has no params. */
  params?: ClientNotificationMap[M]["params"];
};

/**
 * The successful response to `request`, a server request: `result` must be
 * the response type of the request's method.
 *
 * ```ts
 * makeResponse(request, { token }) // request: ServerRequestOf<"attestation/generate">
 * ```
 */
export function makeResponse<M extends ServerRequestMethod>(
  request: { method: M; id: RequestId },
  result: ServerRequestMap[M]["response"],
): ServerRequestResponse<M> {
  return { jsonrpc: JSONRPC_VERSION, id: request.id, result };
}

/**
 * An error response answering the request `id` (`null` when the request's id
 * could not be read). `data` is left out when `undefined`.
 */
export function makeError(
  id: RequestId | null,
  code: ErrorCode,
  message: string,
  data?: unknown,
): JsonRpcError {
  const error = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: JSONRPC_VERSION, id, error };
}

/** A client request for `method`, with `params` checked against it. */
export function makeRequest<M extends ClientRequestMethod>(
  method: M,
  id: RequestId,
  params: ClientRequestMap[M]["params"],
): ClientRequestOf<M> {
  return { jsonrpc: JSONRPC_VERSION, id, method, params };
}

/** A client notification for `method` (none of them has params). */
export function makeNotification<M extends ClientNotificationMethod>(
  method: M,
): ClientNotificationOf<M> {
  return { jsonrpc: JSONRPC_VERSION, method };
}
