// How the parsers, guards and the dispatcher are typed. Type-checked (never
// run) by tests/tests/typescript.rs under TypeScript 5.9 and 7, with the
// other files of checks/: each `@ts-expect-error` fails the check if the
// line below it ever starts to compile. Their behaviour is run by
// tests/tests/validators.rs (tests/ts/agreement.mjs).

import {
  RpcError,
  ErrorCode,
  createServerRequestDispatcher,
  isClientNotification,
  isClientRequest,
  isClientResponse,
  isErrorResponse,
  isServerRequest,
  isServerResponse,
  parseAttestationHeader,
  parseClientMessage,
  parseServerMessage,
  validateAttestationHeader,
  validateClientMessage,
  validateServerMessage,
  type AttestationHeader,
  type ClientMessage,
  type ClientResponse,
  type InitializeResponse,
  type JsonRpcError,
  type ParseResult,
  type ServerMessage,
  type ServerRequest,
  type ServerRequestAnswer,
  type ServerRequestHandlers,
} from "@attestwire/protocol";

// --- the parsers' results are typed --------------------------------------

export const server: ParseResult<ServerMessage> = parseServerMessage("{}");
export const client: ParseResult<ClientMessage> = parseClientMessage("{}");
export const header: ParseResult<AttestationHeader> = parseAttestationHeader("{}");

// The validators of already-parsed values give the same results.
export const serverValue: ParseResult<ServerMessage> = validateServerMessage(JSON.parse("{}"));
export const clientValue: ParseResult<ClientMessage> = validateClientMessage({});
export const headerValue: ParseResult<AttestationHeader> = validateAttestationHeader(undefined);

export function tokenOf(value: unknown): string | undefined {
  const checked = validateAttestationHeader(value);
  // @ts-expect-error the message exists only once `ok` is checked
  checked.message.s;
  return checked.ok && checked.message.s === 0 ? checked.message.t : undefined;
}

export function readServerLine(line: string): string {
  const parsed = parseServerMessage(line);
  if (!parsed.ok) {
    const error: string = parsed.error;
    // @ts-expect-error a failed parse has no message
    parsed.message;
    return error;
  }
  const message = parsed.message;
  if (isServerRequest(message)) {
    const method: "attestation/generate" = message.method;
    return method;
  }
  if (isServerResponse(message)) {
    const result: InitializeResponse = message.result;
    return result.serverInfo.name;
  }
  // What is left is an error response.
  const error: JsonRpcError = message;
  return error.error.message;
}

export function readClientLine(line: string): string {
  const parsed = parseClientMessage(line);
  if (!parsed.ok) return parsed.error;
  const message = parsed.message;
  if (isClientRequest(message)) return message.params.clientInfo.name;
  if (isClientNotification(message)) return message.method;
  if (isClientResponse(message)) return message.result.token;
  if (isErrorResponse(message)) return String(message.error.code);
  const none: never = message;
  return none;
}

export function readHeader(value: string): string | undefined {
  const parsed = parseAttestationHeader(value);
  if (!parsed.ok) return undefined;
  return parsed.message.s === 0 ? parsed.message.t : undefined;
}

// --- the dispatcher ------------------------------------------------------

export const answer: (request: ServerRequest) => Promise<ServerRequestAnswer> =
  createServerRequestDispatcher({
    "attestation/generate": async (params, request) => {
      const id = request.id;
      const none: {} = params;
      void none;
      if (id === "refuse") throw new RpcError(ErrorCode.InternalError, "attestation is unavailable");
      return { token: "v1.opaque-client-payload" };
    },
  });

// A handler may answer synchronously.
export const sync: ServerRequestHandlers = {
  "attestation/generate": () => ({ token: "v1.sync" }),
};

// The answer is a message the client may send.
export async function answered(request: ServerRequest): Promise<ClientMessage> {
  const a: ClientResponse | JsonRpcError = await answer(request);
  return a;
}

// --- must not type-check -------------------------------------------------

// Every method of ServerRequestMap needs a handler.
// @ts-expect-error the handler of attestation/generate is missing
export const missing = createServerRequestDispatcher({});

// A handler's result is its method's response type.
export const misspelt = createServerRequestDispatcher({
  // @ts-expect-error `tokn` is not `token`
  "attestation/generate": async () => ({ tokn: "v1" }),
});

export const wrongType = createServerRequestDispatcher({
  // @ts-expect-error a token is a string
  "attestation/generate": () => ({ token: 42 }),
});

// No handler for a method the server does not send.
export const unknown = createServerRequestDispatcher({
  "attestation/generate": () => ({ token: "v1" }),
  // @ts-expect-error not a server request method
  "attestation/revoke": () => ({ token: "v1" }),
});

// An RpcError's code is a number.
// @ts-expect-error the code is an ErrorCode
export const badCode = new RpcError("internal", "no");

// A guard narrows a message of its own direction only.
// @ts-expect-error a server message is not a client message
export const crossed = (m: ServerMessage): boolean => isClientRequest(m);
