// generated — do not edit; run `just write-schema`
// Runtime checks compiled from schema/attestwire.schema.json by attestwire-codegen
// (codegen/src/validate_ts/): one function per `$defs` type, accepting exactly
// what the schema accepts. A check returns `undefined` for a valid value, or
// the error relative to it: a path (`.result.token`), ": ", the rule. Errors
// name schema members and schema constants only, never a value of the input.
import type { AttestationHeader } from "./AttestationHeader.js";
import type { ClientMessage } from "./ClientMessage.js";
import type { ServerMessage } from "./ServerMessage.js";

/**
 * What a `parse…` or `validate…` function returns: the message, typed,
 * or why the text (or value) is not one. `error` is a JSON path and the
 * rule it breaks, e.g. `$.result.token: must match pattern
 * ^[\x21-\x7E]+$`; it never contains a value of the input, so it is
 * safe to log even when the input holds a token.
 */
export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

/** The error of text that `JSON.parse` rejects (its own message quotes the text). */
const NOT_JSON = "$: must be valid JSON";

/**
 * Parses and checks one line the server sent (what a client reads):
 * `JSON.parse`, then `validateServerMessage`. Accepts exactly what
 * `schema/ServerMessage.json` accepts. Never throws: text that is not JSON, or
 * not a valid `ServerMessage`, gives `ok: false` and the first rule it breaks.
 */
export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: NOT_JSON };
  }
  return validateServerMessage(value);
}

/**
 * Checks an already-parsed `value` (what `JSON.parse` returned, or a
 * member of a larger message) as a `ServerMessage`, exactly as
 * `parseServerMessage` checks text, so a line is never parsed twice.
 * Never throws; on success `message` is `value` itself, typed.
 */
export function validateServerMessage(value: unknown): ParseResult<ServerMessage> {
  const error = checkServerMessage(value);
  return error === undefined
    ? { ok: true, message: value as ServerMessage }
    : { ok: false, error: "$" + error };
}

/**
 * Parses and checks one line a client sent (what a server written in TypeScript reads):
 * `JSON.parse`, then `validateClientMessage`. Accepts exactly what
 * `schema/ClientMessage.json` accepts. Never throws: text that is not JSON, or
 * not a valid `ClientMessage`, gives `ok: false` and the first rule it breaks.
 */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: NOT_JSON };
  }
  return validateClientMessage(value);
}

/**
 * Checks an already-parsed `value` (what `JSON.parse` returned, or a
 * member of a larger message) as a `ClientMessage`, exactly as
 * `parseClientMessage` checks text, so a line is never parsed twice.
 * Never throws; on success `message` is `value` itself, typed.
 */
export function validateClientMessage(value: unknown): ParseResult<ClientMessage> {
  const error = checkClientMessage(value);
  return error === undefined
    ? { ok: true, message: value as ClientMessage }
    : { ok: false, error: "$" + error };
}

/**
 * Parses and checks the value of an `x-oai-attestation` header (what the backend reads):
 * `JSON.parse`, then `validateAttestationHeader`. Accepts exactly what
 * `schema/AttestationHeader.json` accepts. Never throws: text that is not JSON, or
 * not a valid `AttestationHeader`, gives `ok: false` and the first rule it breaks.
 */
export function parseAttestationHeader(text: string): ParseResult<AttestationHeader> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: NOT_JSON };
  }
  return validateAttestationHeader(value);
}

/**
 * Checks an already-parsed `value` (what `JSON.parse` returned, or a
 * member of a larger message) as a `AttestationHeader`, exactly as
 * `parseAttestationHeader` checks text, so a line is never parsed twice.
 * Never throws; on success `message` is `value` itself, typed.
 */
export function validateAttestationHeader(value: unknown): ParseResult<AttestationHeader> {
  const error = checkAttestationHeader(value);
  return error === undefined
    ? { ok: true, message: value as AttestationHeader }
    : { ok: false, error: "$" + error };
}

/**
 * Checks an already-parsed `value` as the type named `type` (any type of the
 * schema bundle): `undefined` when it is valid, else the error as the
 * `parse…` functions report it. Not exported from the package root: the
 * agreement tests (tests/ts/agreement.mjs) import it from
 * `dist/esm/validate.js` by path.
 */
export function validateAs(type: CheckedType, value: unknown): string | undefined {
  const error = CHECKS[type](value);
  return error === undefined ? undefined : "$" + error;
}

