// One JSON-RPC connection to a server: the app's requests (ids, deadlines,
// signals), routing what the server sends, answering its requests, and
// closing. Every pending request settles exactly once; a closed connection
// rejects them all at once; no path leaves a promise rejected unhandled.

import {
  ClientRequestMethod,
  ErrorCode,
  ServerRequestMethod,
  isValidAttestationToken,
  parseServerMessage,
  type RequestId,
} from "@attestwire/protocol";

import type { CloseReason, ClosedInfo } from "./closed.js";
import { ConnectionClosedError, ProtocolError, RemoteError, RequestTimeoutError } from "./errors.js";
import { LineReader } from "./framing.js";
import {
  HandlerTable,
  Limiter,
  type AnyNotificationHandler,
  type AnyRequestHandler,
} from "./handlers.js";
import type {
  AppNotifications,
  AppRequests,
  HostMethods,
  NoHostMethods,
  NotificationHandler,
  NotifyArgs,
  ParamsOf,
  RequestArgs,
  RequestHandler,
  RequestOptions,
  ResponseOf,
  ServerNotifications,
  ServerRequests,
} from "./methods.js";
import { DEFAULTS, duration, resolveOptions, type ClientOptions, type Resolved } from "./options.js";
import { PendingRequests } from "./pending.js";
import type { ExitInfo, Transport } from "./transport.js";
import { LineWriter, asError } from "./writer.js";

/** attestwire's own requests: their answers are checked by the generated validators. */
const OWN_REQUESTS: ReadonlySet<string> = new Set(Object.values(ClientRequestMethod));
const ATTESTATION_GENERATE: string = ServerRequestMethod.AttestationGenerate;

/**
 * How long a child's exit and the end of its output may lie apart: after
 * one, the other is awaited this long so that answers still in the pipe are
 * read and the close carries the exit code.
 */
const SETTLE_MS = 100;

type Json = Record<string, unknown>;

/**
 * The app's connection to a server. `H` is the host's own methods (see
 * `HostMethods`); attestwire's are always there.
 */
export class Client<H extends HostMethods = NoHostMethods> {
  readonly #transport: Transport;
  readonly #options: Resolved;
  readonly #reader: LineReader;
  readonly #writer: LineWriter;
  readonly #pending = new PendingRequests();
  readonly #requestHandlers = new HandlerTable<AnyRequestHandler>("request");
  readonly #notificationHandlers = new HandlerTable<AnyNotificationHandler>("notification");
  readonly #limiter: Limiter;
  /** Aborted on close: the signal every handler is given. */
  readonly #handlersAbort = new AbortController();
  #closing: { reason: CloseReason; error: Error | undefined } | undefined;
  #graceMs: number = DEFAULTS.graceMs;
  #exit: ExitInfo | undefined;
  #readEnded = false;
  #settleTimer: NodeJS.Timeout | undefined;
  #resolveClosed!: (info: ClosedInfo) => void;

  /** Resolves once, never rejects, when the connection is closed and the server (if spawned) has exited. */
  readonly closed: Promise<ClosedInfo>;

