// What the connection runs over: a pair of streams, and for a spawned server
// the child behind them. `connection.ts` owns the protocol; this is all it
// needs to know about where the bytes go.

import type { CloseReason } from "./closed.js";

/** How the peer process ended (both `null` when there is no process). */
export interface ExitInfo {
  readonly exitCode: number | null;
  readonly signal: string | null;
}

export interface Transport {
  /** The server's output. */
  readonly readable: NodeJS.ReadableStream;
  /** The server's input. */
  readonly writable: NodeJS.WritableStream;
  /** The child's pid; `undefined` for plain streams or a child that failed to spawn. */
  readonly pid: number | undefined;
  /** Resolves (never rejects) when the child has exited; `undefined` for plain streams. */
  readonly exit: Promise<ExitInfo> | undefined;
  /** The child's exit, once known. */
  exited(): ExitInfo | undefined;
  /** Registers the connection's close for failures only the transport sees (a spawn failure). */
  onFailure(close: (reason: CloseReason, error: Error) => void): void;
  /** After the connection closed and its input was ended: makes sure the peer is gone. */
  shutdown(graceMs: number): Promise<ExitInfo>;
}

const NO_PROCESS: ExitInfo = { exitCode: null, signal: null };

/** A transport over two streams the app already has (a socket, a pair of pipes, in-memory streams). */
export function streamTransport(
  readable: NodeJS.ReadableStream,
  writable: NodeJS.WritableStream,
): Transport {
  let fail: ((reason: CloseReason, error: Error) => void) | undefined;
  // A destroyed writable drops later writes without an `error` event; its
  // `close` is the only sign. (Not for a child's stdin: it closes when the
  // child exits, which the child transport reports with the exit code.)
  writable.on("close", () =>
    fail?.("write-error", new Error("the stream to the server closed")),
  );
  return {
    readable,
    writable,
    pid: undefined,
    exit: undefined,
    exited: () => undefined,
    onFailure: (close) => {
      fail = close;
    },
    shutdown: () => Promise.resolve(NO_PROCESS),
  };
}
