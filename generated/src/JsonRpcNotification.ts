// generated — do not edit; run `just write-schema`

/**
 * A JSON-RPC notification: a message without `id` that gets no response.
 */
export type JsonRpcNotification = {
  /**
   * Always `"2.0"`; may be left out by clients.
   */
  jsonrpc?: "2.0";
  /**
   * The notification name, e.g. `"initialized"`.
   */
  method: string;
  /**
   * The notification's parameters; absent when it takes none.
   */
  params?: unknown;
};