  /** Use `connect` or `spawnServer`. */
  constructor(transport: Transport, options: ClientOptions = {}) {
    this.#transport = transport;
    this.#options = resolveOptions(options);
    this.#reader = new LineReader(this.#options.maxLineBytes);
    this.#limiter = new Limiter(this.#options.maxConcurrentHandlers);
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#writer = new LineWriter(transport.writable, this.#options.writeStallMs, (failure) =>
      this.#close(failure.reason, failure.error),
    );
    const readable = transport.readable;
    readable.on("data", this.#onData);
    readable.on("end", this.#onEnd);
    // A stream destroyed without an error ends with `close` alone.
    readable.on("close", this.#onEnd);
    // An error listener for the life of the stream: an `error` without one is an uncaught exception.
    readable.on("error", (error: unknown) => this.#close("read-error", asError(error)));
    transport.onFailure((reason, error) => this.#close(reason, error));
    transport.exit?.then(this.#onExit, () => {});
  }

  /** The spawned server's pid; `undefined` for `connect` or when the spawn failed. */
  get pid(): number | undefined {
    return this.#transport.pid;
  }

  /** The app's requests waiting for an answer. */
  get pendingRequests(): number {
    return this.#pending.size;
  }

  /** `true` once the connection is closing or closed: requests reject, answers are dropped. */
  get isClosed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Sends a request (attestwire's or the host's) and resolves with its result.
   * Rejects with `RemoteError` (an error answer), `RequestTimeoutError`,
   * the signal's reason, `ConnectionClosedError`, or `ProtocolError` (an
   * answer that breaks attestwire's schema or has both result and error).
   */
  request<M extends keyof AppRequests<H> & string>(
    method: M,
    ...args: RequestArgs<ParamsOf<AppRequests<H>[M]>>
  ): Promise<ResponseOf<AppRequests<H>[M]>> {
    const [params, options] = args;
    return this.requestRaw(method, params, options) as Promise<ResponseOf<AppRequests<H>[M]>>;
  }

  /** `request` for a method in neither map; the result is unchecked JSON. */
  requestRaw(method: string, params?: unknown, options: RequestOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#closing !== undefined) {
        reject(this.#closedError());
        return;
      }
      const signal = options.signal;
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      let timeoutMs: number;
      try {
        timeoutMs = duration("timeoutMs", options.timeoutMs, this.#options.requestTimeoutMs);
      } catch (error) {
        reject(error);
        return;
      }
      const id = this.#pending.add(method, { resolve, reject }, timeoutMs, signal, () => new RequestTimeoutError(method, timeoutMs));
      const line = encodeRequest(id, method, params);
      if (line instanceof Error) {
        this.#pending.abandon(id, line);
        return;
      }
      this.#writer.write(line);
    });
  }

  /** Sends a notification; resolves once it is handed to the stream, rejects with `ConnectionClosedError` if it never will be. */
  notify<M extends keyof AppNotifications<H> & string>(
    method: M,
    ...args: NotifyArgs<ParamsOf<AppNotifications<H>[M]>>
  ): Promise<void> {
    return this.notifyRaw(method, args[0]);
  }

  /** `notify` for a method in neither map. */
  notifyRaw(method: string, params?: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const line = encodeNotification(method, params);
      if (line instanceof Error) {
        reject(line);
        return;
      }
      this.#writer.write(line, (handedOver) =>
        handedOver ? resolve() : reject(this.#closedError()),
      );
    });
  }

  /**
   * Answers the server's requests for `method` with `handler`'s result. A
   * thrown `RemoteError` is sent as that error; anything else thrown becomes
   * -32603 without its message. Returns the function that removes the handler.
   */
  onRequest<M extends keyof ServerRequests<H> & string>(
    method: M,
    handler: RequestHandler<ServerRequests<H>[M]>,
  ): () => void {
    return this.onRequestRaw(method, handler as AnyRequestHandler);
  }

  /** `onRequest` for a method in neither map: params are unchecked JSON. */
  onRequestRaw(
    method: string,
    handler: (params: unknown, context: Parameters<AnyRequestHandler>[1]) => unknown,
  ): () => void {
    if (method === ATTESTATION_GENERATE) {
      throw new Error(`${ATTESTATION_GENERATE} is answered by the \`attestation\` option`);
    }
    return this.#requestHandlers.add(method, handler);
  }

  /** Gives the server's notifications for `method` to `handler`. Returns the function that removes it. */
  onNotification<M extends keyof ServerNotifications<H> & string>(
    method: M,
    handler: NotificationHandler<ServerNotifications<H>[M]>,
  ): () => void {
    return this.onNotificationRaw(method, handler as AnyNotificationHandler);
  }

  /** `onNotification` for a method in neither map. */
  onNotificationRaw(method: string, handler: (params: unknown) => unknown): () => void {
    return this.#notificationHandlers.add(method, handler);
  }

  /**
   * Closes the connection: pending requests reject with
   * `ConnectionClosedError` (reason `"closed"`), the server's input ends, and
   * a spawned server gets `graceMs` (default 2000) to exit, then SIGTERM,
   * `graceMs` more, then SIGKILL. Resolves as `closed` does.
   */
  close(options: { graceMs?: number } = {}): Promise<ClosedInfo> {
    if (this.#closing === undefined && options.graceMs !== undefined) {
      if (Number.isFinite(options.graceMs) && options.graceMs >= 0) this.#graceMs = options.graceMs;
    }
    this.#close("closed", undefined);
    return this.closed;
  }

  // ---- reading ----

  readonly #onData = (chunk: Buffer | string): void => {
    if (this.#closing !== undefined) return; // read on, so the child never blocks writing
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    for (const frame of this.#reader.push(bytes)) {
      if (this.#closing !== undefined) return;
      switch (frame.kind) {
        case "line":
          this.#onLine(frame.text);
          break;
        case "invalid-utf8":
          this.#report("parse", "a line is not valid UTF-8");
          break;
        case "too-long":
          this.#close(
            "line-too-long",
            new Error(`the server sent a line longer than maxLineBytes (${frame.limit} bytes)`),
          );
          return;
      }
    }
  };

  readonly #onEnd = (): void => {
    if (this.#readEnded) return;
    this.#readEnded = true;
    if (this.#transport.exit === undefined || this.#exit !== undefined) {
      this.#close(this.#exit !== undefined ? "exit" : "stdout-end", undefined);
    } else {
      // Usually the exit follows at once; wait briefly so the close carries it.
      this.#settle(() => this.#close(this.#exit !== undefined ? "exit" : "stdout-end", undefined));
    }
  };

  readonly #onExit = (exit: ExitInfo): void => {
    this.#exit = exit;
    if (this.#readEnded) this.#close("exit", undefined);
    // Answers may still be in the pipe: read them before rejecting what is pending.
    else this.#settle(() => this.#close("exit", undefined));
  };

  #settle(then: () => void): void {
    if (this.#settleTimer !== undefined) return;
    this.#settleTimer = setTimeout(() => {
      this.#settleTimer = undefined;
      then();
    }, SETTLE_MS);
  }

