// JSONL framing of what the client sends, with backpressure.
//
// Lines written in one turn of the event loop go out as one `write` (one
// syscall instead of one per message). When the stream says it is full
// (`write` returned false), later lines wait in memory for its `drain`, which
// one listener, installed once, reports: a listener per waiting write would
// pile up (MaxListenersExceededWarning) behind a slow reader. A peer that
// does not drain within `writeStallMs` has stopped reading, and the writer
// gives up on it.

/** Why the writer gave up. */
export type WriteFailure =
  | { readonly reason: "write-error"; readonly error: Error }
  | { readonly reason: "write-stall"; readonly error: Error };

/** Called once a line is handed to the stream (`true`) or dropped because the writer closed (`false`). */
export type Written = (handedOver: boolean) => void;

export class LineWriter {
  readonly #stream: NodeJS.WritableStream;
  readonly #writeStallMs: number;
  readonly #onFailure: (failure: WriteFailure) => void;
  #batch: string[] = [];
  #written: Written[] = [];
  #scheduled = false;
  #full = false;
  #closed = false;
  #stallTimer: NodeJS.Timeout | undefined;

  constructor(
    stream: NodeJS.WritableStream,
    writeStallMs: number,
    onFailure: (failure: WriteFailure) => void,
  ) {
    this.#stream = stream;
    this.#writeStallMs = writeStallMs;
    this.#onFailure = onFailure;
    // Without an `error` listener, an EPIPE after the child died is an
    // uncaught exception that takes the whole app down.
    stream.on("error", this.#onError);
    stream.on("drain", this.#onDrain);
  }

  /** Lines waiting for the stream: written this turn, or held until `drain`. */
  get queued(): number {
    return this.#batch.length;
  }

  /** Queues one line (without its newline); `false` when the writer is closed and dropped it. */
  write(line: string, written?: Written): boolean {
    if (this.#closed) {
      written?.(false);
      return false;
    }
    this.#batch.push(line, "\n");
    if (written !== undefined) this.#written.push(written);
    if (!this.#full && !this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flush);
    }
    return true;
  }

  /** Ends the stream after what is queued (when it is not full), or drops the queue. Idempotent. */
  end(): void {
    if (this.#closed) return;
    if (!this.#full) this.#flush();
    this.#close();
    try {
      this.#stream.end();
    } catch {
      // A stream already destroyed may throw on end(); it is over either way.
    }
  }

  /** Stops writing, drops the queue (reporting `false`), removes nothing the stream still needs. */
  close(): void {
    this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearStall();
    this.#stream.removeListener("drain", this.#onDrain);
    // The error listener stays: an EPIPE can still come after we stop writing.
    const written = this.#written;
    this.#batch = [];
    this.#written = [];
    for (const done of written) done(false);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#closed || this.#full || this.#batch.length === 0) return;
    const text = this.#batch.join("");
    const written = this.#written;
    this.#batch = [];
    this.#written = [];
    let ok: boolean;
    try {
      ok = this.#stream.write(text);
    } catch (error) {
      // A destroyed stream may throw (ERR_STREAM_DESTROYED) instead of emitting.
      this.#fail({ reason: "write-error", error: asError(error) });
      for (const done of written) done(false);
      return;
    }
    for (const done of written) done(true);
    if (!ok) {
      this.#full = true;
      if (Number.isFinite(this.#writeStallMs)) {
        this.#stallTimer = setTimeout(this.#onStall, this.#writeStallMs);
      }
    }
  };

  readonly #onDrain = (): void => {
    this.#full = false;
    this.#clearStall();
    this.#flush();
  };

  readonly #onStall = (): void => {
    this.#stallTimer = undefined;
    this.#fail({
      reason: "write-stall",
      error: new Error(`the server read nothing for ${this.#writeStallMs} ms`),
    });
  };

  readonly #onError = (error: unknown): void => {
    this.#fail({ reason: "write-error", error: asError(error) });
  };

  #fail(failure: WriteFailure): void {
    if (this.#closed) return;
    this.#close();
    this.#onFailure(failure);
  }

  #clearStall(): void {
    if (this.#stallTimer !== undefined) {
      clearTimeout(this.#stallTimer);
      this.#stallTimer = undefined;
    }
  }
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
