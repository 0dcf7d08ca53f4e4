// generated — do not edit; run `just write-schema`
import type { AttestationGenerateParams } from "./AttestationGenerateParams.js";
import type { AttestationGenerateResponse } from "./AttestationGenerateResponse.js";
import type { AttestationStatus as AttestationStatusType } from "./AttestationStatus.js";
import type { ErrorCode as ErrorCodeType } from "./ErrorCode.js";
import type { InitializeParams } from "./InitializeParams.js";
import type { InitializeResponse } from "./InitializeResponse.js";

/** Method names of requests the server sends to the client. */
export const ServerRequestMethod = {
  AttestationGenerate: "attestation/generate",
} as const;
export type ServerRequestMethod = (typeof ServerRequestMethod)[keyof typeof ServerRequestMethod];

/** For each method of the requests the server sends to the client: its params and the result of its response. */
export type ServerRequestMap = {
  "attestation/generate": { params: AttestationGenerateParams; response: AttestationGenerateResponse };
};

/** Method names of requests the client sends to the server. */
export const ClientRequestMethod = {
  Initialize: "initialize",
} as const;
export type ClientRequestMethod = (typeof ClientRequestMethod)[keyof typeof ClientRequestMethod];

/** For each method of the requests the client sends to the server: its params and the result of its response. */
export type ClientRequestMap = {
  "initialize": { params: InitializeParams; response: InitializeResponse };
};

/** Method names of notifications the client sends to the server. */
export const ClientNotificationMethod = {
  Initialized: "initialized",
} as const;
export type ClientNotificationMethod = (typeof ClientNotificationMethod)[keyof typeof ClientNotificationMethod];

/** For each method of the notifications the client sends to the server: its params. */
export type ClientNotificationMap = {
  "initialized": { params: undefined };
};

/** Named values of `AttestationStatus`, the envelope's `s`. */
export const AttestationStatus = {
  /** The app answered with a valid token; `t` holds it. */
  Ok: 0,
  /** The app did not answer before the deadline. */
  Timeout: 1,
  /** The app answered with a JSON-RPC error. */
  RequestFailed: 2,
  /** The request could not complete: the connection closed, or the send failed. */
  RequestCanceled: 3,
  /** The answer was not `{ token }`, or the token broke the token rule. */
  MalformedResponse: 4,
} as const satisfies Record<string, AttestationStatusType>;
export type AttestationStatus = AttestationStatusType;

/** Named JSON-RPC error codes this protocol sends. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  NotInitialized: -32002,
} as const satisfies Record<string, ErrorCodeType>;
export type ErrorCode = ErrorCodeType;

/** The HTTP header that carries the envelope. */
export const ATTESTATION_HEADER_NAME = "x-oai-attestation";

/** The value of every message's `jsonrpc` member. */
export const JSONRPC_VERSION = "2.0";

/** The fewest characters an attestation token may have. */
export const TOKEN_MIN_LENGTH = 1;

/** The most characters an attestation token may have. */
export const TOKEN_MAX_LENGTH = 8192;

/** Visible ASCII only (0x21–0x7E); the length is checked separately. */
export const TOKEN_PATTERN = /^[\x21-\x7E]*$/;

/**
 * `true` when `token` satisfies the token rule: 1 to 8192 characters, each
 * visible ASCII (0x21–0x7E). The server reports any other token as
 * `AttestationStatus.MalformedResponse`.
 */
export function isValidAttestationToken(token: string): boolean {
  return (
    token.length >= TOKEN_MIN_LENGTH &&
    token.length <= TOKEN_MAX_LENGTH &&
    TOKEN_PATTERN.test(token)
  );
}