const CHECKS = {
  AttestationGenerateParams: checkAttestationGenerateParams,
  AttestationGenerateResponse: checkAttestationGenerateResponse,
  AttestationHeader: checkAttestationHeader,
  AttestationStatus: checkAttestationStatus,
  ClientCapabilities: checkClientCapabilities,
  ClientInfo: checkClientInfo,
  ClientMessage: checkClientMessage,
  ClientNotification: checkClientNotification,
  ClientRequest: checkClientRequest,
  ClientRequestResult: checkClientRequestResult,
  ClientResponse: checkClientResponse,
  ErrorCode: checkErrorCode,
  InitializeParams: checkInitializeParams,
  InitializeResponse: checkInitializeResponse,
  JsonRpcError: checkJsonRpcError,
  JsonRpcErrorObject: checkJsonRpcErrorObject,
  JsonRpcMessage: checkJsonRpcMessage,
  JsonRpcNotification: checkJsonRpcNotification,
  JsonRpcRequest: checkJsonRpcRequest,
  JsonRpcResponse: checkJsonRpcResponse,
  RequestId: checkRequestId,
  ServerInfo: checkServerInfo,
  ServerMessage: checkServerMessage,
  ServerRequest: checkServerRequest,
  ServerRequestResult: checkServerRequestResult,
  ServerResponse: checkServerResponse,
} as const;

/** The name of every type `validateAs` checks: the bundle's `$defs`. */
export type CheckedType = keyof typeof CHECKS;

const PATTERN_0 = new RegExp("^[\\x21-\\x7E]+$", "u");

/** A JSON object: not `null`, not an array. */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The length of `s` in code points, as JSON Schema's `minLength` and
 * `maxLength` count (a surrogate pair is one character; `s.length` counts
 * UTF-16 units). Called only when `s.length` alone cannot decide.
 */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * How close the value came to the branch that gave `error`: deeper is
 * closer. At one depth, a missing member (the value is not of this kind)
 * ranks below a member that must not be there (the right kind, one member
 * too many), which ranks below a member that is there but wrong.
 */
function closeness(error: string): number {
  const end = error.indexOf(": ");
  let depth = 0;
  for (let i = 0; i < end; i++) {
    const c = error.charCodeAt(i);
    if (c === 0x2e || c === 0x5b) depth++; // `.` or `[`
  }
  const rule = error.slice(end + 2);
  if (rule === "must not be present") return 3 * depth - 2;
  if (rule.startsWith("must have required property")) return 3 * depth;
  return 3 * depth + 2;
}

/**
 * The error for a value no branch of an `anyOf` or `oneOf` accepts: the
 * first error of the branch the value came closest to, or, when the closest
 * errors are all about the value itself (not a member), each of them.
 */
function noBranch(errors: readonly string[]): string {
  let best = errors[0] as string;
  let score = closeness(best);
  for (let i = 1; i < errors.length; i++) {
    const e = errors[i] as string;
    const s = closeness(e);
    if (s > score) {
      best = e;
      score = s;
    }
  }
  if (!best.startsWith(": ")) return best;
  // Each rule once: three branches missing the same member are one reason.
  const rules = [...new Set(errors.filter((e) => closeness(e) === score).map((e) => e.slice(2)))];
  return rules.length === 1 ? best : ": must match one of: " + rules.join("; or ");
}

/** `AttestationGenerateParams`: `undefined` when `v` is valid, else the error. */
function checkAttestationGenerateParams(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  return undefined;
}

/** `AttestationGenerateResponse`: `undefined` when `v` is valid, else the error. */
function checkAttestationGenerateResponse(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o1 = v as Record<string, unknown>;
  if (o1["token"] === undefined) {
    return ": must have required property \"token\"";
  }
  const m2 = o1["token"];
  if (typeof m2 !== "string") {
    return ".token: must be string";
  }
  if (m2.length < 1 || (m2.length < 2 && codePoints(m2) < 1)) {
    return ".token: must have at least 1 character";
  }
  if (m2.length > 8192 && codePoints(m2) > 8192) {
    return ".token: must have at most 8192 characters";
  }
  if (!PATTERN_0.test(m2)) {
    return ".token: must match pattern ^[\\x21-\\x7E]+$";
  }
  return undefined;
}

