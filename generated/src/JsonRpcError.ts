// generated — do not edit; run `just write-schema`
import type { JsonRpcErrorObject } from "./JsonRpcErrorObject.js";
import type { RequestId } from "./RequestId.js";

/**
 * A failed JSON-RPC response. `id` is `null` only when the request's id
 * could not be read (an unparseable line).
 */
export type JsonRpcError = {
  /**
   * Always `"2.0"`; may be left out by clients.
   */
  jsonrpc?: "2.0";
  /**
   * The `id` of the request this answers, or `null` when it is unknown.
   */
  id: RequestId | null;
  /**
   * What went wrong.
   */
  error: JsonRpcErrorObject;
  /**
   * Never present: a message with both `result` and `error` is invalid.
   */
  result?: never;
};
