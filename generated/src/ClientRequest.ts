// generated — do not edit; run `just write-schema`
import type { InitializeParams } from "./InitializeParams.js";
import type { RequestId } from "./RequestId.js";

/**
 * A request the client sends to the server, tagged by `method`.
 */
export type ClientRequest =
  | {
      /**
       * The first request of every connection: who the client is and what it
       * supports. Any other request before it fails with -32002.
       */
      method: "initialize";
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
    }
  | NoOtherMethod;

/**
 * No value has this type. It keeps `ClientRequest` a union while its table
 * has one method, so that `switch (message.method)` narrows to `never`
 * in `default` (TypeScript narrows unions only); it goes away when a
 * second method is added.
 */
type NoOtherMethod = { method: never; jsonrpc?: never; id: never; params: never };
