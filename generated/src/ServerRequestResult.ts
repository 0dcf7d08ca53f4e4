// generated — do not edit; run `just write-schema`
import type { AttestationGenerateResponse } from "./AttestationGenerateResponse.js";

/**
 * The result of any request the server sends: what a client's
 * successful response carries.
 */
export type ServerRequestResult = AttestationGenerateResponse;
