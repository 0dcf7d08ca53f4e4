// generated — do not edit; run `just write-schema`
// Narrowing a message that `parseServerMessage` or `parseClientMessage`
// accepted, by its keys as the protocol classifies it, and answering server
// requests with typed handlers.
import type { ClientMessage } from "./ClientMessage.js";
import type { ClientNotification } from "./ClientNotification.js";
import type { ClientRequest } from "./ClientRequest.js";
import type { ClientResponse } from "./ClientResponse.js";
import type { JsonRpcError } from "./JsonRpcError.js";
import type { ServerMessage } from "./ServerMessage.js";
import type { ServerRequest } from "./ServerRequest.js";
import type { ServerResponse } from "./ServerResponse.js";
import { ErrorCode, makeError, makeResponse } from "./methods.js";
import type { ServerRequestMap, ServerRequestMethod, ServerRequestOf } from "./methods.js";

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
 * The app's handler of the server request `M`: given its params and the
 * whole request, it returns `M`'s response type (`{ token }` for
 * `attestation/generate`), or a promise of it, or throws (see `RpcError`).
 */
export type ServerRequestHandler<M extends ServerRequestMethod> = (
  params: ServerRequestMap[M]["params"],
  request: ServerRequestOf<M>,
) => ServerRequestMap[M]["response"] | PromiseLike<ServerRequestMap[M]["response"]>;

/**
 * A handler for every method of `ServerRequestMap`: an app that lacks one
 * stops compiling when the server gains a method, and a handler's result is
 * checked against its method's response type.
 */
export type ServerRequestHandlers = { [M in ServerRequestMethod]: ServerRequestHandler<M> };

/** What a dispatcher sends back: the response, or an error response. */
export type ServerRequestAnswer = ClientResponse | JsonRpcError;

/**
 * Answers server requests with `handlers`: the returned function calls the
 * handler of the request's method and resolves to the response
 * (`makeResponse`) or, when the handler throws, to an error response
 * (`makeError`): the `RpcError`'s own code, message and data, or -32603
 * `ErrorCode.InternalError` with a fixed message for anything else. It
 * never rejects.
 *
 * ```ts
 * const answer = createServerRequestDispatcher({
 *   "attestation/generate": async () => ({ token: await mintToken() }),
 * });
 * send(await answer(request)); // request: ServerRequest
 * ```
 */
export function createServerRequestDispatcher(
  handlers: ServerRequestHandlers,
): (request: ServerRequest) => Promise<ServerRequestAnswer> {
  return (request) => dispatch(handlers, request);
}

async function dispatch<M extends ServerRequestMethod>(
  handlers: ServerRequestHandlers,
  request: ServerRequestOf<M>,
): Promise<ServerRequestAnswer> {
  // A request built by hand (not parsed) may name a method with no handler.
  const handler: ServerRequestHandler<M> | undefined = handlers[request.method];
  if (typeof handler !== "function") {
    return makeError(request.id, ErrorCode.MethodNotFound, "method not found");
  }
  let result: ServerRequestMap[M]["response"];
  try {
    result = await handler(request.params, request);
  } catch (error) {
    if (error instanceof RpcError) {
      return makeError(request.id, error.code, error.message, error.data);
    }
    // Not `String(error)`: what the app threw may quote a token.
    return makeError(request.id, ErrorCode.InternalError, `internal error: the handler of ${request.method} failed`);
  }
  return makeResponse(request, result);
}
