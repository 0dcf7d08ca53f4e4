// generated — do not edit; run `just write-schema`
import type { AttestationGenerateParams } from "./AttestationGenerateParams.js";
import type { RequestId } from "./RequestId.js";

/**
 * A request the server sends to the client, tagged by `method`.
 */
export type ServerRequest = {
  "method": "attestation/generate";
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
  params: AttestationGenerateParams;
};
