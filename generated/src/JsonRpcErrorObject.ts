// generated — do not edit; run `just write-schema`
import type { ErrorCode } from "./ErrorCode.js";

/**
 * The `error` member of a failed response.
 */
export type JsonRpcErrorObject = {
  /**
   * A JSON-RPC error code; see `ErrorCode` for the ones this protocol uses.
   */
  code: ErrorCode;
  /**
   * A short human-readable description of the error.
   */
  message: string;
  /**
   * Extra information about the error; absent when there is none.
   */
  data?: unknown;
};
