// A server run as a child process over stdio: spawn, stderr lines, and the
// end of the child (stdin EOF, grace, SIGTERM, SIGKILL).
//
// Only `child_process.spawn` and streams: what Electron's main process and a
// utility process have. No worker_threads, no shell.

import { spawn, type ChildProcess, type SpawnOptions as NodeSpawnOptions } from "node:child_process";
import { basename } from "node:path";

import type { CloseReason } from "./closed.js";
import { Client } from "./connection.js";
import { TextLineSplitter } from "./framing.js";
import type { HostMethods, NoHostMethods } from "./methods.js";
import type { ClientOptions } from "./options.js";
import type { ExitInfo, Transport } from "./transport.js";
import { asError } from "./writer.js";

/** Options of `spawnServer`: the client's, plus how to run the child. */
export interface SpawnOptions extends ClientOptions {
  /**
   * Each line the server writes to stderr, whole (never interleaved
   * mid-line). Default: written to the app's stderr as `[name] line`, where
   * `name` is the command's file name.
   */
  onStderr?: (line: string) => void;
  /** The child's working directory (default: the app's). */
  cwd?: string;
  /** The child's environment (default: the app's). */
  env?: NodeJS.ProcessEnv;
}

/** A stderr line longer than this is passed on in pieces rather than held. */
const STDERR_LINE_BYTES = 64 * 1024;

/**
 * Spawns `command args` (no shell) and connects to it over its stdin and
 * stdout. Never throws for a command that cannot start (ENOENT, EACCES):
 * the client closes with reason `"spawn-error"` and every request rejects.
 */
export function spawnServer<H extends HostMethods = NoHostMethods>(
  command: string,
  args: readonly string[] = [],
  options: SpawnOptions = {},
): Client<H> {
  const spawnOptions: NodeSpawnOptions = { stdio: ["pipe", "pipe", "pipe"], windowsHide: true };
  if (options.cwd !== undefined) spawnOptions.cwd = options.cwd;
  if (options.env !== undefined) spawnOptions.env = options.env;
  const child = spawn(command, args, spawnOptions);
  const prefix = `[${basename(command)}] `;
  const onStderr =
    options.onStderr ?? ((line: string) => void process.stderr.write(`${prefix}${line}\n`));
  return new Client<H>(childTransport(child, onStderr), options);
}

function childTransport(child: ChildProcess, onStderr: (line: string) => void): Transport {
  const { stdin, stdout, stderr } = child;
  if (stdin === null || stdout === null || stderr === null) {
    // spawn with stdio "pipe" always makes all three; this keeps the types honest.
    throw new Error("spawn gave no stdio pipes");
  }
  let exited: ExitInfo | undefined;
  let spawnFailed = false;
  let onFailure: (reason: CloseReason, error: Error) => void = () => {};
  let resolveExit!: (exit: ExitInfo) => void;
  const exit = new Promise<ExitInfo>((resolve) => {
    resolveExit = resolve;
  });
  child.on("exit", (code, signal) => {
    exited = { exitCode: code, signal };
    resolveExit(exited);
  });
  // A spawn failure (ENOENT) emits `error` and never `exit`; a failed kill
  // emits `error` too. Without a listener, either is an uncaught exception.
  child.on("error", (error) => {
    if (child.pid === undefined && exited === undefined) {
      spawnFailed = true;
      exited = { exitCode: null, signal: null };
      resolveExit(exited);
      onFailure("spawn-error", error);
    }
  });

  const lines = new TextLineSplitter(STDERR_LINE_BYTES, (line) => {
    try {
      onStderr(line);
    } catch {
      // The app's logger failing must not become our uncaught exception.
    }
  });
  stderr.on("data", (chunk: Buffer | string) =>
    lines.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk),
  );
  stderr.on("end", () => lines.end());
  stderr.on("error", () => {});

  const waitExit = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (exited !== undefined) {
        resolve(true);
        return;
      }
      const timer = setTimeout(() => resolve(false), ms);
      void exit.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  const kill = (signal: NodeJS.Signals): void => {
    try {
      child.kill(signal);
    } catch (error) {
      // kill can throw (EPERM) on some platforms; the child then goes on.
      void asError(error);
    }
  };

  return {
    readable: stdout,
    writable: stdin,
    get pid() {
      return child.pid;
    },
    exit,
    exited: () => exited,
    onFailure: (close) => {
      onFailure = close;
    },
    shutdown: async (graceMs) => {
      if (spawnFailed || exited !== undefined) return exit;
      // stdin was ended by the connection; a server that reads it exits now.
      if (await waitExit(graceMs)) return exit;
      kill("SIGTERM");
      if (await waitExit(graceMs)) return exit;
      kill("SIGKILL");
      return exit;
    },
  };
}
