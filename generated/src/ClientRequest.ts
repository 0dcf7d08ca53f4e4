// generated — do not edit; run `just write-schema`
import type { InitializeParams } from "./InitializeParams.js";
import type { RequestId } from "./RequestId.js";

/**
 * A request the client sends to the server, tagged by `method`.
 */
export type ClientRequest = {
  "method": "initialize";
  /**
   * Always `"2.0"`; may be left out by clients.
   */
  jsonrpc?: "2.0";
  /**
   * Chosen by the sender; echoed in the response.
   */
  id: RequestId;
  /**
   * The method's parameters.
   */
  params: InitializeParams;
};
