// generated — do not edit; run `just write-schema`
import type { AttestationGenerateParams } from "./AttestationGenerateParams.js";
import type { RequestId } from "./RequestId.js";

/**
 * A request the server sends to the client, tagged by `method`.
 */
export type ServerRequest =
  | {
      /**
       * Asks the app for a fresh attestation token. Sent only to clients that
       * set `capabilities.requestAttestation`; the server waits at most its
       * deadline (default 100 ms) for the answer.
       */
      method: "attestation/generate";
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
    }
  | NoOtherMethod;

/**
 * No value has this type. It keeps `ServerRequest` a union while its table
 * has one method, so that `switch (message.method)` narrows to `never`
 * in `default` (TypeScript narrows unions only); it goes away when a
 * second method is added.
 */
type NoOtherMethod = { method: never; jsonrpc?: never; id: never; params: never };