/** `AttestationHeader`: `undefined` when `v` is valid, else the error. */
function checkAttestationHeader(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o3 = v as Record<string, unknown>;
  if (o3["v"] === undefined) {
    return ": must have required property \"v\"";
  }
  if (o3["s"] === undefined) {
    return ": must have required property \"s\"";
  }
  const m4 = o3["s"];
  const e5 = checkAttestationStatus(m4);
  if (e5 !== undefined) {
    return ".s" + e5;
  }
  const m6 = o3["t"];
  if (m6 !== undefined) {
    if (typeof m6 !== "string") {
      return ".t: must be string";
    }
    if (m6.length < 1 || (m6.length < 2 && codePoints(m6) < 1)) {
      return ".t: must have at least 1 character";
    }
    if (m6.length > 8192 && codePoints(m6) > 8192) {
      return ".t: must have at most 8192 characters";
    }
    if (!PATTERN_0.test(m6)) {
      return ".t: must match pattern ^[\\x21-\\x7E]+$";
    }
  }
  const m7 = o3["v"];
  if (!Number.isInteger(m7)) {
    return ".v: must be integer";
  }
  if (m7 !== 1) {
    return ".v: must equal 1";
  }
  if (branch8(v) === undefined) {
    if (isObject(v)) {
      const o11 = v as Record<string, unknown>;
      if (o11["t"] === undefined) {
        return ": must have required property \"t\"";
      }
    }
  } else {
    if (isObject(v)) {
      const o12 = v as Record<string, unknown>;
      const m13 = o12["t"];
      if (m13 !== undefined) {
        return ".t: must not be present";
      }
    }
  }
  return undefined;
}

/** `AttestationStatus`: `undefined` when `v` is valid, else the error. */
function checkAttestationStatus(v: unknown): string | undefined {
  if (!Number.isInteger(v)) {
    return ": must be integer";
  }
  if (v !== 0 && v !== 1 && v !== 2 && v !== 3 && v !== 4) {
    return ": must be one of 0, 1, 2, 3, 4";
  }
  if (v !== 0 && v !== 1 && v !== 2 && v !== 3 && v !== 4) {
    return ": must match exactly one schema in oneOf (be one of 0, 1, 2, 3, 4)";
  }
  return undefined;
}

/** `ClientCapabilities`: `undefined` when `v` is valid, else the error. */
function checkClientCapabilities(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o14 = v as Record<string, unknown>;
  const m15 = o14["requestAttestation"];
  if (m15 !== undefined) {
    if (typeof m15 !== "boolean") {
      return ".requestAttestation: must be boolean";
    }
  }
  return undefined;
}

/** `ClientInfo`: `undefined` when `v` is valid, else the error. */
function checkClientInfo(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o16 = v as Record<string, unknown>;
  if (o16["name"] === undefined) {
    return ": must have required property \"name\"";
  }
  if (o16["version"] === undefined) {
    return ": must have required property \"version\"";
  }
  const m17 = o16["name"];
  if (typeof m17 !== "string") {
    return ".name: must be string";
  }
  const m18 = o16["title"];
  if (m18 !== undefined) {
    if (typeof m18 !== "string") {
      return ".title: must be string";
    }
  }
  const m19 = o16["version"];
  if (typeof m19 !== "string") {
    return ".version: must be string";
  }
  return undefined;
}

/** `ClientMessage`: `undefined` when `v` is valid, else the error. */
function checkClientMessage(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const e32 = checkClientRequest(v);
  if (e32 !== undefined) {
    const e33 = branch20(v);
    if (e33 !== undefined) {
      const e34 = branch24(v);
      if (e34 !== undefined) {
        const e35 = branch28(v);
        if (e35 !== undefined) {
          return noBranch([e32, e33, e34, e35]);
        }
      }
    }
  }
  return undefined;
}

/** `ClientNotification`: `undefined` when `v` is valid, else the error. */
function checkClientNotification(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o36 = v as Record<string, unknown>;
  if (o36["method"] === undefined) {
    return ": must have required property \"method\"";
  }
  const m37 = o36["jsonrpc"];
  if (m37 !== undefined) {
    if (typeof m37 !== "string") {
      return ".jsonrpc: must be string";
    }
    if (m37 !== "2.0") {
      return ".jsonrpc: must equal \"2.0\"";
    }
  }
  const m38 = o36["method"];
  if (typeof m38 !== "string") {
    return ".method: must be string";
  }
  if (m38 !== "initialized") {
    return ".method: must equal \"initialized\"";
  }
  return undefined;
}

