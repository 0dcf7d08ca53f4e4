// generated — do not edit; run `just write-schema`
import type { RequestId } from "./RequestId.js";

/**
 * A successful JSON-RPC response to the request with the same `id`.
 */
export type JsonRpcResponse = {
  /**
   * Always `"2.0"`; may be left out by clients.
   */
  jsonrpc?: "2.0";
  /**
   * The `id` of the request this answers.
   */
  id: RequestId;
  /**
   * The method's result; its shape is the method's response type.
   */
  result: unknown;
  /**
   * Never present: a message with both `result` and `error` is invalid.
   */
  error?: never;
};
