// Why and how a connection ended: what `client.closed` resolves with.

/**
 * Why the connection closed:
 * - `"closed"`: the app called `close()`;
 * - `"exit"`: the spawned server exited;
 * - `"stdout-end"`: the server's output ended (the stream's end, for `connect`) while it still ran;
 * - `"read-error"`: reading the server's output failed;
 * - `"write-error"`: writing to the server failed (EPIPE: it stopped reading for good);
 * - `"spawn-error"`: the server could not be started (e.g. ENOENT);
 * - `"write-stall"`: the server did not read what was written for longer than `writeStallMs`;
 * - `"line-too-long"`: the server sent a line longer than `maxLineBytes`.
 */
export type CloseReason =
  | "closed"
  | "exit"
  | "stdout-end"
  | "read-error"
  | "write-error"
  | "spawn-error"
  | "write-stall"
  | "line-too-long";

/** What `client.closed` resolves with, once. */
export interface ClosedInfo {
  /** The first cause of the close. */
  readonly reason: CloseReason;
  /** The error behind `reason`, for the error reasons. */
  readonly error?: Error;
  /** The spawned server's exit code; `null` when it was ended by a signal, or for `connect`. */
  readonly exitCode: number | null;
  /** The signal that ended the spawned server (e.g. `"SIGTERM"`); else `null`. */
  readonly signal: string | null;
}
