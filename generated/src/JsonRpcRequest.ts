// generated — do not edit; run `just write-schema`
import type { RequestId } from "./RequestId.js";

/**
 * A JSON-RPC request: a call that expects exactly one response with the
 * same `id`.
 */
export type JsonRpcRequest = {
  /**
   * Always `"2.0"`; may be left out by clients.
   */
  jsonrpc?: "2.0";
  /**
   * Chosen by the sender; echoed in the response.
   */
  id: RequestId;
  /**
   * The method name, e.g. `"initialize"`.
   */
  method: string;
  /**
   * The method's parameters; absent when the method takes none.
   */
  params?: unknown;
};
