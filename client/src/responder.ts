// Answering what the server sends the app: its requests, through one handler
// per method under a concurrency bound (attestation/generate through the
// app's provider, never behind that bound), and its notifications.

import {
  ErrorCode,
  ServerRequestMethod,
  isValidAttestationToken,
  parseServerMessage,
  type RequestId,
} from "@attestwire/protocol";

import { RemoteError, type ProtocolError } from "./errors.js";
import {
  HandlerTable,
  Limiter,
  type AnyNotificationHandler,
  type AnyRequestHandler,
} from "./handlers.js";
import type { ClientOptions } from "./options.js";
import { encodeError, encodeResult } from "./wire.js";
import type { LineWriter } from "./writer.js";

export const ATTESTATION_GENERATE: string = ServerRequestMethod.AttestationGenerate;

type Report = (kind: ProtocolError["kind"], message: string, cause?: unknown) => ProtocolError;

export class Responder {
  readonly requestHandlers = new HandlerTable<AnyRequestHandler>("request");
  readonly notificationHandlers = new HandlerTable<AnyNotificationHandler>("notification");
  readonly #writer: LineWriter;
  readonly #attestation: ClientOptions["attestation"];
  readonly #limiter: Limiter;
  readonly #report: Report;
  /** Aborted on close: the signal every handler is given. */
  readonly #abort = new AbortController();
  #closed = false;

  constructor(
    writer: LineWriter,
    attestation: ClientOptions["attestation"],
    maxConcurrentHandlers: number,
    report: Report,
  ) {
    this.#writer = writer;
    this.#attestation = attestation;
    this.#limiter = new Limiter(maxConcurrentHandlers);
    this.#report = report;
  }

  /** The connection closed: handlers' signals abort, waiting handlers never start, answers are dropped. */
  close(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#limiter.clear();
    this.#abort.abort(reason);
  }

  /** A notification from the server: to its handler, if any. */
  notification(method: string, params: unknown): void {
    const handler = this.notificationHandlers.get(method);
    if (handler === undefined) return; // JSON-RPC: a notification nobody handles is ignored
    Promise.resolve()
      .then(() => handler(params))
      .catch((error: unknown) => this.#report("handler-failed", `the ${JSON.stringify(method)} notification handler threw`, error));
  }

  /** A request from the server: answered by its handler (or the attestation provider). */
  request(id: RequestId, method: string, params: unknown, text: string): void {
    if (method === ATTESTATION_GENERATE) {
      this.#onAttestation(id, text);
      return;
    }
    const handler = this.requestHandlers.get(method);
    if (handler === undefined) {
      this.answerError(id, ErrorCode.MethodNotFound, "Method not found");
      return;
    }
    const context = { id, method, signal: this.#abort.signal };
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
      this.answerError(id, ErrorCode.InvalidParams, "Invalid params");
      return;
    }
    const provider = this.#attestation;
    if (provider === undefined) {
      this.answerError(id, ErrorCode.MethodNotFound, "Method not found");
      return;
    }
    const params = "params" in checked.message ? checked.message.params : {};
    // Not through the limiter: the server's deadline is 100 ms.
    void Promise.resolve()
      .then(() => provider({ params, signal: this.#abort.signal }))
      .then(
        (token: unknown) => {
          if (typeof token !== "string" || !isValidAttestationToken(token)) {
            // Never sent: the server would only call it malformed (s=4); an
            // error says what happened (s=2) and the bytes stay here.
            this.#report("attestation-failed", "the attestation provider gave a token that breaks the token rule (1 to 8192 visible ASCII characters)");
            this.answerError(id, ErrorCode.InternalError, "attestation token breaks the token rule");
            return;
          }
          this.#answer(id, ATTESTATION_GENERATE, { token });
        },
        (error: unknown) => this.#answerThrown(id, ATTESTATION_GENERATE, error, "attestation-failed"),
      );
  }

  #answer(id: RequestId, method: string, result: unknown): void {
    if (this.#closed) return; // late: dropped silently
    let line: string;
    try {
      line = encodeResult(id, result);
    } catch (error) {
      this.#answerThrown(id, method, error, "handler-failed");
      return;
    }
    this.#writer.write(line);
  }

  #answerThrown(id: RequestId, method: string, error: unknown, kind: "handler-failed" | "attestation-failed"): void {
    if (error instanceof RemoteError) {
      this.answerError(id, error.code, error.message, error.data);
      return;
    }
    // Its message may hold a secret (a token, a path): the wire gets none of it.
    this.#report(kind, `the ${JSON.stringify(method)} handler failed; answered -32603`, error);
    this.answerError(id, ErrorCode.InternalError, "Internal error");
  }

  /** Answers `id` with an error (dropped once closed). */
  answerError(id: RequestId, code: number, message: string, data?: unknown): void {
    if (this.#closed) return;
    this.#writer.write(encodeError(id, code, message, data));
  }
}
