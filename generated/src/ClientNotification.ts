// generated — do not edit; run `just write-schema`

/**
 * A notification the client sends to the server, tagged by `method`.
 */
export type ClientNotification = {
  "method": "initialized";
  /**
   * Always `"2.0"`; may be left out by clients.
   */
  jsonrpc?: "2.0";
};
