// A server reached over two streams the app already has.

import { Client } from "./connection.js";
import type { HostMethods, NoHostMethods } from "./methods.js";
import type { ClientOptions } from "./options.js";
import { streamTransport } from "./transport.js";

/** The two halves of a connection: what the server writes, and where the app writes. */
export interface Streams {
  /** The server's output (e.g. a child's stdout, a socket). */
  readable: NodeJS.ReadableStream;
  /** The server's input (e.g. a child's stdin, the same socket). */
  writable: NodeJS.WritableStream;
}

/**
 * Connects over `readable`/`writable`. The connection closes when `readable`
 * ends or fails, a write fails or stalls, or on `close()` (which ends
 * `writable`).
 */
export function connect<H extends HostMethods = NoHostMethods>(
  streams: Streams,
  options: ClientOptions = {},
): Client<H> {
  return new Client<H>(streamTransport(streams.readable, streams.writable), options);
}
