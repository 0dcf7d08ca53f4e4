// generated — do not edit; run `just write-schema`
import type { ClientNotification } from "./ClientNotification.js";
import type { ClientRequest } from "./ClientRequest.js";
import type { ClientResponse } from "./ClientResponse.js";
import type { JsonRpcError } from "./JsonRpcError.js";

/**
 * Every message a client may send: its requests and notifications, and
 * responses and errors answering the server's requests. Classified by its
 * keys: `method` and `id` make a request, `method` alone a notification,
 * `result` a response, `error` an error; both `result` and `error`, or
 * neither, is invalid.
 */
export type ClientMessage = ClientRequest | ClientNotification | ClientResponse | JsonRpcError;
