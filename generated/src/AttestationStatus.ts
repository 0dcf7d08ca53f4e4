// generated — do not edit; run `just write-schema`

/**
 * How the attempt to get a token ended: 0 Ok, 1 Timeout, 2 RequestFailed, 3 RequestCanceled, 4 MalformedResponse.
 *
 * - `0` Ok: The app answered with a valid token; `t` holds it.
 * - `1` Timeout: The app did not answer before the deadline.
 * - `2` RequestFailed: The app answered with a JSON-RPC error.
 * - `3` RequestCanceled: The request could not complete: the connection closed, or the send failed.
 * - `4` MalformedResponse: The answer was not `{ token }`, or the token broke the token rule.
 *
 * Named constants: `AttestationStatus` in `methods.ts`.
 */
export type AttestationStatus = 0 | 1 | 2 | 3 | 4;
