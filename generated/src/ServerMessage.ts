// generated — do not edit; run `just write-schema`
import type { JsonRpcError } from "./JsonRpcError.js";
import type { ServerRequest } from "./ServerRequest.js";
import type { ServerResponse } from "./ServerResponse.js";

/**
 * Every message the server may send: its requests, and responses and
 * errors answering the client's requests. Classified by its keys like
 * [`ClientMessage`]; the server sends no notifications.
 */
export type ServerMessage = ServerRequest | ServerResponse | JsonRpcError;
