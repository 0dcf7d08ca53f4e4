// One JSON-RPC connection to a server: the app's requests (ids, deadlines,
// signals), routing what the server sends, answering its requests, and
// closing. Every pending request settles exactly once; a closed connection
// rejects them all at once; no path leaves a promise rejected unhandled.

import {
  ClientRequestMethod,
  ErrorCode,
  parseServerMessage,
  type RequestId,
} from "@attestwire/protocol";

import type { CloseReason, ClosedInfo } from "./closed.js";
import { ConnectionClosedError, ProtocolError, RemoteError } from "./errors.js";
import { LineReader } from "./framing.js";
import type { AnyNotificationHandler, AnyRequestHandler } from "./handlers.js";
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
import { ATTESTATION_GENERATE, Responder } from "./responder.js";
import type { ExitInfo, Transport } from "./transport.js";
import {
  describeError,
  encodeNotification,
  encodeRequest,
  isErrorObject,
  isRequestId,
  type Json,
} from "./wire.js";
import { LineWriter, asError } from "./writer.js";

/** attestwire's own requests: their answers are checked by the generated validators. */
const OWN_REQUESTS: ReadonlySet<string> = new Set(Object.values(ClientRequestMethod));

/**
 * How long a child's exit and the end of its output may lie apart: after
 * one, the other is awaited this long so that answers still in the pipe are
 * read and the close carries the exit code.
 */
const SETTLE_MS = 100;

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
  readonly #responder: Responder;
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
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#writer = new LineWriter(transport.writable, this.#options.writeStallMs, (failure) =>
      this.#close(failure.reason, failure.error),
    );
    this.#responder = new Responder(
      this.#writer,
      this.#options.attestation,
      this.#options.maxConcurrentHandlers,
      (kind, message, cause) => this.#report(kind, message, cause),
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
        // The contract: an aborted request rejects with the signal's reason, whatever it is.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(signal.reason);
        return;
      }
      let timeoutMs: number;
      try {
        timeoutMs = duration("timeoutMs", options.timeoutMs, this.#options.requestTimeoutMs);
      } catch (error) {
        reject(asError(error));
        return;
      }
      const id = this.#pending.add(method, { resolve, reject }, timeoutMs, signal);
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
    return this.#responder.requestHandlers.add(method, handler);
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
    return this.#responder.notificationHandlers.add(method, handler);
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
    if (this.#closing !== undefined) return;
    if (this.#transport.exit === undefined || this.#exit !== undefined) {
      this.#close(this.#exit !== undefined ? "exit" : "stdout-end", undefined);
    } else {
      // Usually the exit follows at once; wait briefly so the close carries it.
      this.#settle(() => this.#close(this.#exit !== undefined ? "exit" : "stdout-end", undefined));
    }
  };

  readonly #onExit = (exit: ExitInfo): void => {
    this.#exit = exit;
    if (this.#closing !== undefined) return;
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
      if ("method" in message && idValid) this.#responder.answerError(id, ErrorCode.InvalidRequest, "Invalid request");
      return;
    }
    if ("method" in message) {
      const method = message["method"];
      if (typeof method !== "string") {
        this.#report("invalid-message", "a message's method is not a string");
        if (idValid) this.#responder.answerError(id, ErrorCode.InvalidRequest, "Invalid request");
        return;
      }
      if (!hasId) {
        this.#responder.notification(method, message["params"]);
      } else if (idValid) {
        // A request, even when its id equals one of ours: ids are per direction.
        this.#responder.request(id, method, message["params"], text);
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
    this.#responder.close(this.#closedError());
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
