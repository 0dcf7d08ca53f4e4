// generated — do not edit; run `just write-schema`
// Narrowing a message that `parseServerMessage`, `parseClientMessage` or
// `read…` accepted, by its keys as the protocol classifies it, and answering
// server requests (attestwire's and a host's) with typed handlers.
import type { ClientMessage } from "./ClientMessage.js";
import type { ClientNotification } from "./ClientNotification.js";
import type { ClientRequest } from "./ClientRequest.js";
import type { ClientResponse } from "./ClientResponse.js";
import type { JsonRpcError } from "./JsonRpcError.js";
import type { JsonRpcMessage } from "./JsonRpcMessage.js";
import type { JsonRpcNotification } from "./JsonRpcNotification.js";
import type { JsonRpcRequest } from "./JsonRpcRequest.js";
import type { RequestId } from "./RequestId.js";
import type { ServerMessage } from "./ServerMessage.js";
import type { ServerRequest } from "./ServerRequest.js";
import type { ServerResponse } from "./ServerResponse.js";
import { ErrorCode, JSONRPC_VERSION, makeError } from "./methods.js";
import type {
  HostMethods,
  NoHostMethods,
  ParamsOf,
  ResponseOf,
  ServerRequestMapWith,
  ServerRequestOf,
  ServerRequestResponse,
} from "./methods.js";

/**
 * `true` when `message` is a request from the server (it has `method`).
 * Narrows a message `parseServerMessage` accepted; it validates nothing.
 */
export function isServerRequest(message: ServerMessage): message is ServerRequest {
  return "method" in message;
}

/**
 * `true` when `message` is the server's successful response to a client
 * request (it has `result`). Narrows; it validates nothing.
 */
export function isServerResponse(message: ServerMessage): message is ServerResponse {
  return "result" in message;
}

/**
 * `true` when `message` is a client request (it has `method` and `id`).
 * Narrows a message `parseClientMessage` accepted; it validates nothing.
 */
export function isClientRequest(message: ClientMessage): message is ClientRequest {
  return "method" in message && "id" in message;
}

/**
 * `true` when `message` is a client notification (`method` without `id`).
 * Narrows; it validates nothing.
 */
export function isClientNotification(message: ClientMessage): message is ClientNotification {
  return "method" in message && !("id" in message);
}

/**
 * `true` when `message` is a client's successful response to a server
 * request (it has `result`). Narrows; it validates nothing.
 */
export function isClientResponse(message: ClientMessage): message is ClientResponse {
  return "result" in message;
}

/**
 * `true` when `message`, any JSON-RPC message (attestwire's or a host's,
 * as `readServerMessage` and `readClientMessage` give them), is a request:
 * it has `method` and `id`. Narrows; it validates nothing.
 */
export function isJsonRpcRequest(message: JsonRpcMessage): message is JsonRpcRequest {
  return "method" in message && "id" in message;
}

/**
 * `true` when `message`, any JSON-RPC message, is a notification: `method`
 * without `id`. Narrows; it validates nothing.
 */
export function isJsonRpcNotification(message: JsonRpcMessage): message is JsonRpcNotification {
  return "method" in message && !("id" in message);
}

/**
 * `true` when `message`, from either side, is an error response (it has
 * `error`; its `id` is `null` when the request's id could not be read).
 * Narrows; it validates nothing.
 */
export function isErrorResponse(message: ServerMessage | ClientMessage): message is JsonRpcError {
  return "error" in message;
}

/**
 * Thrown by a handler of `createServerRequestDispatcher` to answer with this
 * JSON-RPC error instead of the result. Any other thrown value is answered
 * with `ErrorCode.InternalError` and a fixed message, so that nothing it
 * carries (a token, a stack) reaches the wire.
 *
 * ```ts
 * throw new RpcError(ErrorCode.InternalError, "attestation is unavailable");
 * ```
 */
export class RpcError extends Error {
  /** The JSON-RPC error code sent: an `ErrorCode` value or the app's own. */
  readonly code: ErrorCode;
  /** Sent as the error's `data`; left out when `undefined`. */
  readonly data: unknown;

  /**
   * `message` is sent as the error's `message` as it is: it must not hold
   * a token or anything else secret.
   */
  constructor(code: ErrorCode, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }
}