/** `ClientRequest`: `undefined` when `v` is valid, else the error. */
function checkClientRequest(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o39 = v as Record<string, unknown>;
  if (o39["method"] === undefined) {
    return ": must have required property \"method\"";
  }
  if (o39["id"] === undefined) {
    return ": must have required property \"id\"";
  }
  if (o39["params"] === undefined) {
    return ": must have required property \"params\"";
  }
  const m40 = o39["id"];
  const e41 = checkRequestId(m40);
  if (e41 !== undefined) {
    return ".id" + e41;
  }
  const m42 = o39["jsonrpc"];
  if (m42 !== undefined) {
    if (typeof m42 !== "string") {
      return ".jsonrpc: must be string";
    }
    if (m42 !== "2.0") {
      return ".jsonrpc: must equal \"2.0\"";
    }
  }
  const m43 = o39["method"];
  if (typeof m43 !== "string") {
    return ".method: must be string";
  }
  if (m43 !== "initialize") {
    return ".method: must equal \"initialize\"";
  }
  const m44 = o39["params"];
  const e45 = checkInitializeParams(m44);
  if (e45 !== undefined) {
    return ".params" + e45;
  }
  return undefined;
}

/** `ClientRequestResult`: `undefined` when `v` is valid, else the error. */
function checkClientRequestResult(v: unknown): string | undefined {
  const e46 = checkInitializeResponse(v);
  if (e46 !== undefined) {
    return e46;
  }
  return undefined;
}

/** `ClientResponse`: `undefined` when `v` is valid, else the error. */
function checkClientResponse(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o47 = v as Record<string, unknown>;
  if (o47["id"] === undefined) {
    return ": must have required property \"id\"";
  }
  if (o47["result"] === undefined) {
    return ": must have required property \"result\"";
  }
  const m48 = o47["error"];
  if (m48 !== undefined) {
    return ".error: must not be present";
  }
  const m49 = o47["id"];
  const e50 = checkRequestId(m49);
  if (e50 !== undefined) {
    return ".id" + e50;
  }
  const m51 = o47["jsonrpc"];
  if (m51 !== undefined) {
    if (typeof m51 !== "string") {
      return ".jsonrpc: must be string";
    }
    if (m51 !== "2.0") {
      return ".jsonrpc: must equal \"2.0\"";
    }
  }
  const m52 = o47["result"];
  const e53 = checkServerRequestResult(m52);
  if (e53 !== undefined) {
    return ".result" + e53;
  }
  return undefined;
}

/** `ErrorCode`: `undefined` when `v` is valid, else the error. */
function checkErrorCode(v: unknown): string | undefined {
  if (!Number.isInteger(v)) {
    return ": must be integer";
  }
  if ((v as number) < -9007199254740991) {
    return ": must be >= -9007199254740991";
  }
  if ((v as number) > 9007199254740991) {
    return ": must be <= 9007199254740991";
  }
  return undefined;
}

/** `InitializeParams`: `undefined` when `v` is valid, else the error. */
function checkInitializeParams(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o54 = v as Record<string, unknown>;
  if (o54["clientInfo"] === undefined) {
    return ": must have required property \"clientInfo\"";
  }
  const m55 = o54["capabilities"];
  if (m55 !== undefined) {
    const e56 = checkClientCapabilities(m55);
    if (e56 !== undefined) {
      return ".capabilities" + e56;
    }
  }
  const m57 = o54["clientInfo"];
  const e58 = checkClientInfo(m57);
  if (e58 !== undefined) {
    return ".clientInfo" + e58;
  }
  return undefined;
}

/** `InitializeResponse`: `undefined` when `v` is valid, else the error. */
function checkInitializeResponse(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o59 = v as Record<string, unknown>;
  if (o59["serverInfo"] === undefined) {
    return ": must have required property \"serverInfo\"";
  }
  const m60 = o59["protocolVersion"];
  if (m60 !== undefined) {
    if (typeof m60 !== "string") {
      return ".protocolVersion: must be string";
    }
  }
  const m61 = o59["serverInfo"];
  const e62 = checkServerInfo(m61);
  if (e62 !== undefined) {
    return ".serverInfo" + e62;
  }
  return undefined;
}

