// generated — do not edit; run `just write-schema`

/**
 * A JSON-RPC request id: a string, or an integer from −(2^53 − 1) to
 * 2^53 − 1 so that a TypeScript `number` holds it exactly. Ids the server
 * issues are always integers. `null`, fractions and larger integers are not
 * ids.
 */
export type RequestId = number | string;
