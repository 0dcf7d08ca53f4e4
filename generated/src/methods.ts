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

/**
 * A host's own methods, beside attestwire's: for a server whose protocol has
 * methods of its own (Codex's `thread/start`, `turn/start`, `item/approve`).
 * Each member maps a method name to `{ params, response }` (requests) or
 * `{ params }` (notifications); leave out what the host does not have. Pass
 * it as the type parameter `H` of the builders, the message types and
 * `createServerRequestDispatcher`: where a host method has the name of one of
 * attestwire's, the host's entry wins. Without `H` they know attestwire's
 * methods alone. A type only: nothing checks a host's message against it at
 * run time.
 *
 * ```ts
 * type Codex = {
 *   requests: { "thread/start": { params: { threadId: string }; response: { threadId: string } } };
 *   serverRequests: { "item/approve": { params: { threadId: string }; response: { decision: string } } };
 * };
 * makeRequest<Codex>("thread/start", 1, { threadId: "t1" });
 * ```
 */
export interface HostMethods {
  /** Requests the client (the app) sends to the server. */
  requests?: object;
  /** Notifications the client sends to the server. */
  notifications?: object;
  /** Requests the server sends to the client. */
  serverRequests?: object;
  /** Notifications the server sends to the client. */
  serverNotifications?: object;
}

/** No host methods: attestwire's alone (the default of every `H`). */
export type NoHostMethods = Record<never, never>;

/** The member `K` of the host's methods `H`, or no methods. */
type HostPart<H, K extends keyof HostMethods> = H extends { [P in K]?: infer Part }
  ? NonNullable<Part> extends object
    ? NonNullable<Part>
    : NoHostMethods
  : NoHostMethods;

/** attestwire's map `Ours` and the host's `Host`; the host's entry wins on a shared name. */
type WithHost<Ours, Host> = [keyof Host] extends [never] ? Ours : Omit<Ours, keyof Host> & Host;

/** `ServerRequestMap` and the host's `serverRequests`. */
export type ServerRequestMapWith<H> = WithHost<ServerRequestMap, HostPart<H, "serverRequests">>;
/** `ClientRequestMap` and the host's `requests`. */
export type ClientRequestMapWith<H> = WithHost<ClientRequestMap, HostPart<H, "requests">>;
/** `ClientNotificationMap` and the host's `notifications`. */
export type ClientNotificationMapWith<H> = WithHost<ClientNotificationMap, HostPart<H, "notifications">>;

/** The params of a method map's entry (`undefined` when it has none). */
export type ParamsOf<E> = E extends { params: infer P } ? P : undefined;
/** The result of a method map's entry. */
export type ResponseOf<E> = E extends { response: infer R } ? R : unknown;

/** The request the server sends for the method `M` (of attestwire's, or of the host's `H`). */
export type ServerRequestOf<M extends keyof ServerRequestMapWith<H> & string, H = NoHostMethods> = {
  /** The method name. */
  method: M;
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** Chosen by the sender; echoed in the response. */
  id: RequestId;
  /** The method's parameters. */
  params: ParamsOf<ServerRequestMapWith<H>[M]>;
};

/**
 * The successful response a client sends to the server request `M`: its
 * `result` is `M`'s response type (`{ token }` for `attestation/generate`).
 */
export type ServerRequestResponse<M extends keyof ServerRequestMapWith<H> & string, H = NoHostMethods> = {
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** The `id` of the request this answers. */
  id: RequestId;
  /** The result: the method's response type. */
  result: ResponseOf<ServerRequestMapWith<H>[M]>;
  /** Never present: a response has `result` or `error`, never both. */
  error?: never;
};

/** The request a client sends for the method `M` (of attestwire's, or of the host's `H`). */
export type ClientRequestOf<M extends keyof ClientRequestMapWith<H> & string, H = NoHostMethods> = {
  /** The method name. */
  method: M;
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** Chosen by the sender; echoed in the response. */
  id: RequestId;
  /** The method's parameters. */
  params: ParamsOf<ClientRequestMapWith<H>[M]>;
};

