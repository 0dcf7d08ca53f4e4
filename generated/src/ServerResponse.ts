// generated — do not edit; run `just write-schema`
import type { ClientRequestResult } from "./ClientRequestResult.js";
import type { RequestId } from "./RequestId.js";

/**
 * A successful response the server sends: the result of one of the
 * client's requests, e.g. `{ serverInfo }` answering `initialize`.
 */
export type ServerResponse = {
  /**
   * Always `"2.0"`; the server always writes it.
   */
  jsonrpc?: "2.0";
  /**
   * The `id` of the client request this answers.
   */
  id: RequestId;
  /**
   * The result: one of the client requests' response types.
   */
  result: ClientRequestResult;
  /**
   * Never present: a message with both `result` and `error` is invalid.
   */
  error?: never;
};
