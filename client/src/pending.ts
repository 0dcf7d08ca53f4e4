// The app's requests in flight: ids, deadlines, abort signals, and what
// became of recently settled ids (to tell a duplicate answer from a late one).
//
// Every entry leaves the map on every path (answer, error, deadline, abort,
// close) in one place, `#settle`, which also clears its timer and its abort
// registration, so that nothing the map held outlives the request.

import type { RequestId } from "@attestwire/protocol";

/** What a response's id turned out to be. */
export type Lookup =
  /** A request in flight: it is removed and its settle functions returned. */
  | { readonly kind: "pending"; readonly method: string; readonly settle: Settle }
  /** A request already answered: a second answer is a duplicate. */
  | { readonly kind: "answered" }
  /** A request abandoned (deadline, abort): its late answer is dropped silently. */
  | { readonly kind: "abandoned" }
  /** No request of ours ever had this id (or it settled too long ago to remember). */
  | { readonly kind: "unknown" };

/** Settles a taken entry, once. */
export interface Settle {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Entry extends Settle {
  readonly method: string;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
}

/** How many settled ids are remembered for the duplicate/late distinction. */
const RECENT_IDS = 1024;

export class PendingRequests {
  readonly #entries = new Map<number, Entry>();
  readonly #recent = new Map<RequestId, "answered" | "abandoned">();
  /** One abort listener per signal however many requests share it (an AbortSignal warns past 10). */
  readonly #bySignal = new Map<AbortSignal, Set<number>>();
  #nextId = 1;

  get size(): number {
    return this.#entries.size;
  }

  /** Registers a request; returns its id. `timeout` is called when `timeoutMs` passes first. */
  add(
    method: string,
    settle: Settle,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    timeout: () => unknown,
  ): number {
    const id = this.#nextId++;
    const entry: Entry = {
      method,
      resolve: settle.resolve,
      reject: settle.reject,
      timer: undefined,
      signal: undefined,
    };
    if (Number.isFinite(timeoutMs)) {
      entry.timer = setTimeout(() => this.#abandon(id, timeout()), timeoutMs);
    }
    if (signal !== undefined) {
      entry.signal = signal;
      let ids = this.#bySignal.get(signal);
      if (ids === undefined) {
        ids = new Set();
        this.#bySignal.set(signal, ids);
        signal.addEventListener("abort", this.#onAbort);
      }
      ids.add(id);
    }
    this.#entries.set(id, entry);
    return id;
  }

  /** Looks a response's id up; a pending entry is removed and handed over. */
  take(id: RequestId): Lookup {
    const entry = typeof id === "number" ? this.#entries.get(id) : undefined;
    if (entry !== undefined && typeof id === "number") {
      this.#remove(id, entry, "answered");
      return { kind: "pending", method: entry.method, settle: entry };
    }
    const recent = this.#recent.get(id);
    return { kind: recent ?? "unknown" };
  }

  /** `true` when `id` is a request of ours in flight. */
  has(id: RequestId): boolean {
    return typeof id === "number" && this.#entries.has(id);
  }

  /** Rejects every entry with `error` and empties the map. */
  rejectAll(error: unknown): void {
    for (const [id, entry] of [...this.#entries]) {
      this.#remove(id, entry, "abandoned");
      entry.reject(error);
    }
  }

  /** Abandons one request: removed at once, rejected with `error`, a late answer dropped. */
  abandon(id: number, error: unknown): void {
    this.#abandon(id, error);
  }

  #abandon(id: number, error: unknown): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#remove(id, entry, "abandoned");
    entry.reject(error);
  }

  readonly #onAbort = (event: Event): void => {
    const signal = event.target as AbortSignal;
    const ids = this.#bySignal.get(signal);
    if (ids === undefined) return;
    for (const id of [...ids]) this.#abandon(id, signal.reason);
  };

  #remove(id: number, entry: Entry, outcome: "answered" | "abandoned"): void {
    this.#entries.delete(id);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    const signal = entry.signal;
    if (signal !== undefined) {
      const ids = this.#bySignal.get(signal);
      ids?.delete(id);
      if (ids !== undefined && ids.size === 0) {
        this.#bySignal.delete(signal);
        signal.removeEventListener("abort", this.#onAbort);
      }
    }
    this.#recent.set(id, outcome);
    if (this.#recent.size > RECENT_IDS) {
      const oldest = this.#recent.keys().next();
      if (oldest.done !== true) this.#recent.delete(oldest.value);
    }
  }
}
