// generated — do not edit; run `just write-schema`
import type { RequestId } from "./RequestId.js";
import type { ServerRequestResult } from "./ServerRequestResult.js";

/**
 * A successful response the client sends: the result of one of the
 * server's requests, e.g. `{ token }` answering `attestation/generate`.
 */
export type ClientResponse = {
  /**
   * Always `"2.0"`; may be left out by clients.
   */
  jsonrpc?: "2.0";
  /**
   * The `id` of the server request this answers.
   */
  id: RequestId;
  /**
   * The result: one of the server requests' response types.
   */
  result: ServerRequestResult;
  /**
   * Never present: a message with both `result` and `error` is invalid.
   */
  error?: never;
};
