// The JSON-RPC messages as the client writes them (compact, `"jsonrpc":"2.0"`
// always) and the shape checks of what it reads that are not attestwire's
// schema (which the generated validators check).

import { ErrorCode, type RequestId } from "@attestwire/protocol";

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

export function isRequestId(id: unknown): id is RequestId {
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

export function isErrorObject(error: unknown): error is { code: number; message: string; data?: unknown } {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Json;
  return Number.isInteger(e["code"]) && typeof e["message"] === "string";
}

export function describeError(error: unknown): string {
  return isErrorObject(error) ? String(error.code) : "(malformed)";
}

export function encodeRequest(id: number, method: string, params: unknown): string | Error {
  try {
    const json = params === undefined ? undefined : JSON.stringify(params);
    const p = json === undefined ? "" : `,"params":${json}`;
    return `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)}${p}}`;
  } catch (error) {
    return new TypeError(`the params of ${JSON.stringify(method)} cannot be written as JSON`, { cause: error });
  }
}

export function encodeNotification(method: string, params: unknown): string | Error {
  try {
    const json = params === undefined ? undefined : JSON.stringify(params);
    const p = json === undefined ? "" : `,"params":${json}`;
    return `{"jsonrpc":"2.0","method":${JSON.stringify(method)}${p}}`;
  } catch (error) {
    return new TypeError(`the params of ${JSON.stringify(method)} cannot be written as JSON`, { cause: error });
  }
}

/** A success answer to `id`; throws what JSON.stringify throws (a BigInt, a cycle). */
export function encodeResult(id: RequestId, result: unknown): string {
  // JSON.stringify(undefined) is undefined: a handler that returns nothing answers null.
  const json = JSON.stringify(result) as string | undefined;
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${json ?? "null"}}`;
}

/** An error answer to `id`; `data` is left out when `undefined` or not JSON. */
export function encodeError(id: RequestId, code: number, message: string, data?: unknown): string {
  try {
    const error = data === undefined ? { code, message } : { code, message, data };
    return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":${JSON.stringify(error)}}`;
  } catch {
    return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":{"code":${ErrorCode.InternalError},"message":"Internal error"}}`;
  }
}
