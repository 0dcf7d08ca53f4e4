// JSONL framing of what the server sends: bytes in, whole lines out.
//
// Linear in bytes, whatever the chunking: each chunk is searched for a
// newline once, from its own start (never the line's start again), and a
// line that spans chunks is kept as a list of the chunks' views, joined by one
// copy when its newline arrives. A line that fits in one chunk is decoded
// straight from it, with no copy. (A single growable buffer would copy a long
// line again each time it doubles, and would keep its largest size for the
// rest of the connection.) A line longer than the limit is refused as soon as
// the bytes seen exceed it: it is never held whole.

import { isUtf8 } from "node:buffer";

/** One result of `LineReader.push`, in order. */
export type Frame =
  /** A complete line, without its `\n` (and `\r`, if any), decoded as UTF-8. */
  | { readonly kind: "line"; readonly text: string }
  /** A complete line that is not valid UTF-8 (its bytes are dropped). */
  | { readonly kind: "invalid-utf8" }
  /** The current line went over the limit: the reader is done and accepts nothing more. */
  | { readonly kind: "too-long"; readonly limit: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Splits a byte stream into lines of at most `maxLineBytes` bytes (not counting the newline). */
export class LineReader {
  readonly #maxLineBytes: number;
  /** Views of the current line's bytes so far, not yet joined. */
  #parts: Buffer[] = [];
  /** The bytes held in `#parts`. */
  #length = 0;
  #failed = false;
  /** Bytes copied to join lines that spanned chunks (what the tests check). */
  copiedBytes = 0;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Bytes of an incomplete line held right now. */
  get buffered(): number {
    return this.#length;
  }

  /** Takes the next chunk; returns the frames it completes (none once one was `too-long`). */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    if (this.#failed) return frames;
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.#length + (end - start) > this.#maxLineBytes) {
        this.#failed = true;
        this.#parts = [];
        this.#length = 0;
        frames.push({ kind: "too-long", limit: this.#maxLineBytes });
        return frames;
      }
      if (newline === -1) {
        this.#parts.push(chunk.subarray(start));
        this.#length += chunk.length - start;
        break;
      }
      let line: Buffer;
      if (this.#length === 0) {
        line = chunk.subarray(start, end);
      } else {
        this.#parts.push(chunk.subarray(start, end));
        line = Buffer.concat(this.#parts, this.#length + (end - start));
        this.copiedBytes += line.length;
        this.#parts = [];
        this.#length = 0;
      }
      start = newline + 1;
      frames.push(decode(line));
    }
    return frames;
  }
}

function decode(line: Buffer): Frame {
  const length =
    line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.length - 1 : line.length;
  const bytes = line.subarray(0, length);
  // toString would replace bad bytes with U+FFFD and hand a changed message
  // on as if the server had sent it.
  if (!isUtf8(bytes)) return { kind: "invalid-utf8" };
  return { kind: "line", text: bytes.toString("utf8") };
}

/**
 * Splits a stream of text (the server's stderr) into lines, so that what the
 * app logs never interleaves mid-line. A line longer than `maxLineBytes`
 * bytes is passed on in pieces of at most that size rather than held.
 */
export class TextLineSplitter {
  readonly #maxLineBytes: number;
  readonly #onLine: (line: string) => void;
  #pending: Buffer[] = [];
  #length = 0;

  constructor(maxLineBytes: number, onLine: (line: string) => void) {
    this.#maxLineBytes = maxLineBytes;
    this.#onLine = onLine;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.#pending.push(chunk.subarray(start, end));
      this.#length += end - start;
      if (newline === -1) {
        if (this.#length > this.#maxLineBytes) this.#emit();
        break;
      }
      this.#emit();
      start = newline + 1;
    }
  }

  /** Passes on what is left of an unterminated last line. */
  end(): void {
    if (this.#length > 0) this.#emit();
  }

  #emit(): void {
    let line = Buffer.concat(this.#pending, this.#length).toString("utf8");
    this.#pending = [];
    this.#length = 0;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    this.#onLine(line);
  }
}