/** `JsonRpcError`: `undefined` when `v` is valid, else the error. */
function checkJsonRpcError(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o63 = v as Record<string, unknown>;
  if (o63["id"] === undefined) {
    return ": must have required property \"id\"";
  }
  if (o63["error"] === undefined) {
    return ": must have required property \"error\"";
  }
  const m64 = o63["error"];
  const e65 = checkJsonRpcErrorObject(m64);
  if (e65 !== undefined) {
    return ".error" + e65;
  }
  const m66 = o63["id"];
  const e68 = checkRequestId(m66);
  if (e68 !== undefined) {
    const e69 = branch67(m66);
    if (e69 !== undefined) {
      return ".id" + noBranch([e68, e69]);
    }
  }
  const m70 = o63["jsonrpc"];
  if (m70 !== undefined) {
    if (typeof m70 !== "string") {
      return ".jsonrpc: must be string";
    }
    if (m70 !== "2.0") {
      return ".jsonrpc: must equal \"2.0\"";
    }
  }
  const m71 = o63["result"];
  if (m71 !== undefined) {
    return ".result: must not be present";
  }
  return undefined;
}

/** `JsonRpcErrorObject`: `undefined` when `v` is valid, else the error. */
function checkJsonRpcErrorObject(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o72 = v as Record<string, unknown>;
  if (o72["code"] === undefined) {
    return ": must have required property \"code\"";
  }
  if (o72["message"] === undefined) {
    return ": must have required property \"message\"";
  }
  const m73 = o72["code"];
  const e74 = checkErrorCode(m73);
  if (e74 !== undefined) {
    return ".code" + e74;
  }
  const m75 = o72["message"];
  if (typeof m75 !== "string") {
    return ".message: must be string";
  }
  return undefined;
}

/** `JsonRpcMessage`: `undefined` when `v` is valid, else the error. */
function checkJsonRpcMessage(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const e88 = checkJsonRpcRequest(v);
  if (e88 !== undefined) {
    const e89 = branch76(v);
    if (e89 !== undefined) {
      const e90 = branch80(v);
      if (e90 !== undefined) {
        const e91 = branch84(v);
        if (e91 !== undefined) {
          return noBranch([e88, e89, e90, e91]);
        }
      }
    }
  }
  return undefined;
}

/** `JsonRpcNotification`: `undefined` when `v` is valid, else the error. */
function checkJsonRpcNotification(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o92 = v as Record<string, unknown>;
  if (o92["method"] === undefined) {
    return ": must have required property \"method\"";
  }
  const m93 = o92["jsonrpc"];
  if (m93 !== undefined) {
    if (typeof m93 !== "string") {
      return ".jsonrpc: must be string";
    }
    if (m93 !== "2.0") {
      return ".jsonrpc: must equal \"2.0\"";
    }
  }
  const m94 = o92["method"];
  if (typeof m94 !== "string") {
    return ".method: must be string";
  }
  return undefined;
}

/** `JsonRpcRequest`: `undefined` when `v` is valid, else the error. */
function checkJsonRpcRequest(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o95 = v as Record<string, unknown>;
  if (o95["id"] === undefined) {
    return ": must have required property \"id\"";
  }
  if (o95["method"] === undefined) {
    return ": must have required property \"method\"";
  }
  const m96 = o95["id"];
  const e97 = checkRequestId(m96);
  if (e97 !== undefined) {
    return ".id" + e97;
  }
  const m98 = o95["jsonrpc"];
  if (m98 !== undefined) {
    if (typeof m98 !== "string") {
      return ".jsonrpc: must be string";
    }
    if (m98 !== "2.0") {
      return ".jsonrpc: must equal \"2.0\"";
    }
  }
  const m99 = o95["method"];
  if (typeof m99 !== "string") {
    return ".method: must be string";
  }
  return undefined;
}

/** `JsonRpcResponse`: `undefined` when `v` is valid, else the error. */
function checkJsonRpcResponse(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o100 = v as Record<string, unknown>;
  if (o100["id"] === undefined) {
    return ": must have required property \"id\"";
  }
  if (o100["result"] === undefined) {
    return ": must have required property \"result\"";
  }
  const m101 = o100["error"];
  if (m101 !== undefined) {
    return ".error: must not be present";
  }
  const m102 = o100["id"];
  const e103 = checkRequestId(m102);
  if (e103 !== undefined) {
    return ".id" + e103;
  }
  const m104 = o100["jsonrpc"];
  if (m104 !== undefined) {
    if (typeof m104 !== "string") {
      return ".jsonrpc: must be string";
    }
    if (m104 !== "2.0") {
      return ".jsonrpc: must equal \"2.0\"";
    }
  }
  return undefined;
}

