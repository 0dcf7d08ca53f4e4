// generated — do not edit; run `just write-schema`
// Reading a message from a peer that speaks a protocol of its own beside
// attestwire's: attestwire's messages checked, the host's handed over as
// JSON-RPC, anything else refused.
import type { ClientMessage } from "./ClientMessage.js";
import type { JsonRpcMessage } from "./JsonRpcMessage.js";
import type { ServerMessage } from "./ServerMessage.js";
import { ClientNotificationMethod, ClientRequestMethod, ServerRequestMethod } from "./methods.js";
import { validateAs, validateClientMessage, validateServerMessage } from "./validate.js";
import type { ParseResult } from "./validate.js";

/**
 * What `readServerMessage` and `readClientMessage` (and their `classify…`
 * forms for parsed values) make of a message:
 *
 * - `kind: "attestwire"`: attestwire's, checked exactly as `parse…` checks
 *   it, and typed.
 * - `kind: "host"`: a well-formed JSON-RPC message that is not attestwire's
 *   (a request or notification of a method attestwire does not have, or a
 *   response whose result is not one of attestwire's), for the host's own
 *   code; nothing more of it is checked. `reason` is why it is not
 *   attestwire's, the error `parse…` gives (useful when a response to one of
 *   your attestwire requests comes back as `host`: it is malformed).
 * - `ok: false`: not JSON, not JSON-RPC, or a request of one of attestwire's
 *   methods that breaks its rules; `error` is the rule, as `parse…` reports
 *   it.
 *
 * A line does not say which request a response answers: match responses by
 * `id`, whatever their `kind`. An error response is JSON-RPC's own shape, so
 * it is always `attestwire`.
 */
export type ReadResult<T> =
  | { ok: true; kind: "attestwire"; message: T }
  | { ok: true; kind: "host"; message: JsonRpcMessage; reason: string }
  | { ok: false; error: string };

/** The error of text that `JSON.parse` rejects (its own message quotes the text). */
const NOT_JSON = "$: must be valid JSON";

/** attestwire's methods that the server sends: the host may not reuse them. */
const SERVER_METHODS: ReadonlySet<string> = new Set<string>(Object.values(ServerRequestMethod));

/** attestwire's methods that the client sends. */
const CLIENT_METHODS: ReadonlySet<string> = new Set<string>([
  ...Object.values(ClientRequestMethod),
  ...Object.values(ClientNotificationMethod),
]);

/**
 * Reads one line from a server that may have methods of its own (what a
 * client reads): `JSON.parse`, then `classifyServerMessage`. Never throws.
 */
export function readServerMessage(text: string): ReadResult<ServerMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: NOT_JSON };
  }
  return classifyServerMessage(value);
}

/**
 * Classifies an already-parsed value from a server as attestwire's (a valid
 * `ServerMessage`), the host's (any other JSON-RPC message, unless it names
 * one of attestwire's methods), or invalid. Never throws; a message is
 * `value` itself.
 */
export function classifyServerMessage(value: unknown): ReadResult<ServerMessage> {
  return classify(validateServerMessage(value), value, SERVER_METHODS);
}

/**
 * Reads one line from a client that may have methods of its own (what a
 * server written in TypeScript reads): `JSON.parse`, then
 * `classifyClientMessage`. Never throws.
 */
export function readClientMessage(text: string): ReadResult<ClientMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: NOT_JSON };
  }
  return classifyClientMessage(value);
}

/**
 * Classifies an already-parsed value from a client as attestwire's (a valid
 * `ClientMessage`), the host's (any other JSON-RPC message, unless it names
 * one of attestwire's methods), or invalid. Never throws; a message is
 * `value` itself.
 */
export function classifyClientMessage(value: unknown): ReadResult<ClientMessage> {
  return classify(validateClientMessage(value), value, CLIENT_METHODS);
}

function classify<T>(
  checked: ParseResult<T>,
  value: unknown,
  ours: ReadonlySet<string>,
): ReadResult<T> {
  if (checked.ok) return { ok: true, kind: "attestwire", message: checked.message };
  // A message that names one of attestwire's methods is attestwire's, and
  // broken: a host cannot take the name over.
  if (namesMethod(value, ours)) return checked;
  const notJsonRpc = validateAs("JsonRpcMessage", value);
  if (notJsonRpc !== undefined) return { ok: false, error: notJsonRpc };
  return { ok: true, kind: "host", message: value as JsonRpcMessage, reason: checked.error };
}

function namesMethod(value: unknown, methods: ReadonlySet<string>): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const method: unknown = (value as Record<string, unknown>)["method"];
  return typeof method === "string" && methods.has(method);
}
