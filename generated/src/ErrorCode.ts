// generated — do not edit; run `just write-schema`

/**
 * A JSON-RPC error code: an integer. The codes this protocol sends are
 * -32700 parse error (the line is not JSON), -32600 invalid request,
 * -32601 method not found, -32602 invalid params, -32603 internal error and
 * -32002 not initialized (a request other than `initialize` came before the
 * handshake). Other codes may appear in errors sent by clients.
 */
export type ErrorCode = number;