/**
 * The app's handler of the server request `M` (attestwire's, or the host's
 * with `H`): given its params and the whole request, it returns `M`'s
 * response type (`{ token }` for `attestation/generate`), or a promise of it,
 * or throws (see `RpcError`). A host's params are as the server sent them:
 * the host's map is a type, not a check.
 */
export type ServerRequestHandler<M extends keyof ServerRequestMapWith<H> & string, H = NoHostMethods> = (
  params: ParamsOf<ServerRequestMapWith<H>[M]>,
  request: ServerRequestOf<M, H>,
) => ResponseOf<ServerRequestMapWith<H>[M]> | PromiseLike<ResponseOf<ServerRequestMapWith<H>[M]>>;

/**
 * A handler for every method of `ServerRequestMap`, and of the host's
 * `serverRequests` with `H`: an app that lacks one stops compiling when the
 * server gains a method, and a handler's result is checked against its
 * method's response type.
 */
export type ServerRequestHandlers<H = NoHostMethods> = {
  [M in keyof ServerRequestMapWith<H> & string]: ServerRequestHandler<M, H>;
};

/**
 * What a dispatcher sends back: the response, or an error response. With
 * the host's `H`, the response may answer one of the host's requests.
 */
export type ServerRequestAnswer<H = NoHostMethods> =
  | ClientResponse
  | JsonRpcError
  | ServerRequestResponse<keyof ServerRequestMapWith<H> & string, H>;

/**
 * Answers server requests with `handlers`: the returned function calls the
 * handler of the request's method and resolves to the response or, when
 * the handler throws, to an error response (`makeError`): the `RpcError`'s
 * own code, message and data, or -32603 `ErrorCode.InternalError` with a
 * fixed message for anything else. A request of a method with no handler
 * (a host's, when the app did not give `H`) gets -32601
 * `ErrorCode.MethodNotFound`, as JSON-RPC asks. It never rejects.
 *
 * ```ts
 * const answer = createServerRequestDispatcher({
 *   "attestation/generate": async () => ({ token: await mintToken() }),
 * });
 * send(await answer(request)); // request: ServerRequest, or a host's JsonRpcRequest
 *
 * // A host's requests too, typed by its methods:
 * const answerCodex = createServerRequestDispatcher<Codex>({
 *   "attestation/generate": async () => ({ token: await mintToken() }),
 *   "item/approve": async ({ threadId }) => ({ decision: "accept" }),
 * });
 * ```
 */
export function createServerRequestDispatcher<H extends HostMethods = NoHostMethods>(
  handlers: ServerRequestHandlers<H>,
): (request: ServerRequest | JsonRpcRequest) => Promise<ServerRequestAnswer<H>> {
  return (request) => dispatch(handlers, request) as Promise<ServerRequestAnswer<H>>;
}

/** A handler as the dispatcher calls it, once its method is known to have one. */
type AnyHandler = (params: unknown, request: ServerRequest | JsonRpcRequest) => unknown;

async function dispatch(
  handlers: object,
  request: ServerRequest | JsonRpcRequest,
): Promise<{ jsonrpc?: "2.0"; id: RequestId; result: unknown } | JsonRpcError> {
  // Own members only: a host's request named `constructor` or `toString`
  // must not find `Object.prototype`'s.
  const handler: unknown = Object.prototype.hasOwnProperty.call(handlers, request.method)
    ? (handlers as Record<string, unknown>)[request.method]
    : undefined;
  if (typeof handler !== "function") {
    return makeError(request.id, ErrorCode.MethodNotFound, "method not found");
  }
  let result: unknown;
  try {
    result = await (handler as AnyHandler)(request.params, request);
  } catch (error) {
    if (error instanceof RpcError) {
      return makeError(request.id, error.code, error.message, error.data);
    }
    // Not `String(error)`: what the app threw may quote a token.
    return makeError(request.id, ErrorCode.InternalError, `internal error: the handler of ${request.method} failed`);
  }
  // A response must carry `result`; `JSON.stringify` would drop `undefined`.
  return { jsonrpc: JSONRPC_VERSION, id: request.id, result: result === undefined ? null : result };
}
