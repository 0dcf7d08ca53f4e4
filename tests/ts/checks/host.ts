// A host with methods of its own, as the Codex app-server has: the builders,
// the message types and the dispatcher take the host's methods `H` beside
// attestwire's, and refuse the host's methods without it. Type-checked
// (never run) by tests/tests/typescript.rs under TypeScript 5.9 and 7; each
// `@ts-expect-error` fails the check if the line below it ever compiles.
// Their behaviour is run by tests/tests/validators.rs (tests/ts/host.mjs)
// and against codex-host by tests/tests/readme_codex_host.rs.

import {
  ErrorCode,
  RpcError,
  classifyServerMessage,
  createServerRequestDispatcher,
  isJsonRpcNotification,
  isJsonRpcRequest,
  makeNotification,
  makeRequest,
  makeResponse,
  readClientMessage,
  readServerMessage,
  type ClientCapabilities,
  type ClientMessage,
  type ClientRequestMapWith,
  type ClientRequestOf,
  type InitializeParams,
  type JsonRpcError,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type ReadResult,
  type ServerMessage,
  type ServerRequest,
  type ServerRequestAnswer,
  type ServerRequestHandlers,
  type ServerRequestOf,
} from "@attestwire/protocol";

/** codex-host's methods (examples/codex-host/README.md), as an app declares them. */
type Codex = {
  requests: {
    "thread/start": { params: { threadId: string }; response: { threadId: string } };
    "turn/start": { params: { threadId: string }; response: { approval: unknown; attestation: string | null } };
  };
  notifications: {
    "thread/archive": { params: { threadId: string } };
  };
  serverRequests: {
    "item/approve": { params: { threadId: string }; response: { decision: "accept" | "decline" } };
  };
};

/** The same, declared with interfaces, as many codebases do. */
interface CodexServerRequests {
  "item/approve": { params: { threadId: string }; response: { decision: string } };
}
interface CodexI {
  serverRequests: CodexServerRequests;
}

// --- the builders, with the host's methods -------------------------------

export const startThread = makeRequest<Codex>("thread/start", 1, { threadId: "t1" });
export const startTurn = makeRequest<Codex>("turn/start", 2, { threadId: "t1" });
// attestwire's own methods stay available beside the host's.
export const hello = makeRequest<Codex>("initialize", 0, {
  clientInfo: { name: "app", version: "1" },
  capabilities: { requestAttestation: true, experimentalApi: true },
});
export const method: "initialize" | "thread/start" | "turn/start" = startThread.method;
export const approved = makeResponse<Codex>({ method: "item/approve", id: 0 }, { decision: "accept" });
export const token = makeResponse<Codex>({ method: "attestation/generate", id: "attestwire:0" }, { token: "v1.t" });
export const archive = makeNotification<Codex>("thread/archive", { threadId: "t1" });
export const ready = makeNotification<Codex>("initialized");
export const approvedI = makeResponse<CodexI>({ method: "item/approve", id: 0 }, { decision: "ok" });

// Without `H`, attestwire's builders are as precise as before.
export const plain: ClientRequestOf<"initialize"> = makeRequest("initialize", 1, {
  clientInfo: { name: "app", version: "1" },
});
export const plainMessage: ClientMessage = plain;

// The merged map and the message types name the host's methods.
export type TurnStart = ClientRequestMapWith<Codex>["turn/start"];
export const approveRequest: ServerRequestOf<"item/approve", Codex> = {
  method: "item/approve",
  id: 0,
  params: { threadId: "t1" },
};

// --- ClientCapabilities takes a host's members in a literal -----------------

export const capabilities: ClientCapabilities = { requestAttestation: true, experimentalApi: true };
export const params: InitializeParams = {
  clientInfo: { name: "app", version: "1" },
  capabilities: { requestAttestation: true, experimentalApi: true, nested: { a: 1 } },
};
// Its own member keeps its type.
// @ts-expect-error requestAttestation is a boolean
export const wrongCapability: ClientCapabilities = { requestAttestation: "yes" };

// --- the dispatcher, with the host's methods -------------------------------

