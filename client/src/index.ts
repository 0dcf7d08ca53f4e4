// @attestwire/client: the desktop app's connection to a server that speaks
// attestwire (and the host's own methods). Only re-exports; each module is one
// concept: framing, writer, wire, pending, handlers, responder, connection,
// child, stream, errors.

export { spawnServer, type SpawnOptions } from "./child.js";
export { connect, type Streams } from "./stream.js";
export { Client } from "./connection.js";
export type { CloseReason, ClosedInfo } from "./closed.js";
export {
  ConnectionClosedError,
  ProtocolError,
  RemoteError,
  RequestTimeoutError,
  type ProtocolErrorKind,
} from "./errors.js";
export type { AttestationContext, ClientOptions } from "./options.js";
export type {
  AppNotifications,
  AppRequests,
  HandlerContext,
  HostMethods,
  NoHostMethods,
  NotificationHandler,
  ParamsOf,
  RequestHandler,
  RequestOptions,
  ResponseOf,
  ServerNotifications,
  ServerRequests,
} from "./methods.js";
