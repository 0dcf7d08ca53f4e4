// What the generated types must reject, and how the constants are meant to
// be used. Type-checked (never run) by tests/tests/typescript.rs under
// TypeScript 5.9 and 7: each `@ts-expect-error` fails the check if the line
// below it ever starts to compile.

import {
  AttestationStatus,
  ATTESTATION_HEADER_NAME,
  ClientRequestMethod,
  ServerRequestMethod,
  isValidAttestationToken,
  type AttestationGenerateResponse,
  type AttestationHeader,
  type ClientRequestMap,
  type ServerRequest,
  type ServerRequestMap,
} from "@attestwire/protocol";

// --- must not type-check -------------------------------------------------

// A status outside 0..=4.
// @ts-expect-error 7 is not an AttestationStatus
export const statusSeven: AttestationHeader = { v: 1, s: 7 };

// @ts-expect-error 7 is not an AttestationStatus
export const bareStatusSeven: AttestationStatus = 7;

// An envelope of another format version.
// @ts-expect-error `v` is always 1
export const versionTwo: AttestationHeader = { v: 2, s: 1 };

// A response without `token`.
// @ts-expect-error `token` is required
export const noToken: AttestationGenerateResponse = {};

// A token that is not a string.
// @ts-expect-error `token` is a string
export const numericToken: AttestationGenerateResponse = { token: 42 };

// A server request with a method the registry does not know.
export const unknownMethod: ServerRequest = {
  // @ts-expect-error "attestation/revoke" is not a server request method
  method: "attestation/revoke",
  id: 0,
  params: {},
};

// The map has no entry for an unknown method either.
// @ts-expect-error no such key
export type Revoke = ServerRequestMap["attestation/revoke"];

// A request id is a string or a number, never null.
// @ts-expect-error `id` is not nullable on a request
export const nullId: ServerRequest = { method: "attestation/generate", id: null, params: {} };

// `attestation/generate` takes an empty object; `null` is not one.
export const nullParams: ServerRequest = {
  method: "attestation/generate",
  id: 0,
  // @ts-expect-error params is an object
  params: null,
};
// Members a newer server might add are accepted, as serde and the schema
// accept them: `{}` reads as an empty object and admits any object.
export const newerParams: ServerRequest = { method: "attestation/generate", id: 0, params: { force: true } };

// --- how the constants are used -----------------------------------------

export const timeout: AttestationStatus = AttestationStatus.Timeout;
export const failed: AttestationHeader = { v: 1, s: AttestationStatus.RequestFailed };
export const ok: AttestationHeader = { v: 1, s: AttestationStatus.Ok, t: "v1.opaque-client-payload" };
export const headerName: "x-oai-attestation" = ATTESTATION_HEADER_NAME;

// The method constant is the map key, and the map gives params and response.
type Generate = ServerRequestMap[typeof ServerRequestMethod.AttestationGenerate];
export const generateParams: Generate["params"] = {};
export const generateResponse: Generate["response"] = { token: "v1.opaque-client-payload" };
export const initializeParams: ClientRequestMap[typeof ClientRequestMethod.Initialize]["params"] = {
  clientInfo: { name: "codex-desktop", version: "1.4.2" },
  capabilities: { requestAttestation: true },
};

// A typed handler table, as an app would write one: one entry per method,
// each typed from the map; a missing entry would not compile.
type Handlers = {
  [M in keyof ServerRequestMap]: (
    params: ServerRequestMap[M]["params"],
  ) => Promise<ServerRequestMap[M]["response"]>;
};
export const handlers: Handlers = {
  [ServerRequestMethod.AttestationGenerate]: async () => ({ token: "v1.opaque-client-payload" }),
};

// Dispatch on a parsed request narrows by `method`.
export function answer(request: ServerRequest): Promise<AttestationGenerateResponse> {
  switch (request.method) {
    case ServerRequestMethod.AttestationGenerate:
      return handlers[request.method](request.params);
  }
}

// Every status is handled: adding one to the union breaks this switch.
export function describe(status: AttestationStatus): string {
  switch (status) {
    case AttestationStatus.Ok:
      return "ok";
    case AttestationStatus.Timeout:
      return "timeout";
    case AttestationStatus.RequestFailed:
      return "request failed";
    case AttestationStatus.RequestCanceled:
      return "request canceled";
    case AttestationStatus.MalformedResponse:
      return "malformed response";
  }
}

export const valid: boolean = isValidAttestationToken("v1.opaque-client-payload");
