// generated — do not edit; run `just write-schema`

/**
 * A notification the client sends to the server, tagged by `method`.
 */
export type ClientNotification =
  | {
      /**
       * Sent by the client after it has read the `initialize` response.
       */
      method: "initialized";
      /**
       * Always `"2.0"`; may be left out by clients.
       */
      jsonrpc?: "2.0";
      /**
       * None: a notification has no params.
       */
      params?: undefined;
    }
  | NoOtherMethod;

/**
 * No value has this type. It keeps `ClientNotification` a union while its table
 * has one method, so that `switch (message.method)` narrows to `never`
 * in `default` (TypeScript narrows unions only); it goes away when a
 * second method is added.
 */
type NoOtherMethod = { method: never; jsonrpc?: never; params?: never };
