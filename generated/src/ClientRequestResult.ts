// generated — do not edit; run `just write-schema`
import type { InitializeResponse } from "./InitializeResponse.js";

/**
 * The result of any request the client sends: what the server's
 * successful response carries.
 */
export type ClientRequestResult = InitializeResponse;