/** The successful response the server sends to the client request `M`. */
export type ClientRequestResponse<M extends keyof ClientRequestMapWith<H> & string, H = NoHostMethods> = {
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** The `id` of the request this answers. */
  id: RequestId;
  /** The result: the method's response type. */
  result: ResponseOf<ClientRequestMapWith<H>[M]>;
  /** Never present: a response has `result` or `error`, never both. */
  error?: never;
};

/** The notification a client sends for the method `M` (of attestwire's, or of the host's `H`). */
export type ClientNotificationOf<M extends keyof ClientNotificationMapWith<H> & string, H = NoHostMethods> = {
  /** The method name. */
  method: M;
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** The notification's parameters; attestwire's take none. */
  params?: ParamsOf<ClientNotificationMapWith<H>[M]>;
};

// The overloads taking the host's `H` list their arguments as a union of
// tuples, one per method, so that an explicit `H` still ties the params (or
// result) to the method: TypeScript does not infer `M` once `H` is given.

/** `makeResponse`'s arguments for each method of `Map`. */
type ResponseArgs<Map> = {
  [M in keyof Map & string]: [request: { method: M; id: RequestId }, result: ResponseOf<Map[M]>];
}[keyof Map & string];

/** `makeRequest`'s arguments for each method of `Map`. */
type RequestArgs<Map> = {
  [M in keyof Map & string]: [method: M, id: RequestId, params: ParamsOf<Map[M]>];
}[keyof Map & string];

/** `makeNotification`'s arguments for each method of `Map`: params may be left out when the method takes none. */
type NotificationArgs<Map> = {
  [M in keyof Map & string]: undefined extends ParamsOf<Map[M]>
    ? [method: M, params?: ParamsOf<Map[M]>]
    : [method: M, params: ParamsOf<Map[M]>];
}[keyof Map & string];

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
): ServerRequestResponse<M>;
/**
 * The successful response to a server request of attestwire's or of the
 * host's methods `H`: `makeResponse<Codex>({ method: "item/approve", id }, { decision })`.
 */
export function makeResponse<H extends HostMethods>(
  ...args: ResponseArgs<ServerRequestMapWith<H>>
): ServerRequestResponse<keyof ServerRequestMapWith<H> & string, H>;
/** One body for both signatures: the types above did the checking. */
export function makeResponse(
  request: { id: RequestId },
  result: unknown,
): { jsonrpc?: "2.0"; id: RequestId; result: unknown } {
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
): ClientRequestOf<M>;
/**
 * A client request for `method` of attestwire's or of the host's methods
 * `H`, with `params` checked against it:
 * `makeRequest<Codex>("thread/start", 2, { threadId: "t1" })`.
 */
export function makeRequest<H extends HostMethods>(
  ...args: RequestArgs<ClientRequestMapWith<H>>
): ClientRequestOf<keyof ClientRequestMapWith<H> & string, H>;
/** One body for both signatures: the types above did the checking. */
export function makeRequest(
  method: string,
  id: RequestId,
  params: unknown,
): { jsonrpc?: "2.0"; id: RequestId; method: string; params: unknown } {
  return { jsonrpc: JSONRPC_VERSION, id, method, params };
}

/** A client notification for `method` (none of attestwire's has params). */
export function makeNotification<M extends ClientNotificationMethod>(
  method: M,
): ClientNotificationOf<M>;
/**
 * A client notification for `method` of attestwire's or of the host's
 * methods `H`, with its params when it has any:
 * `makeNotification<Codex>("thread/archive", { threadId: "t1" })`.
 */
export function makeNotification<H extends HostMethods>(
  ...args: NotificationArgs<ClientNotificationMapWith<H>>
): ClientNotificationOf<keyof ClientNotificationMapWith<H> & string, H>;
/** One body for both signatures: the types above did the checking. */
export function makeNotification(
  method: string,
  params?: unknown,
): { jsonrpc?: "2.0"; method: string; params?: unknown } {
  return params === undefined
    ? { jsonrpc: JSONRPC_VERSION, method }
    : { jsonrpc: JSONRPC_VERSION, method, params };
}