/** `RequestId`: `undefined` when `v` is valid, else the error. */
function checkRequestId(v: unknown): string | undefined {
  const e107 = branch105(v);
  if (e107 !== undefined) {
    const e108 = branch106(v);
    if (e108 !== undefined) {
      return noBranch([e107, e108]);
    }
  }
  return undefined;
}

/** `ServerInfo`: `undefined` when `v` is valid, else the error. */
function checkServerInfo(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o109 = v as Record<string, unknown>;
  if (o109["name"] === undefined) {
    return ": must have required property \"name\"";
  }
  if (o109["version"] === undefined) {
    return ": must have required property \"version\"";
  }
  const m110 = o109["name"];
  if (typeof m110 !== "string") {
    return ".name: must be string";
  }
  const m111 = o109["version"];
  if (typeof m111 !== "string") {
    return ".version: must be string";
  }
  return undefined;
}

/** `ServerMessage`: `undefined` when `v` is valid, else the error. */
function checkServerMessage(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const e120 = checkServerRequest(v);
  if (e120 !== undefined) {
    const e121 = branch112(v);
    if (e121 !== undefined) {
      const e122 = branch116(v);
      if (e122 !== undefined) {
        return noBranch([e120, e121, e122]);
      }
    }
  }
  return undefined;
}

/** `ServerRequest`: `undefined` when `v` is valid, else the error. */
function checkServerRequest(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o123 = v as Record<string, unknown>;
  if (o123["method"] === undefined) {
    return ": must have required property \"method\"";
  }
  if (o123["id"] === undefined) {
    return ": must have required property \"id\"";
  }
  if (o123["params"] === undefined) {
    return ": must have required property \"params\"";
  }
  const m124 = o123["id"];
  const e125 = checkRequestId(m124);
  if (e125 !== undefined) {
    return ".id" + e125;
  }
  const m126 = o123["jsonrpc"];
  if (m126 !== undefined) {
    if (typeof m126 !== "string") {
      return ".jsonrpc: must be string";
    }
    if (m126 !== "2.0") {
      return ".jsonrpc: must equal \"2.0\"";
    }
  }
  const m127 = o123["method"];
  if (typeof m127 !== "string") {
    return ".method: must be string";
  }
  if (m127 !== "attestation/generate") {
    return ".method: must equal \"attestation/generate\"";
  }
  const m128 = o123["params"];
  const e129 = checkAttestationGenerateParams(m128);
  if (e129 !== undefined) {
    return ".params" + e129;
  }
  return undefined;
}

/** `ServerRequestResult`: `undefined` when `v` is valid, else the error. */
function checkServerRequestResult(v: unknown): string | undefined {
  const e130 = checkAttestationGenerateResponse(v);
  if (e130 !== undefined) {
    return e130;
  }
  return undefined;
}

/** `ServerResponse`: `undefined` when `v` is valid, else the error. */
function checkServerResponse(v: unknown): string | undefined {
  if (!isObject(v)) {
    return ": must be object";
  }
  const o131 = v as Record<string, unknown>;
  if (o131["id"] === undefined) {
    return ": must have required property \"id\"";
  }
  if (o131["result"] === undefined) {
    return ": must have required property \"result\"";
  }
  const m132 = o131["error"];
  if (m132 !== undefined) {
    return ".error: must not be present";
  }
  const m133 = o131["id"];
  const e134 = checkRequestId(m133);
  if (e134 !== undefined) {
    return ".id" + e134;
  }
  const m135 = o131["jsonrpc"];
  if (m135 !== undefined) {
    if (typeof m135 !== "string") {
      return ".jsonrpc: must be string";
    }
    if (m135 !== "2.0") {
      return ".jsonrpc: must equal \"2.0\"";
    }
  }
  const m136 = o131["result"];
  const e137 = checkClientRequestResult(m136);
  if (e137 !== undefined) {
    return ".result" + e137;
  }
  return undefined;
}

