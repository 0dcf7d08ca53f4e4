// The app's requests in flight: ids, deadlines, abort signals, and what
// became of recently settled ids (to tell a duplicate answer from a late one).
//
// Every entry leaves the map on every path (answer, error, deadline, abort,
// close) in one place, `#remove`, which also takes it out of its deadline
// bucket and its abort registration, so that nothing the map held outlives
// the request.
//
// Deadlines: the requests made in one turn of the event loop with the same
// timeout share one timer (a bucket), since their deadlines are the same to
// within that turn. A burst of 10,000 requests arms one timer, not 10,000
// (a Node timer and its closure are about half the memory of a pending
// request); a bucket whose requests have all settled clears its timer.

import type { RequestId } from "@attestwire/protocol";

import { RequestTimeoutError } from "./errors.js";

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
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface Entry extends Settle {
  readonly method: string;
  bucket: Bucket | undefined;
  signal: AbortSignal | undefined;
}

/** The requests of one turn with one timeout, and their shared timer. */
interface Bucket {
  readonly timeoutMs: number;
  /** Ids added, settled or not (a settled one is skipped when the timer fires). */
  ids: number[];
  /** How many of `ids` are still pending. */
  live: number;
  timer: NodeJS.Timeout | undefined;
}

/** How many settled ids are remembered for the duplicate/late distinction. */
const RECENT_IDS = 1024;

export class PendingRequests {
  readonly #entries = new Map<number, Entry>();
  readonly #recent = new Map<RequestId, "answered" | "abandoned">();
  /** One abort listener per signal however many requests share it (an AbortSignal warns past 10). */
  readonly #bySignal = new Map<AbortSignal, Set<number>>();
  /** The buckets still taking requests: this turn's, by timeout. */
  readonly #open = new Map<number, Bucket>();
  #closeOpenScheduled = false;
  #nextId = 1;

  get size(): number {
    return this.#entries.size;
  }

  /** Registers a request; returns its id. It rejects with `RequestTimeoutError` once `timeoutMs` passes. */
  add(method: string, settle: Settle, timeoutMs: number, signal: AbortSignal | undefined): number {
    const id = this.#nextId++;
    const entry: Entry = {
      method,
      resolve: settle.resolve,
      reject: settle.reject,
      bucket: undefined,
      signal: undefined,
    };
    if (Number.isFinite(timeoutMs)) {
      const bucket = this.#bucket(timeoutMs);
      bucket.ids.push(id);
      bucket.live++;
      entry.bucket = bucket;
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

  /** This turn's bucket for `timeoutMs`, made (with its timer) if needed. */
  #bucket(timeoutMs: number): Bucket {
    let bucket = this.#open.get(timeoutMs);
    if (bucket === undefined) {
      const fresh: Bucket = { timeoutMs, ids: [], live: 0, timer: undefined };
      fresh.timer = setTimeout(() => this.#expire(fresh), timeoutMs);
      bucket = fresh;
      this.#open.set(timeoutMs, bucket);
      if (!this.#closeOpenScheduled) {
        this.#closeOpenScheduled = true;
        // Once this turn's synchronous code is done, later requests get new buckets.
        queueMicrotask(this.#closeOpen);
      }
    }
    return bucket;
  }

  readonly #closeOpen = (): void => {
    this.#closeOpenScheduled = false;
    this.#open.clear();
  };

  #expire(bucket: Bucket): void {
    bucket.timer = undefined;
    if (this.#open.get(bucket.timeoutMs) === bucket) this.#open.delete(bucket.timeoutMs);
    for (const id of bucket.ids) {
      const entry = this.#entries.get(id);
      if (entry?.bucket === bucket) {
        this.#remove(id, entry, "abandoned");
        entry.reject(new RequestTimeoutError(entry.method, bucket.timeoutMs));
      }
    }
    bucket.ids = [];
  }

  #remove(id: number, entry: Entry, outcome: "answered" | "abandoned"): void {
    this.#entries.delete(id);
    const bucket = entry.bucket;
    if (bucket !== undefined) {
      entry.bucket = undefined;
      bucket.live--;
      if (bucket.live === 0 && bucket.timer !== undefined) {
        // Every request of the bucket settled: nothing left to time out.
        clearTimeout(bucket.timer);
        bucket.timer = undefined;
        bucket.ids = [];
        if (this.#open.get(bucket.timeoutMs) === bucket) this.#open.delete(bucket.timeoutMs);
      }
    }
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