export const answer = createServerRequestDispatcher<Codex>({
  "attestation/generate": async () => ({ token: "v1.opaque-client-payload" }),
  "item/approve": async (params, request) => {
    const thread: string = params.threadId;
    const id: string | number = request.id;
    if (thread === "" || id === "") throw new RpcError(ErrorCode.InvalidParams, "no thread");
    return { decision: "accept" };
  },
});
// The dispatcher takes attestwire's requests and a host's, as read.
export async function respond(request: ServerRequest | JsonRpcRequest): Promise<ServerRequestAnswer<Codex>> {
  return answer(request);
}
export const handlersI: ServerRequestHandlers<CodexI> = {
  "attestation/generate": () => ({ token: "v1" }),
  "item/approve": () => ({ decision: "ok" }),
};
// Without `H`, the dispatcher still takes a host's request (and answers -32601).
export const plainAnswer = createServerRequestDispatcher({
  "attestation/generate": () => ({ token: "v1" }),
});
export const forHost = (request: JsonRpcRequest): Promise<ServerRequestAnswer> => plainAnswer(request);

// --- reading a host's stream ---------------------------------------------

export const read: ReadResult<ServerMessage> = readServerMessage("{}");
export const readClient: ReadResult<ClientMessage> = readClientMessage("{}");

export async function onLine(line: string, send: (message: object) => void): Promise<string> {
  const read = readServerMessage(line);
  if (!read.ok) return read.error;
  const message: ServerMessage | JsonRpcMessage = read.message;
  if (isJsonRpcRequest(message)) {
    send(await answer(message));
    return message.method;
  }
  if (isJsonRpcNotification(message)) return message.method;
  // What is left is a response: matched by id.
  const id: string | number | null = message.id;
  if (read.kind === "host") return `${String(id)}: ${read.reason}`;
  const ours: ServerMessage = read.message;
  return "error" in ours ? ours.error.message : "ours";
}

export function kindOf(value: unknown): "attestwire" | "host" | undefined {
  const read = classifyServerMessage(value);
  // @ts-expect-error `reason` exists on the host's kind only
  read.reason;
  if (read.ok && read.kind === "attestwire") {
    // @ts-expect-error attestwire's messages are typed: no other method
    const other: "item/approve" = "method" in read.message ? read.message.method : "item/approve";
    void other;
  }
  return read.ok ? read.kind : undefined;
}

// --- must not type-check without the host's methods -------------------------

// @ts-expect-error thread/start is not attestwire's
export const noHostRequest = makeRequest("thread/start", 1, { threadId: "t1" });

// @ts-expect-error item/approve is not attestwire's
export const noHostResponse = makeResponse({ method: "item/approve", id: 0 }, { decision: "accept" });

// @ts-expect-error thread/archive is not attestwire's
export const noHostNotification = makeNotification("thread/archive", { threadId: "t1" });

export const noHostHandler = createServerRequestDispatcher({
  "attestation/generate": () => ({ token: "v1" }),
  // @ts-expect-error item/approve is not attestwire's
  "item/approve": () => ({ decision: "accept" }),
});

// --- must not type-check with them either ---------------------------------

// A method in neither map.
// @ts-expect-error thread/stop is in neither map
export const unknownMethod = makeRequest<Codex>("thread/stop", 1, { threadId: "t1" });

// Params of another method.
// @ts-expect-error thread/start takes { threadId }
export const wrongParams = makeRequest<Codex>("thread/start", 1, { clientInfo: { name: "a", version: "1" } });

// A member the params do not have.
// @ts-expect-error no such member
export const extraParam = makeRequest<Codex>("thread/start", 1, { threadId: "t1", extra: 1 });

// A result that is not the method's response.
// @ts-expect-error decision is "accept" or "decline"
export const wrongResult = makeResponse<Codex>({ method: "item/approve", id: 0 }, { decision: "maybe" });

// @ts-expect-error attestation/generate answers { token }
export const wrongToken = makeResponse<Codex>({ method: "attestation/generate", id: 0 }, { decision: "accept" });

// Required params of a host notification.
// @ts-expect-error thread/archive takes { threadId }
export const missingParams = makeNotification<Codex>("thread/archive");

// Every method of both maps needs a handler.
// @ts-expect-error the handler of item/approve is missing
export const missingHandler = createServerRequestDispatcher<Codex>({
  "attestation/generate": () => ({ token: "v1" }),
});

export const wrongHandler = createServerRequestDispatcher<Codex>({
  "attestation/generate": () => ({ token: "v1" }),
  // @ts-expect-error decision is "accept" or "decline"
  "item/approve": () => ({ decision: "maybe" }),
});

// An answer to a host's request is not a ClientMessage.
// @ts-expect-error the host's result is not attestwire's
export const notOurs: ClientMessage = approved;

// An error answer is typed as one.
export const failed: JsonRpcError = { id: 1, error: { code: ErrorCode.MethodNotFound, message: "no" } };