// #/$defs/AttestationHeader/if
function branch8(v: unknown): string | undefined {
  if (isObject(v)) {
    const o9 = v as Record<string, unknown>;
    const m10 = o9["s"];
    if (m10 !== undefined) {
      if (m10 !== 0) {
        return ".s: must equal 0";
      }
    }
  }
  return undefined;
}

// #/$defs/ClientMessage/anyOf/1
function branch20(v: unknown): string | undefined {
  const e21 = checkClientNotification(v);
  if (e21 !== undefined) {
    return e21;
  }
  if (isObject(v)) {
    const o22 = v as Record<string, unknown>;
    const m23 = o22["id"];
    if (m23 !== undefined) {
      return ".id: must not be present";
    }
  }
  return undefined;
}

// #/$defs/ClientMessage/anyOf/2
function branch24(v: unknown): string | undefined {
  const e25 = checkClientResponse(v);
  if (e25 !== undefined) {
    return e25;
  }
  if (isObject(v)) {
    const o26 = v as Record<string, unknown>;
    const m27 = o26["method"];
    if (m27 !== undefined) {
      return ".method: must not be present";
    }
  }
  return undefined;
}

// #/$defs/ClientMessage/anyOf/3
function branch28(v: unknown): string | undefined {
  const e29 = checkJsonRpcError(v);
  if (e29 !== undefined) {
    return e29;
  }
  if (isObject(v)) {
    const o30 = v as Record<string, unknown>;
    const m31 = o30["method"];
    if (m31 !== undefined) {
      return ".method: must not be present";
    }
  }
  return undefined;
}

// #/$defs/JsonRpcError/properties/id/anyOf/1
function branch67(v: unknown): string | undefined {
  if (v !== null) {
    return ": must be null";
  }
  return undefined;
}

// #/$defs/JsonRpcMessage/anyOf/1
function branch76(v: unknown): string | undefined {
  const e77 = checkJsonRpcNotification(v);
  if (e77 !== undefined) {
    return e77;
  }
  if (isObject(v)) {
    const o78 = v as Record<string, unknown>;
    const m79 = o78["id"];
    if (m79 !== undefined) {
      return ".id: must not be present";
    }
  }
  return undefined;
}

// #/$defs/JsonRpcMessage/anyOf/2
function branch80(v: unknown): string | undefined {
  const e81 = checkJsonRpcResponse(v);
  if (e81 !== undefined) {
    return e81;
  }
  if (isObject(v)) {
    const o82 = v as Record<string, unknown>;
    const m83 = o82["method"];
    if (m83 !== undefined) {
      return ".method: must not be present";
    }
  }
  return undefined;
}

// #/$defs/JsonRpcMessage/anyOf/3
function branch84(v: unknown): string | undefined {
  const e85 = checkJsonRpcError(v);
  if (e85 !== undefined) {
    return e85;
  }
  if (isObject(v)) {
    const o86 = v as Record<string, unknown>;
    const m87 = o86["method"];
    if (m87 !== undefined) {
      return ".method: must not be present";
    }
  }
  return undefined;
}

// #/$defs/RequestId/anyOf/0
function branch105(v: unknown): string | undefined {
  if (!Number.isInteger(v)) {
    return ": must be integer";
  }
  if ((v as number) < -9007199254740991) {
    return ": must be >= -9007199254740991";
  }
  if ((v as number) > 9007199254740991) {
    return ": must be <= 9007199254740991";
  }
  return undefined;
}

// #/$defs/RequestId/anyOf/1
function branch106(v: unknown): string | undefined {
  if (typeof v !== "string") {
    return ": must be string";
  }
  return undefined;
}

// #/$defs/ServerMessage/anyOf/1
function branch112(v: unknown): string | undefined {
  const e113 = checkServerResponse(v);
  if (e113 !== undefined) {
    return e113;
  }
  if (isObject(v)) {
    const o114 = v as Record<string, unknown>;
    const m115 = o114["method"];
    if (m115 !== undefined) {
      return ".method: must not be present";
    }
  }
  return undefined;
}

// #/$defs/ServerMessage/anyOf/2
function branch116(v: unknown): string | undefined {
  const e117 = checkJsonRpcError(v);
  if (e117 !== undefined) {
    return e117;
  }
  if (isObject(v)) {
    const o118 = v as Record<string, unknown>;
    const m119 = o118["method"];
    if (m119 !== undefined) {
      return ".method: must not be present";
    }
  }
  return undefined;
}
