// generated — do not edit; run `just write-schema`
import type { JsonRpcError } from "./JsonRpcError.js";
import type { JsonRpcNotification } from "./JsonRpcNotification.js";
import type { JsonRpcRequest } from "./JsonRpcRequest.js";
import type { JsonRpcResponse } from "./JsonRpcResponse.js";

/**
 * Any JSON-RPC message. Which shape a message has is decided by its keys,
 * not by trial: with `method` and `id` it is a request; with `method` alone,
 * a notification; with `result`, a response; with `error`, an error.
 */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse | JsonRpcError;
