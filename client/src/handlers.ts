// The app's handlers of what the server sends: one per method, and a bound on
// how many request handlers run at once.

import type { HandlerContext } from "./methods.js";

export type AnyRequestHandler = (params: unknown, context: HandlerContext) => unknown;
export type AnyNotificationHandler = (params: unknown) => unknown;

/** One handler per method; registering a second for the same method is a mistake the app hears of at once. */
export class HandlerTable<H> {
  readonly #kind: string;
  readonly #handlers = new Map<string, H>();

  constructor(kind: string) {
    this.#kind = kind;
  }

  get(method: string): H | undefined {
    return this.#handlers.get(method);
  }

  /** Adds the handler; returns the function that removes it (and only it). */
  add(method: string, handler: H): () => void {
    if (this.#handlers.has(method)) {
      throw new Error(
        `a ${this.#kind} handler for ${JSON.stringify(method)} is already registered; remove it first`,
      );
    }
    this.#handlers.set(method, handler);
    return () => {
      if (this.#handlers.get(method) === handler) this.#handlers.delete(method);
    };
  }
}

/**
 * Runs at most `limit` jobs at once, the rest in arrival order. The
 * attestation answer never goes through it: a slow host handler must not
 * delay a token the server waits for under a 100 ms deadline.
 */
export class Limiter {
  readonly #limit: number;
  #running = 0;
  /** Jobs not yet started, from `#head` on (shift() would be linear in the queue). */
  #waiting: Array<() => Promise<void>> = [];
  #head = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** Runs `job` now or when a slot frees; `job` must never reject. */
  run(job: () => Promise<void>): void {
    if (this.#running < this.#limit) this.#start(job);
    else this.#waiting.push(job);
  }

  /** Forgets the jobs not yet started (the connection closed: their answers would be dropped). */
  clear(): void {
    this.#waiting = [];
    this.#head = 0;
  }

  #start(job: () => Promise<void>): void {
    this.#running++;
    const done = (): void => {
      this.#running--;
      const next = this.#next();
      if (next !== undefined) this.#start(next);
    };
    // Both paths, so that even a job that broke its promise never rejects unhandled.
    job().then(done, done);
  }

  #next(): (() => Promise<void>) | undefined {
    if (this.#head >= this.#waiting.length) return undefined;
    const job = this.#waiting[this.#head];
    this.#head++;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    return job;
  }
}