  #onLine(text: string): void {
    // Blank lines are skipped; trim() only for a line that starts blank (it copies).
    if (text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === "")) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.#report("parse", "a line is not valid JSON");
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.#report("invalid-message", "a line is not a JSON object");
      return;
    }
    const message = value as Json;
    const hasId = "id" in message;
    const id = message["id"];
    const idValid = isRequestId(id);
    if (message["jsonrpc"] !== undefined && message["jsonrpc"] !== "2.0") {
      this.#report("invalid-message", 'a message has a "jsonrpc" other than "2.0"');
      if ("method" in message && idValid) this.#answerError(id, ErrorCode.InvalidRequest, "Invalid request");
      return;
    }
    if ("method" in message) {
      const method = message["method"];
      if (typeof method !== "string") {
        this.#report("invalid-message", "a message's method is not a string");
        if (idValid) this.#answerError(id, ErrorCode.InvalidRequest, "Invalid request");
        return;
      }
      if (!hasId) {
        this.#onNotification(method, message["params"]);
      } else if (idValid) {
        // A request, even when its id equals one of ours: ids are per direction.
        this.#onRequest(id, method, message["params"], text);
      } else {
        this.#report("invalid-message", `a ${JSON.stringify(method)} request has an id that is neither a string nor a number`);
      }
      return;
    }
    this.#onResponse(message, id, idValid, text);
  }

  #onResponse(message: Json, id: unknown, idValid: boolean, text: string): void {
    const hasResult = "result" in message;
    const hasError = "error" in message;
    if (!hasResult && !hasError) {
      this.#report("invalid-message", "a message has neither method, result nor error");
      return;
    }
    if (id === null && hasError && !hasResult) {
      this.#report("error-without-id", `the server could not read a message of ours (error ${describeError(message["error"])})`);
      return;
    }
    if (!idValid) {
      this.#report("invalid-message", "a response's id is neither a string nor a number");
      return;
    }
    const lookup = this.#pending.take(id as RequestId);
    if (lookup.kind === "abandoned") return; // late: its request timed out or was aborted
    if (lookup.kind === "answered") {
      this.#report("duplicate-response", `a second response to request ${JSON.stringify(id)}`);
      return;
    }
    if (lookup.kind === "unknown") {
      this.#report("unknown-id", `a response to ${JSON.stringify(id)}, which is no request of ours`);
      return;
    }
    const { settle, method } = lookup;
    if (hasResult && hasError) {
      settle.reject(this.#report("result-and-error", `the response to ${JSON.stringify(method)} has both result and error`));
      return;
    }
    if (OWN_REQUESTS.has(method)) {
      const checked = parseServerMessage(text);
      if (!checked.ok) {
        settle.reject(this.#report("invalid-attestwire-message", `the response to ${JSON.stringify(method)} breaks the schema: ${checked.error}`));
        return;
      }
    }
    if (hasResult) {
      settle.resolve(message["result"]);
      return;
    }
    const error = message["error"];
    if (!isErrorObject(error)) {
      settle.reject(this.#report("invalid-message", `the error answering ${JSON.stringify(method)} is not { code: integer, message: string }`));
      return;
    }
    settle.reject(new RemoteError(error.code, error.message, error.data));
  }

  #onNotification(method: string, params: unknown): void {
    const handler = this.#notificationHandlers.get(method);
    if (handler === undefined) return; // JSON-RPC: a notification nobody handles is ignored
    Promise.resolve()
      .then(() => handler(params))
      .catch((error: unknown) => this.#report("handler-failed", `the ${JSON.stringify(method)} notification handler threw`, error));
  }

  // ---- answering the server's requests ----

  #onRequest(id: RequestId, method: string, params: unknown, text: string): void {
    if (method === ATTESTATION_GENERATE) {
      this.#onAttestation(id, text);
      return;
    }
    const handler = this.#requestHandlers.get(method);
    if (handler === undefined) {
      this.#answerError(id, ErrorCode.MethodNotFound, "Method not found");
      return;
    }
    const context = { id, method, signal: this.#handlersAbort.signal };
    this.#limiter.run(() =>
      Promise.resolve()
        .then(() => handler(params, context))
        .then(
          (result) => this.#answer(id, method, result),
          (error: unknown) => this.#answerThrown(id, method, error, "handler-failed"),
        ),
    );
  }

  #onAttestation(id: RequestId, text: string): void {
    const checked = parseServerMessage(text);
    if (!checked.ok) {
      this.#report("invalid-attestwire-message", `an attestation/generate request breaks the schema: ${checked.error}`);
      this.#answerError(id, ErrorCode.InvalidParams, "Invalid params");
      return;
    }
    const provider = this.#options.attestation;
    if (provider === undefined) {
      this.#answerError(id, ErrorCode.MethodNotFound, "Method not found");
      return;
    }
    const params = "params" in checked.message ? checked.message.params : {};
    // Not through the limiter: the server's deadline is 100 ms.
    void Promise.resolve()
      .then(() => provider({ params: params ?? {}, signal: this.#handlersAbort.signal }))
      .then(
        (token: unknown) => {
          if (typeof token !== "string" || !isValidAttestationToken(token)) {
            // Never sent: the server would only call it malformed (s=4); an
            // error says what happened (s=2) and the bytes stay here.
            this.#report("attestation-failed", "the attestation provider gave a token that breaks the token rule (1 to 8192 visible ASCII characters)");
            this.#answerError(id, ErrorCode.InternalError, "attestation token breaks the token rule");
            return;
          }
          this.#answer(id, ATTESTATION_GENERATE, { token });
        },
        (error: unknown) => this.#answerThrown(id, ATTESTATION_GENERATE, error, "attestation-failed"),
      );
  }

  #answer(id: RequestId, method: string, result: unknown): void {
    if (this.#closing !== undefined) return; // late: dropped silently
    let line: string;
    try {
      line = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${JSON.stringify(result) ?? "null"}}`;
    } catch (error) {
      this.#answerThrown(id, method, error, "handler-failed");
      return;
    }
    this.#writer.write(line);
  }

  #answerThrown(id: RequestId, method: string, error: unknown, kind: "handler-failed" | "attestation-failed"): void {
    if (error instanceof RemoteError) {
      this.#answerError(id, error.code, error.message, error.data);
      return;
    }
    // Its message may hold a secret (a token, a path): the wire gets none of it.
    this.#report(kind, `the ${JSON.stringify(method)} handler failed; answered -32603`, error);
    this.#answerError(id, ErrorCode.InternalError, "Internal error");
  }

  #answerError(id: RequestId, code: number, message: string, data?: unknown): void {
    if (this.#closing !== undefined) return;
    let line: string;
    try {
      const error = data === undefined ? { code, message } : { code, message, data };
      line = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":${JSON.stringify(error)}}`;
    } catch {
      line = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":{"code":${ErrorCode.InternalError},"message":"Internal error"}}`;
    }
    this.#writer.write(line);
  }

  #report(kind: ProtocolError["kind"], message: string, cause?: unknown): ProtocolError {
    const error = new ProtocolError(kind, message, cause);
    try {
      this.#options.onProtocolError(error);
    } catch {
      // The app's callback failing must not become our uncaught exception.
    }
    return error;
  }

  // ---- closing ----

  #closedError(): ConnectionClosedError {
    const closing = this.#closing;
    const exit = this.#exit ?? this.#transport.exited();
    return new ConnectionClosedError(
      closing?.reason ?? "closed",
      exit?.exitCode ?? null,
      exit?.signal ?? null,
      closing?.error,
    );
  }

  #close(reason: CloseReason, error: Error | undefined): void {
    if (this.#closing !== undefined) return;
    this.#closing = { reason, error };
    if (this.#settleTimer !== undefined) {
      clearTimeout(this.#settleTimer);
      this.#settleTimer = undefined;
    }
    this.#limiter.clear();
    this.#handlersAbort.abort(this.#closedError());
    this.#pending.rejectAll(this.#closedError());
    // Ending the server's input is the polite way to ask it to exit.
    this.#writer.end();
    void this.#transport.shutdown(this.#graceMs).then(
      (exit) => this.#finish(exit),
      () => this.#finish(this.#exit ?? { exitCode: null, signal: null }),
    );
  }

  #finish(exit: ExitInfo): void {
    const closing = this.#closing;
    if (closing === undefined) return;
    const info: ClosedInfo =
      closing.error === undefined
        ? { reason: closing.reason, exitCode: exit.exitCode, signal: exit.signal }
        : { reason: closing.reason, error: closing.error, exitCode: exit.exitCode, signal: exit.signal };
    this.#resolveClosed(info);
  }
}

function isRequestId(id: unknown): id is RequestId {
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

function isErrorObject(error: unknown): error is { code: number; message: string; data?: unknown } {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Json;
  return Number.isInteger(e["code"]) && typeof e["message"] === "string";
}

function describeError(error: unknown): string {
  return isErrorObject(error) ? String(error.code) : "(malformed)";
}

function encodeRequest(id: number, method: string, params: unknown): string | Error {
  try {
    const json = params === undefined ? undefined : JSON.stringify(params);
    const p = json === undefined ? "" : `,"params":${json}`;
    return `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)}${p}}`;
  } catch (error) {
    return new TypeError(`the params of ${JSON.stringify(method)} cannot be written as JSON`, { cause: error });
  }
}

function encodeNotification(method: string, params: unknown): string | Error {
  try {
    const json = params === undefined ? undefined : JSON.stringify(params);
    const p = json === undefined ? "" : `,"params":${json}`;
    return `{"jsonrpc":"2.0","method":${JSON.stringify(method)}${p}}`;
  } catch (error) {
    return new TypeError(`the params of ${JSON.stringify(method)} cannot be written as JSON`, { cause: error });
  }
}
