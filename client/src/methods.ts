// The type-level method maps: attestwire's, from the generated package, and
// the host's, which the app supplies as a type parameter of `Client`. Nothing
// here exists at run time.

import type {
  ClientNotificationMapWith,
  ClientRequestMapWith,
  HostMethods,
  NoHostMethods,
  ParamsOf,
  RequestId,
  ResponseOf,
} from "@attestwire/protocol";

// The host's method maps and their merge with attestwire's are the protocol
// package's (`makeRequest<H>` and `createServerRequestDispatcher` take the
// same `H`), so one `Codex` type serves both packages.
export type { HostMethods, NoHostMethods, ParamsOf, ResponseOf };

/** The member `K` of the host's methods `H`, or no methods. */
type Part<H, K extends keyof HostMethods> = H extends { [P in K]?: infer M }
  ? NonNullable<M> extends object
    ? NonNullable<M>
    : NoHostMethods
  : NoHostMethods;

/** Every request the app may send: attestwire's (`initialize`) and the host's (the host's entry wins on a shared name). */
export type AppRequests<H> = ClientRequestMapWith<H>;
/** Every notification the app may send: attestwire's (`initialized`) and the host's. */
export type AppNotifications<H> = ClientNotificationMapWith<H>;
/** The host's requests to the app (attestwire's own, `attestation/generate`, is answered by the `attestation` option). */
export type ServerRequests<H> = Part<H, "serverRequests">;
/** The host's notifications to the app (attestwire's server sends none). */
export type ServerNotifications<H> = Part<H, "serverNotifications">;

/** What one request may carry beside its params. */
export interface RequestOptions {
  /** This request's deadline in milliseconds; default: the client's `requestTimeoutMs`. `Infinity` for none. */
  timeoutMs?: number;
  /** Abandons the request: it rejects with `signal.reason` and a late answer is dropped. */
  signal?: AbortSignal;
}

/** `request`'s arguments after the method: params may be left out when the method takes none. */
export type RequestArgs<P> = undefined extends P
  ? [params?: P, options?: RequestOptions]
  : [params: P, options?: RequestOptions];

/** `notify`'s arguments after the method. */
export type NotifyArgs<P> = undefined extends P ? [params?: P] : [params: P];

/** What a handler of a server request is given beside the params. */
export interface HandlerContext {
  /** The request's id, as the server sent it. */
  readonly id: RequestId;
  /** The request's method. */
  readonly method: string;
  /** Aborted when the connection closes: the answer would be dropped. */
  readonly signal: AbortSignal;
}

/** A handler of the server request whose map entry is `E`: its result is the answer. */
export type RequestHandler<E> = (
  params: ParamsOf<E>,
  context: HandlerContext,
) => ResponseOf<E> | Promise<ResponseOf<E>>;

/** A handler of the server notification whose map entry is `E`. */
export type NotificationHandler<E> = (params: ParamsOf<E>) => void | Promise<void>;
